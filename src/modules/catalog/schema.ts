// Catalog tables: categories, products with texts in nl and en, variants with SKU and GTIN,
// attribute definitions, and the assortment (which products are sold in which channel and store).
import { sql, type SQL } from 'drizzle-orm';
import { boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const categories = pgTable(
  'categories',
  {
    id: text('id').primaryKey(),
    parentId: text('parent_id'),
    slug: text('slug').notNull().unique(),
    nameNl: text('name_nl'),
    nameEn: text('name_en'),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('categories_parent').on(t.parentId, t.position)],
);

export const attributeDefinitions = pgTable('attribute_definitions', {
  code: text('code').primaryKey(),
  type: text('type', { enum: ['text', 'number', 'boolean', 'enum'] }).notNull(),
  labelNl: text('label_nl'),
  labelEn: text('label_en'),
  options: text('options').array(),
  filterable: boolean('filterable').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

const searchDocument: SQL = sql`setweight(to_tsvector('english', coalesce(title_en, '')), 'A')
  || setweight(to_tsvector('dutch', coalesce(title_nl, '')), 'A')
  || setweight(to_tsvector('simple', coalesce(search_extra, '')), 'B')
  || setweight(to_tsvector('english', coalesce(description_en, '')), 'C')
  || setweight(to_tsvector('dutch', coalesce(description_nl, '')), 'C')`;

export const products = pgTable(
  'products',
  {
    id: text('id').primaryKey(),
    handle: text('handle').notNull().unique(),
    status: text('status', { enum: ['draft', 'active', 'archived'] }).notNull().default('draft'),
    /** `service` items (postage, fees) are sold but never stocked. */
    kind: text('kind', { enum: ['physical', 'service'] }).notNull().default('physical'),
    titleNl: text('title_nl'),
    titleEn: text('title_en'),
    descriptionNl: text('description_nl'),
    descriptionEn: text('description_en'),
    categoryId: text('category_id'),
    taxClass: text('tax_class', { enum: ['standard', 'intermediate', 'reduced', 'zero'] }).notNull().default('standard'),
    brand: text('brand'),
    attributes: jsonb('attributes').notNull().default({}),
    media: jsonb('media').notNull().default([]),
    /** Where the product came from, e.g. `online-retail:85123A`; unique, so imports are repeatable. */
    externalRef: text('external_ref').unique(),
    /** SKUs, GTINs and codes, kept by the service so that a search for a code finds the product. */
    searchExtra: text('search_extra'),
    search: tsvector('search').generatedAlwaysAs(searchDocument),
    searchText: text('search_text').generatedAlwaysAs(sql`lower(coalesce(title_en, '') || ' ' || coalesce(title_nl, ''))`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('products_search').using('gin', t.search),
    index('products_category').on(t.categoryId),
    index('products_status').on(t.status, t.id),
  ],
);

/**
 * Every word of every product title (nl and en), for typo tolerance: a query word that is not in
 * the catalog is matched against this small table by trigram similarity ("chrismas" finds
 * "christmas"), and the close words join the full-text query. Filled by a trigger on products;
 * words are never removed (a stale word only adds a query term that matches nothing).
 */
export const searchWords = pgTable('search_words', { word: text('word').primaryKey() }, (t) => [index('search_words_trgm').using('gin', sql`${t.word} gin_trgm_ops`)]);

export const variants = pgTable(
  'variants',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    sku: text('sku').notNull().unique(),
    /** As entered (8, 12, 13 or 14 digits). */
    gtin: text('gtin'),
    /** The 14-digit form that scanners' codes are looked up by. */
    gtinKey: text('gtin_key').unique(),
    options: jsonb('options').notNull().default({}),
    status: text('status', { enum: ['active', 'archived'] }).notNull().default('active'),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('variants_product').on(t.productId, t.position)],
);

export const assortment = pgTable(
  'assortment',
  {
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    channel: text('channel', { enum: ['web', 'app', 'pos', 'kiosk', 'scan_go'] }).notNull(),
    /** Null: every store (and the online channels). */
    storeId: text('store_id'),
  },
  (t) => [uniqueIndex('assortment_unique').on(t.productId, t.channel, sql`coalesce(${t.storeId}, '')`), index('assortment_channel').on(t.channel, t.storeId)],
);
