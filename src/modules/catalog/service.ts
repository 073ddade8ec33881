// The catalog: categories, products with nl/en texts, variants (SKU, GTIN), typed attributes,
// media and the assortment per channel and store; search with Dutch and English stemming plus
// trigram typo tolerance; barcode lookup for scanners.
import { and, asc, desc, eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm';
import { anyOf, sqlState, statementName, type Db, type Executor, type Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound, pointerToken, Problem, type FieldError, type FieldPath } from '../../platform/errors.js';
import { emit, lockAggregate } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { canonicalGtin, describeGtinProblem, gtinProblem } from './gtin.js';
import { assortment, attributeDefinitions, categories, products, variants } from './schema.js';
import type { CatalogWords } from './words.js';

export const CHANNELS = ['web', 'app', 'pos', 'kiosk', 'scan_go'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Locale = 'nl' | 'en';

/** A product as read for answers: without the search columns, which only the database needs. */
export type ProductRow = Omit<typeof products.$inferSelect, 'search' | 'searchText'>;
const { search: _search, searchText: _searchText, ...productColumns } = getTableColumns(products);
export type VariantRow = typeof variants.$inferSelect;
export type CategoryRow = typeof categories.$inferSelect;

export interface Texts {
  nl?: string | null;
  en?: string | null;
}

export interface VariantInput {
  sku: string;
  gtin?: string | null;
  options?: Record<string, string>;
  status?: 'active' | 'archived';
}

export interface ProductInput {
  handle?: string;
  status?: 'draft' | 'active' | 'archived';
  kind?: 'physical' | 'service';
  title: Texts;
  description?: Texts;
  categoryId?: string | null;
  taxClass?: 'standard' | 'intermediate' | 'reduced' | 'zero';
  brand?: string | null;
  attributes?: Record<string, unknown>;
  media?: Array<{ url: string; alt?: string }>;
  externalRef?: string | null;
  variants: VariantInput[];
  /** Where it is sold; default: every channel in every store. */
  assortment?: Array<{ channel: Channel; storeId?: string | null }>;
}

/** A text in the asked language, else the other one (nl ⇄ en). */
export function pick(texts: Texts, locale: Locale): string | null {
  const first = locale === 'nl' ? texts.nl : texts.en;
  const other = locale === 'nl' ? texts.en : texts.nl;
  return first?.trim() ? first : other?.trim() ? other : null;
}

export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'product'
  );
}

export function publicVariant(v: VariantRow) {
  return { id: v.id, productId: v.productId, sku: v.sku, gtin: v.gtin, options: v.options as Record<string, string>, status: v.status, position: v.position, version: v.version };
}

export type PublicVariant = ReturnType<typeof publicVariant>;

export function publicProduct(p: ProductRow, vs: VariantRow[], where: Array<{ channel: string; storeId: string | null }>, locale: Locale = 'en') {
  return productAnswer(p, vs.map(publicVariant), where, locale);
}

/** A product's answer from its row and its variants already in their public shape. */
function productAnswer(p: ProductRow, vs: PublicVariant[], where: Array<{ channel: string; storeId: string | null }>, locale: Locale) {
  const title = { nl: p.titleNl, en: p.titleEn };
  const description = { nl: p.descriptionNl, en: p.descriptionEn };
  return {
    id: p.id,
    handle: p.handle,
    status: p.status,
    kind: p.kind,
    title,
    description,
    displayTitle: pick(title, locale) ?? p.handle,
    displayDescription: pick(description, locale),
    categoryId: p.categoryId,
    taxClass: p.taxClass,
    brand: p.brand,
    attributes: p.attributes as Record<string, unknown>,
    media: p.media as Array<{ url: string; alt?: string }>,
    externalRef: p.externalRef,
    variants: vs,
    assortment: where.map((a) => ({ channel: a.channel, storeId: a.storeId })),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    version: p.version,
  };
}
export type PublicProduct = ReturnType<typeof productAnswer>;

export function publicCategory(c: CategoryRow, locale: Locale = 'en') {
  const name = { nl: c.nameNl, en: c.nameEn };
  return { id: c.id, parentId: c.parentId, slug: c.slug, name, displayName: pick(name, locale) ?? c.slug, position: c.position, version: c.version };
}

// ---------------------------------------------------------------- validation

async function checkVariants(tx: Executor, input: VariantInput[], path: FieldPath, exceptProductId?: string): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const skus = new Map<string, number>();
  const gtins = new Map<string, number>();
  input.forEach((v, i) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/.test(v.sku)) errors.push({ field: `${path}/${i}/sku`, message: 'letters, digits and . _ - / only, at most 64' });
    if (skus.has(v.sku.toUpperCase())) errors.push({ field: `${path}/${i}/sku`, message: `same SKU as ${path}/${skus.get(v.sku.toUpperCase())}` });
    skus.set(v.sku.toUpperCase(), i);
    if (v.gtin) {
      const problem = gtinProblem(v.gtin);
      if (problem) errors.push({ field: `${path}/${i}/gtin`, message: describeGtinProblem(problem) });
      else {
        const key = canonicalGtin(v.gtin)!;
        if (gtins.has(key)) errors.push({ field: `${path}/${i}/gtin`, message: `same GTIN as ${path}/${gtins.get(key)}` });
        gtins.set(key, i);
      }
    }
  });
  if (errors.length) return errors;
  const skuList = input.map((v) => v.sku);
  const gtinKeys = input.map((v) => (v.gtin ? canonicalGtin(v.gtin)! : null)).filter((g): g is string => !!g);
  const taken = await tx
    .select({ sku: variants.sku, gtinKey: variants.gtinKey, productId: variants.productId })
    .from(variants)
    .where(or(inArray(sql`upper(${variants.sku})`, skuList.map((s) => s.toUpperCase())), gtinKeys.length ? inArray(variants.gtinKey, gtinKeys) : sql`false`));
  for (const t of taken) {
    if (exceptProductId && t.productId === exceptProductId) continue;
    const i = input.findIndex((v) => v.sku.toUpperCase() === t.sku.toUpperCase());
    if (i >= 0) errors.push({ field: `${path}/${i}/sku`, message: `SKU ${t.sku} belongs to product ${t.productId}` });
    const j = input.findIndex((v) => v.gtin && canonicalGtin(v.gtin) === t.gtinKey);
    if (j >= 0) errors.push({ field: `${path}/${j}/gtin`, message: `GTIN belongs to product ${t.productId}` });
  }
  return errors;
}

async function checkAttributes(tx: Executor, attrs: Record<string, unknown>): Promise<FieldError[]> {
  const codes = Object.keys(attrs);
  if (!codes.length) return [];
  const defs = await tx.select().from(attributeDefinitions).where(inArray(attributeDefinitions.code, codes));
  const byCode = new Map(defs.map((d) => [d.code, d]));
  const errors: FieldError[] = [];
  for (const [code, value] of Object.entries(attrs)) {
    const def = byCode.get(code);
    const field = `/attributes/${pointerToken(code)}` as const;
    if (!def) errors.push({ field, message: 'no such attribute; define it first (POST /v1/attributes)' });
    else if (def.type === 'number' && typeof value !== 'number') errors.push({ field, message: 'must be a number' });
    else if (def.type === 'boolean' && typeof value !== 'boolean') errors.push({ field, message: 'must be true or false' });
    else if (def.type === 'text' && typeof value !== 'string') errors.push({ field, message: 'must be text' });
    else if (def.type === 'enum' && !(def.options ?? []).includes(String(value))) errors.push({ field, message: `must be one of ${(def.options ?? []).join(', ')}` });
  }
  return errors;
}

function searchExtraOf(vs: Array<{ sku: string; gtin?: string | null }>, externalRef?: string | null, brand?: string | null) {
  return [...vs.flatMap((v) => [v.sku, v.gtin ?? '']), externalRef?.split(':').pop() ?? '', brand ?? ''].filter(Boolean).join(' ');
}

async function uniqueHandle(tx: Executor, wanted: string): Promise<string> {
  const base = slugify(wanted);
  const rows = await tx.select({ handle: products.handle }).from(products).where(sql`${products.handle} = ${base} or ${products.handle} like ${`${base}-%`}`);
  const used = new Set(rows.map((r) => r.handle));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

// ---------------------------------------------------------------- products

async function loadProduct(tx: Executor, id: string) {
  const [p] = await tx.select(productColumns).from(products).where(eq(products.id, id));
  if (!p) throw notFound('product', id);
  const vs = await tx.select().from(variants).where(eq(variants.productId, id)).orderBy(asc(variants.position), asc(variants.id));
  const where = await tx.select({ channel: assortment.channel, storeId: assortment.storeId }).from(assortment).where(eq(assortment.productId, id)).orderBy(asc(assortment.channel), sql`${assortment.storeId} nulls first`);
  return { p, vs, where };
}

export async function getProduct(db: Executor, id: string, locale: Locale = 'en') {
  const { p, vs, where } = await loadProduct(db, id);
  return publicProduct(p, vs, where, locale);
}

async function productEvent(tx: Tx, ctx: RequestContext, type: 'product.created' | 'product.updated' | 'product.archived', product: PublicProduct) {
  await emit(tx, { type, aggregateType: 'product', aggregateId: product.id, actor: ctx.actor, data: { product } });
}

/** Inserts one product with its variants; the caller's transaction; no audit (see createProduct). */
export async function insertProduct(tx: Tx, input: ProductInput): Promise<PublicProduct> {
  if (!input.title.nl?.trim() && !input.title.en?.trim()) throw badRequest('A product needs a title in Dutch or English.', [{ field: '/title', message: 'give nl or en' }]);
  if (!input.variants.length) throw badRequest('A product needs at least one variant (its SKU).', [{ field: '/variants', message: 'at least one' }]);
  const errors = [...(await checkVariants(tx, input.variants, '/variants')), ...(await checkAttributes(tx, input.attributes ?? {}))];
  if (input.categoryId) {
    const [c] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.id, input.categoryId));
    if (!c) errors.push({ field: '/categoryId', message: `no category ${input.categoryId}` });
  }
  if (errors.length) {
    const taken = errors.some((e) => e.message.includes('belongs to product'));
    if (taken) throw new Problem({ status: 409, code: 'duplicate_code', title: 'Conflict', detail: 'A SKU or GTIN is in use by another product.', errors });
    throw badRequest('Some fields are not valid.', errors);
  }
  const id = newId('product');
  const handle = input.handle ? slugify(input.handle) : await uniqueHandle(tx, input.title.en || input.title.nl || id);
  const [p] = await tx
    .insert(products)
    .values({
      id,
      handle,
      status: input.status ?? 'draft',
      kind: input.kind ?? 'physical',
      titleNl: input.title.nl ?? null,
      titleEn: input.title.en ?? null,
      descriptionNl: input.description?.nl ?? null,
      descriptionEn: input.description?.en ?? null,
      categoryId: input.categoryId ?? null,
      taxClass: input.taxClass ?? 'standard',
      brand: input.brand ?? null,
      attributes: input.attributes ?? {},
      media: input.media ?? [],
      externalRef: input.externalRef ?? null,
      searchExtra: searchExtraOf(input.variants, input.externalRef, input.brand),
    })
    .onConflictDoNothing()
    .returning();
  if (!p) throw conflict(`The handle "${handle}" or external reference is in use by another product.`, 'duplicate_handle');
  const vs = await tx
    .insert(variants)
    .values(input.variants.map((v, i) => ({ id: newId('variant'), productId: id, sku: v.sku, gtin: v.gtin ?? null, gtinKey: v.gtin ? canonicalGtin(v.gtin)! : null, options: v.options ?? {}, status: v.status ?? 'active', position: i })))
    .returning();
  const where = input.assortment ?? CHANNELS.map((channel) => ({ channel, storeId: null }));
  if (where.length) await tx.insert(assortment).values(where.map((a) => ({ productId: id, channel: a.channel, storeId: a.storeId ?? null }))).onConflictDoNothing();
  return publicProduct(p, vs, where.map((a) => ({ channel: a.channel, storeId: a.storeId ?? null })));
}

export async function createProduct(db: Db, ctx: RequestContext, input: ProductInput) {
  return db.transaction(async (tx) => {
    const product = await insertProduct(tx, input);
    await recordAudit(tx, ctx, { action: 'product.create', resourceType: 'product', resourceId: product.id, after: product });
    await productEvent(tx, ctx, 'product.created', product);
    return product;
  });
}

export interface ProductPatch {
  handle?: string;
  status?: 'draft' | 'active' | 'archived';
  title?: Texts;
  description?: Texts;
  categoryId?: string | null;
  taxClass?: 'standard' | 'intermediate' | 'reduced' | 'zero';
  brand?: string | null;
  attributes?: Record<string, unknown>;
  media?: Array<{ url: string; alt?: string }>;
  /** Replaces the variants: matched by SKU (kept ids), new SKUs added, missing ones archived. */
  variants?: VariantInput[];
  assortment?: Array<{ channel: Channel; storeId?: string | null }>;
}

export async function updateProduct(db: Db, ctx: RequestContext, id: string, patch: ProductPatch, expected: number | undefined) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'product', id);
    const before = await loadProduct(tx, id);
    checkVersion('product', id, before.p.version, expected);
    const errors: FieldError[] = [];
    if (patch.attributes) errors.push(...(await checkAttributes(tx, patch.attributes)));
    if (patch.variants) errors.push(...(await checkVariants(tx, patch.variants, '/variants', id)));
    if (patch.categoryId) {
      const [c] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.id, patch.categoryId));
      if (!c) errors.push({ field: '/categoryId', message: `no category ${patch.categoryId}` });
    }
    const title = { nl: patch.title?.nl !== undefined ? patch.title.nl : before.p.titleNl, en: patch.title?.en !== undefined ? patch.title.en : before.p.titleEn };
    if (!title.nl?.trim() && !title.en?.trim()) errors.push({ field: '/title', message: 'keep a title in nl or en' });
    if (errors.length) {
      if (errors.some((e) => e.message.includes('belongs to product'))) throw new Problem({ status: 409, code: 'duplicate_code', title: 'Conflict', detail: 'A SKU or GTIN is in use by another product.', errors });
      throw badRequest('Some fields are not valid.', errors);
    }
    if (patch.variants) {
      const bySku = new Map(before.vs.map((v) => [v.sku.toUpperCase(), v]));
      const keep = new Set<string>();
      for (const [i, v] of patch.variants.entries()) {
        const existing = bySku.get(v.sku.toUpperCase());
        const values = { sku: v.sku, gtin: v.gtin ?? null, gtinKey: v.gtin ? canonicalGtin(v.gtin)! : null, options: v.options ?? {}, status: v.status ?? 'active', position: i, updatedAt: new Date() };
        if (existing) {
          keep.add(existing.id);
          await tx.update(variants).set({ ...values, version: sql`${variants.version} + 1` }).where(eq(variants.id, existing.id));
        } else {
          await tx.insert(variants).values({ id: newId('variant'), productId: id, ...values });
        }
      }
      // Variants are never deleted (orders and stock point at them): a missing SKU is archived.
      for (const v of before.vs) if (!keep.has(v.id) && v.status !== 'archived') await tx.update(variants).set({ status: 'archived', updatedAt: new Date() }).where(eq(variants.id, v.id));
    }
    if (patch.assortment) {
      await tx.delete(assortment).where(eq(assortment.productId, id));
      if (patch.assortment.length) await tx.insert(assortment).values(patch.assortment.map((a) => ({ productId: id, channel: a.channel, storeId: a.storeId ?? null }))).onConflictDoNothing();
    }
    const vsNow = patch.variants ? await tx.select().from(variants).where(eq(variants.productId, id)) : before.vs;
    await tx
      .update(products)
      .set({
        ...(patch.handle !== undefined && { handle: slugify(patch.handle) }),
        ...(patch.status !== undefined && { status: patch.status }),
        titleNl: title.nl ?? null,
        titleEn: title.en ?? null,
        ...(patch.description?.nl !== undefined && { descriptionNl: patch.description.nl }),
        ...(patch.description?.en !== undefined && { descriptionEn: patch.description.en }),
        ...(patch.categoryId !== undefined && { categoryId: patch.categoryId }),
        ...(patch.taxClass !== undefined && { taxClass: patch.taxClass }),
        ...(patch.brand !== undefined && { brand: patch.brand }),
        ...(patch.attributes !== undefined && { attributes: patch.attributes }),
        ...(patch.media !== undefined && { media: patch.media }),
        searchExtra: searchExtraOf(vsNow, before.p.externalRef, patch.brand !== undefined ? patch.brand : before.p.brand),
        updatedAt: new Date(),
        version: before.p.version + 1,
      })
      .where(eq(products.id, id));
    const after = await loadProduct(tx, id);
    const beforePublic = publicProduct(before.p, before.vs, before.where);
    const afterPublic = publicProduct(after.p, after.vs, after.where);
    await recordAudit(tx, ctx, { action: 'product.update', resourceType: 'product', resourceId: id, before: beforePublic, after: afterPublic });
    await productEvent(tx, ctx, after.p.status === 'archived' && before.p.status !== 'archived' ? 'product.archived' : 'product.updated', afterPublic);
    return afterPublic;
  });
}

// ---------------------------------------------------------------- barcode lookup

/** One indexed query: the variant a scanner's code belongs to. */
export async function lookupBarcode(db: Executor, code: string, locale: Locale = 'en') {
  const problem = gtinProblem(code.trim());
  if (problem) {
    throw new Problem({ status: 422, code: 'invalid_barcode', title: 'Not a valid barcode', detail: `${code} is not a GTIN: ${describeGtinProblem(problem)}.`, errors: [{ field: '/code', message: describeGtinProblem(problem) }] });
  }
  const [row] = await db
    .select({ v: variants, p: products })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(eq(variants.gtinKey, canonicalGtin(code)!));
  if (!row) throw new Problem({ status: 404, code: 'not_found', title: 'Not found', detail: `No product carries barcode ${code}.` });
  const title = { nl: row.p.titleNl, en: row.p.titleEn };
  return {
    variant: publicVariant(row.v),
    product: { id: row.p.id, handle: row.p.handle, status: row.p.status, displayTitle: pick(title, locale) ?? row.p.handle, title, taxClass: row.p.taxClass, kind: row.p.kind },
  };
}

/** A variant by id with its product's essentials: what lists of stock, orders and prices show. */
export async function getVariant(db: Executor, id: string, locale: Locale = 'en') {
  const [row] = await db.select({ v: variants, p: products }).from(variants).innerJoin(products, eq(products.id, variants.productId)).where(eq(variants.id, id));
  if (!row) throw notFound('variant', id);
  const title = { nl: row.p.titleNl, en: row.p.titleEn };
  return {
    variant: publicVariant(row.v),
    product: { id: row.p.id, handle: row.p.handle, status: row.p.status, displayTitle: pick(title, locale) ?? row.p.handle, title, taxClass: row.p.taxClass, kind: row.p.kind },
  };
}

// ---------------------------------------------------------------- listing and search

export interface ProductQuery {
  q?: string;
  /** The catalog's words, for typo tolerance in `q`. */
  words: CatalogWords;
  categoryId?: string;
  status?: 'draft' | 'active' | 'archived';
  channel?: Channel;
  storeId?: string;
  kind?: 'physical' | 'service';
  sort?: 'relevance' | 'newest' | 'title';
  locale?: Locale;
  /** Only products with at least one of these variants (e.g. those in a price range). */
  variantIds?: string[];
  /** Also count the whole result and its facets (one more query). */
  facets?: boolean;
  /**
   * One more value per product of the page, read in the same statement (e.g. its candidate prices),
   * from an SQL expression of the product's variant ids (text[]). Handed back in `also`, in the
   * order of `data`.
   */
  also?: (variantIds: SQL) => SQL<unknown>;
  /**
   * For the storefront view: leaves out of the statement what shoppers are not shown (where each
   * product is sold, the variants' product id and version), so `assortment` comes back empty and
   * the variants without those two fields.
   */
  forShoppers?: boolean;
  limit: number;
  cursor?: string;
}

function decodeOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {}
  throw badRequest('The cursor is not one this API handed out; pass `nextCursor` from the previous page unchanged.', [{ field: '/cursor', message: 'not a valid cursor' }]);
}

/** All categories below (and including) one, for "products in Kitchen" to include "Kitchen › Mugs". */
async function categoryAndDescendants(db: Executor, id: string): Promise<string[]> {
  const r = await db.execute<{ id: string }>(sql`with recursive tree(id) as (select id from categories where id = ${id} union all select c.id from categories c join tree t on c.parent_id = t.id) select id from tree`);
  return r.rows.map((x) => x.id);
}

/**
 * The search queries for what a shopper typed (catalog_search_query, migration 0027): `exact` is the
 * text as typed, stemmed in English and Dutch and as-is for codes (SKU, GTIN); `full` adds typo
 * tolerance. Each typed word is looked up in the catalog's own words (words.ts: every word of every
 * title, held in memory with a trigram index); close words ("chrismas" → "christmas", "lantarn" →
 * "lantern") join that word's part of the query, and every typed word must still match, exactly or
 * closely. Without any close word there is no `full`. The words go in as parameters, so the
 * statement's text does not depend on them.
 */
async function searchQueries(db: Executor, words: CatalogWords, text: string): Promise<{ exact: SQL; full?: SQL }> {
  // "-word" leaves a word out. It is applied to the query as a whole, in every language: each
  // language's own reading of "lantern -white" would let the other languages' forms through.
  const without: string[] = [];
  const positive = text.replace(/(^|\s)-([\p{L}\p{N}]+)/gu, (_, space: string, w: string) => (without.push(w.toLowerCase()), space)).trim();
  const exact = sql`catalog_search_query(${positive}, ${sql.param(without)}::text[], '{}', '{}')`;
  // Quotes (a phrase) and "or" (either) mean what web search engines make of them; close words
  // would undo that, so such a search is matched exactly.
  if (/"|(^|\s)or(\s|$)/i.test(positive)) return { exact };
  const typed = [...new Set(positive.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3 && w.length <= 40))].slice(0, 8);
  if (!typed.length) return { exact };
  const close = await words.close(db, typed);
  if (![...close.values()].some((alts) => alts.length)) return { exact };
  // Catalog words are letters and digits only, so they are safe as to_tsquery terms.
  const alternatives = typed.map((w) => (close.get(w) ?? []).join(' | '));
  return { exact, full: sql`catalog_search_query(${positive}, ${sql.param(without)}::text[], ${sql.param(typed)}::text[], ${sql.param(alternatives)}::text[])` };
}

// Spelled out with the table's name: drizzle writes a column of the only table queried without it,
// and a bare "id" inside these subqueries would be the variant's own.
const outerProductId = sql.raw('"products"."id"');
/** A product's variants in their public shape (publicVariant), in order, as one JSON value. */
const variantsOfProduct = sql<PublicVariant[]>`(select coalesce(json_agg(json_build_object('id', v.id, 'productId', v.product_id, 'sku', v.sku, 'gtin', v.gtin, 'options', v.options,
    'status', v.status, 'position', v.position, 'version', v.version) order by v.position, v.id), '[]') from variants v where v.product_id = ${outerProductId})`;
/** The same for the storefront view: without the product id and version. */
const shopVariantsOfProduct = sql<PublicVariant[]>`(select coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'gtin', v.gtin, 'options', v.options,
    'status', v.status, 'position', v.position) order by v.position, v.id), '[]') from variants v where v.product_id = ${outerProductId})`;
/** A product's variant ids (text[]), for what `also` reads per product. */
const variantIdsOfProduct = sql`array(select v.id from variants v where v.product_id = ${outerProductId})`;
/** Where a product is sold, as one JSON value. */
const assortmentOfProduct = sql<Array<{ channel: string; storeId: string | null }>>`(select coalesce(json_agg(json_build_object('channel', a.channel, 'storeId', a.store_id) order by a.channel, a.store_id nulls first), '[]')
    from assortment a where a.product_id = ${outerProductId})`;

export async function searchProducts(db: Executor, q: ProductQuery) {
  const locale = q.locale ?? 'en';
  const where: SQL[] = [];
  const text = q.q?.trim();
  let rank: SQL | undefined;
  if (text) {
    const { exact, full } = await searchQueries(db, q.words, text);
    // One GIN index scan over both languages and codes; exact matches rank above close ones. Each
    // query is a one-row subquery, worked out once per statement: written out as constants, the
    // planner sums the chances of every alternative word (a word appears once per language and once
    // per close word) and, expecting half the catalog to match, reads every product instead of
    // the index (measured: 6.6 ms instead of 2.5 ms for "heart").
    where.push(sql`${products.search} @@ (select ${full ?? exact})`);
    rank = full ? sql`(2 * ts_rank(${products.search}, (select ${exact})) + ts_rank(${products.search}, (select ${full})))` : sql`ts_rank(${products.search}, (select ${exact}))`;
  }
  if (q.status) where.push(eq(products.status, q.status));
  if (q.kind) where.push(eq(products.kind, q.kind));
  if (q.variantIds) {
    where.push(sql`exists (select 1 from variants v where v.product_id = ${products.id} and ${anyOf(sql`v.id`, q.variantIds)})`);
  }
  if (q.categoryId) where.push(anyOf(products.categoryId, await categoryAndDescendants(db, q.categoryId)));
  if (q.channel) {
    // Checked per candidate product with the assortment's own index ("offset 0" keeps PostgreSQL
    // from turning it into a join that reads the whole channel's assortment for every page).
    where.push(
      sql`exists (select 1 from assortment a where a.product_id = ${products.id} and a.channel = ${q.channel} and coalesce(a.store_id, '') in ('', ${q.storeId ?? ''}) offset 0)`,
    );
  }
  const condition = where.length ? and(...where) : undefined;
  const sort = q.sort ?? (text ? 'relevance' : 'newest');
  const order =
    sort === 'relevance' && rank ? [desc(rank), desc(products.id)] : sort === 'title' ? [asc(sql`coalesce(${locale === 'nl' ? products.titleNl : products.titleEn}, ${locale === 'nl' ? products.titleEn : products.titleNl})`), asc(products.id)] : [desc(products.id)];
  const offset = decodeOffset(q.cursor);
  // One statement for the page: its variants (already in their public shape) and where each product
  // is sold come along per row. PostgreSQL works them out after the sort and limit, for the page's
  // rows only.
  const pageQuery = db
    .select({
      ...productColumns,
      pageVariants: q.forShoppers ? shopVariantsOfProduct : variantsOfProduct,
      pageAssortment: q.forShoppers ? sql<Array<{ channel: string; storeId: string | null }>>`'[]'::json` : assortmentOfProduct,
      pageAlso: q.also ? q.also(variantIdsOfProduct) : sql<unknown>`null`,
    })
    .from(products)
    .where(condition)
    .orderBy(...order)
    .limit(q.limit + 1)
    .offset(offset);
  // Every search and list with the same filters has the same statement text: kept prepared.
  const rows = await pageQuery.prepare(statementName(pageQuery.toSQL().sql)).execute();
  const hasMore = rows.length > q.limit;
  const page = hasMore ? rows.slice(0, q.limit) : rows;
  // Facets over the whole result, not just this page, when asked for.
  let total: number | null = null;
  let facets: { categories: Array<{ categoryId: string | null; count: number }>; status: Array<{ status: string; count: number }> } | null = null;
  if (q.facets) {
    const facetRows = await db
      .select({ categoryId: products.categoryId, status: products.status, n: sql<number>`count(*)::int` })
      .from(products)
      .where(condition)
      .groupBy(products.categoryId, products.status);
    const byCategory = new Map<string | null, number>();
    const byStatus = new Map<string, number>();
    total = 0;
    for (const r of facetRows) {
      byCategory.set(r.categoryId, (byCategory.get(r.categoryId) ?? 0) + r.n);
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + r.n);
      total += r.n;
    }
    facets = {
      categories: [...byCategory.entries()].map(([categoryId, count]) => ({ categoryId, count })).sort((a, b) => b.count - a.count),
      status: [...byStatus.entries()].map(([status, count]) => ({ status, count })),
    };
  }
  return {
    data: page.map(({ pageVariants, pageAssortment, pageAlso: _also, ...p }) => productAnswer(p, pageVariants, pageAssortment, locale)),
    /** What `also` read per product (not part of the API answer). */
    also: page.map((p) => p.pageAlso),
    hasMore,
    nextCursor: hasMore ? Buffer.from(JSON.stringify({ o: offset + q.limit })).toString('base64url') : null,
    total,
    facets,
  };
}

// ---------------------------------------------------------------- categories

export async function listCategories(db: Executor, locale: Locale = 'en') {
  const rows = await db.select().from(categories).orderBy(asc(categories.position), asc(categories.slug));
  return rows.map((c) => publicCategory(c, locale));
}

export async function getCategory(db: Executor, id: string, locale: Locale = 'en') {
  const [c] = await db.select().from(categories).where(eq(categories.id, id));
  if (!c) throw notFound('category', id);
  return publicCategory(c, locale);
}

export async function createCategory(db: Db, ctx: RequestContext, input: { slug?: string; name: Texts; parentId?: string | null; position?: number }) {
  if (!input.name.nl?.trim() && !input.name.en?.trim()) throw badRequest('A category needs a name in Dutch or English.', [{ field: '/name', message: 'give nl or en' }]);
  const slug = slugify(input.slug ?? input.name.en ?? input.name.nl ?? '');
  return db.transaction(async (tx) => {
    if (input.parentId) {
      const [parent] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.id, input.parentId));
      if (!parent) throw badRequest(`No parent category ${input.parentId}.`, [{ field: '/parentId', message: 'no such category' }]);
    }
    const [c] = await tx
      .insert(categories)
      .values({ id: newId('category'), slug, nameNl: input.name.nl ?? null, nameEn: input.name.en ?? null, parentId: input.parentId ?? null, position: input.position ?? 0 })
      .onConflictDoNothing()
      .returning();
    if (!c) throw conflict(`A category with slug "${slug}" exists already.`, 'slug_taken');
    await recordAudit(tx, ctx, { action: 'category.create', resourceType: 'category', resourceId: c.id, after: publicCategory(c) });
    await emit(tx, { type: 'category.created', aggregateType: 'category', aggregateId: c.id, actor: ctx.actor, data: { category: publicCategory(c) } });
    return publicCategory(c);
  });
}

export async function updateCategory(db: Db, ctx: RequestContext, id: string, patch: { name?: Texts; parentId?: string | null; position?: number; slug?: string }, expected: number | undefined) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'category', id);
    const [before] = await tx.select().from(categories).where(eq(categories.id, id));
    if (!before) throw notFound('category', id);
    checkVersion('category', id, before.version, expected);
    if (patch.parentId) {
      // Moving a category under itself or its own descendant would make a loop.
      const below = await categoryAndDescendants(tx, id);
      if (below.includes(patch.parentId)) throw badRequest('A category cannot move under itself or one of its subcategories.', [{ field: '/parentId', message: 'would create a loop' }]);
      const [parent] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.id, patch.parentId));
      if (!parent) throw badRequest(`No parent category ${patch.parentId}.`, [{ field: '/parentId', message: 'no such category' }]);
    }
    const [after] = await tx
      .update(categories)
      .set({
        ...(patch.name?.nl !== undefined && { nameNl: patch.name.nl }),
        ...(patch.name?.en !== undefined && { nameEn: patch.name.en }),
        ...(patch.parentId !== undefined && { parentId: patch.parentId }),
        ...(patch.position !== undefined && { position: patch.position }),
        ...(patch.slug !== undefined && { slug: slugify(patch.slug) }),
        updatedAt: new Date(),
        version: before.version + 1,
      })
      .where(eq(categories.id, id))
      .returning()
      .catch((err: unknown) => {
        throw sqlState(err) === '23505' ? conflict(`A category with slug "${slugify(patch.slug ?? '')}" exists already.`, 'slug_taken') : err;
      });
    await recordAudit(tx, ctx, { action: 'category.update', resourceType: 'category', resourceId: id, before: publicCategory(before), after: publicCategory(after) });
    await emit(tx, { type: 'category.updated', aggregateType: 'category', aggregateId: id, actor: ctx.actor, data: { category: publicCategory(after) } });
    return publicCategory(after);
  });
}

export async function deleteCategory(db: Db, ctx: RequestContext, id: string) {
  await db.transaction(async (tx) => {
    await lockAggregate(tx, 'category', id);
    const [before] = await tx.select().from(categories).where(eq(categories.id, id));
    if (!before) throw notFound('category', id);
    const [{ children }] = await tx.select({ children: sql<number>`count(*)::int` }).from(categories).where(eq(categories.parentId, id));
    const [{ used }] = await tx.select({ used: sql<number>`count(*)::int` }).from(products).where(eq(products.categoryId, id));
    if (children || used) throw conflict(`Category ${before.slug} still has ${children} subcategories and ${used} products; move them first.`, 'category_in_use');
    await tx.delete(categories).where(eq(categories.id, id));
    await recordAudit(tx, ctx, { action: 'category.delete', resourceType: 'category', resourceId: id, before: publicCategory(before) });
    await emit(tx, { type: 'category.deleted', aggregateType: 'category', aggregateId: id, actor: ctx.actor, data: { category: publicCategory(before) } });
  });
}

// ---------------------------------------------------------------- attributes

export async function defineAttribute(db: Db, ctx: RequestContext, input: { code: string; type: 'text' | 'number' | 'boolean' | 'enum'; label?: Texts; options?: string[]; filterable?: boolean }) {
  if (input.type === 'enum' && !input.options?.length) throw badRequest('An enum attribute needs its options.', [{ field: '/options', message: 'at least one' }]);
  return db.transaction(async (tx) => {
    const [a] = await tx
      .insert(attributeDefinitions)
      .values({ code: input.code, type: input.type, labelNl: input.label?.nl ?? null, labelEn: input.label?.en ?? null, options: input.options ?? null, filterable: input.filterable ?? false })
      .onConflictDoNothing()
      .returning();
    if (!a) throw conflict(`Attribute ${input.code} exists already.`, 'attribute_exists');
    await recordAudit(tx, ctx, { action: 'attribute.create', resourceType: 'attribute', resourceId: a.code, after: a });
    await emit(tx, { type: 'attribute.created', aggregateType: 'attribute', aggregateId: a.code, actor: ctx.actor, data: { attribute: { ...a, createdAt: a.createdAt.toISOString() } } });
    return a;
  });
}

export async function listAttributes(db: Executor) {
  return db.select().from(attributeDefinitions).orderBy(asc(attributeDefinitions.code));
}


/** Variant ids for SKUs (case-insensitive); for other modules that take SKUs from people or files. */
export async function variantIdsBySku(db: Executor, skus: string[]): Promise<Map<string, string>> {
  if (!skus.length) return new Map();
  const rows = await db.select({ id: variants.id, sku: variants.sku }).from(variants).where(inArray(sql`upper(${variants.sku})`, skus.map((s) => s.toUpperCase())));
  return new Map(rows.map((r) => [r.sku.toUpperCase(), r.id]));
}

/** The variant of an id or SKU, with what pricing needs to know about its product. */
export async function findVariant(db: Executor, key: { variantId?: string; sku?: string }) {
  const [row] = await db
    .select({ id: variants.id, sku: variants.sku, productId: variants.productId, taxClass: products.taxClass, status: products.status })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(key.variantId ? eq(variants.id, key.variantId) : sql`upper(${variants.sku}) = ${(key.sku ?? '').toUpperCase()}`);
  return row;
}

// ---------------------------------------------------------------- bulk upsert (imports)

export interface BulkProduct {
  externalRef: string;
  handle: string;
  status: 'draft' | 'active' | 'archived';
  kind: 'physical' | 'service';
  title: Texts;
  description?: Texts;
  categoryId: string | null;
  taxClass: 'standard' | 'intermediate' | 'reduced' | 'zero';
  variants: Array<{ sku: string; gtin?: string | null; options?: Record<string, string> }>;
}

/**
 * Creates or updates many products at once, matched by externalRef (so an import can run again),
 * with their variants matched by SKU. One event per product; the caller writes the audit entry.
 * Variants whose SKU belongs to another product are skipped and returned.
 */
export async function upsertProductsBulk(tx: Tx, ctx: RequestContext, items: BulkProduct[]): Promise<{ created: number; updated: number; skippedSkus: Array<{ sku: string; reason: string }> }> {
  if (!items.length) return { created: 0, updated: 0, skippedSkus: [] };
  const existing = await tx.select({ id: products.id, externalRef: products.externalRef, handle: products.handle }).from(products).where(inArray(products.externalRef, items.map((i) => i.externalRef)));
  const byRef = new Map(existing.map((e) => [e.externalRef!, e]));
  const takenHandles = new Set(
    (await tx.select({ handle: products.handle }).from(products).where(inArray(products.handle, items.map((i) => slugify(i.handle))))).map((r) => r.handle),
  );
  const rows = items.map((i) => {
    const found = byRef.get(i.externalRef);
    let handle = found?.handle ?? slugify(i.handle);
    if (!found) {
      for (let n = 2; takenHandles.has(handle); n++) handle = `${slugify(i.handle)}-${n}`;
      takenHandles.add(handle);
    }
    return {
      id: found?.id ?? newId('product'),
      handle,
      status: i.status,
      kind: i.kind,
      titleNl: i.title.nl ?? null,
      titleEn: i.title.en ?? null,
      descriptionNl: i.description?.nl ?? null,
      descriptionEn: i.description?.en ?? null,
      categoryId: i.categoryId,
      taxClass: i.taxClass,
      externalRef: i.externalRef,
      searchExtra: searchExtraOf(i.variants, i.externalRef, null),
      updatedAt: new Date(),
    };
  });
  await tx
    .insert(products)
    .values(rows)
    .onConflictDoUpdate({
      target: products.id,
      set: {
        status: sql`excluded.status`,
        kind: sql`excluded.kind`,
        titleNl: sql`excluded.title_nl`,
        titleEn: sql`excluded.title_en`,
        descriptionNl: sql`coalesce(excluded.description_nl, ${products.descriptionNl})`,
        descriptionEn: sql`coalesce(excluded.description_en, ${products.descriptionEn})`,
        categoryId: sql`excluded.category_id`,
        taxClass: sql`excluded.tax_class`,
        searchExtra: sql`excluded.search_extra`,
        updatedAt: sql`excluded.updated_at`,
        version: sql`${products.version} + 1`,
      },
    });
  const idByRef = new Map(rows.map((r) => [r.externalRef, r.id]));
  const wantedVariants = items.flatMap((i) => i.variants.map((v, position) => ({ productId: idByRef.get(i.externalRef)!, position, ...v })));
  const owners = await tx.select({ sku: variants.sku, productId: variants.productId }).from(variants).where(inArray(sql`upper(${variants.sku})`, wantedVariants.map((v) => v.sku.toUpperCase())));
  const ownerOf = new Map(owners.map((o) => [o.sku.toUpperCase(), o.productId]));
  const skippedSkus: Array<{ sku: string; reason: string }> = [];
  const toInsert = [];
  for (const v of wantedVariants) {
    const owner = ownerOf.get(v.sku.toUpperCase());
    if (owner && owner !== v.productId) skippedSkus.push({ sku: v.sku, reason: `SKU belongs to product ${owner}` });
    else if (!owner) {
      const gtinOk = v.gtin ? !gtinProblem(v.gtin) : true;
      if (!gtinOk) skippedSkus.push({ sku: v.sku, reason: `GTIN ${v.gtin} left out: ${describeGtinProblem(gtinProblem(v.gtin!)!)}` });
      toInsert.push({ id: newId('variant'), productId: v.productId, sku: v.sku, gtin: gtinOk ? (v.gtin ?? null) : null, gtinKey: gtinOk && v.gtin ? canonicalGtin(v.gtin)! : null, options: v.options ?? {}, position: v.position });
    }
  }
  if (toInsert.length) await tx.insert(variants).values(toInsert).onConflictDoNothing();
  const newIds = rows.filter((r) => !byRef.has(r.externalRef)).map((r) => r.id);
  if (newIds.length) await tx.insert(assortment).values(newIds.flatMap((productId) => CHANNELS.map((channel) => ({ productId, channel, storeId: null })))).onConflictDoNothing();
  await emit(
    tx,
    ...rows.map((r) => ({
      type: byRef.has(r.externalRef) ? ('product.updated' as const) : ('product.created' as const),
      aggregateType: 'product',
      aggregateId: r.id,
      actor: ctx.actor,
      data: { product: { id: r.id, handle: r.handle, status: r.status, kind: r.kind, title: { nl: r.titleNl, en: r.titleEn }, categoryId: r.categoryId, externalRef: r.externalRef }, source: 'import' as const },
    })),
  );
  return { created: newIds.length, updated: rows.length - newIds.length, skippedSkus };
}

/** Finds or creates categories by slug (imports name them); returns slug → id. */
export async function ensureCategories(tx: Tx, wanted: Array<{ slug: string; name: Texts }>): Promise<Map<string, string>> {
  const slugs = [...new Set(wanted.map((w) => slugify(w.slug)))];
  if (!slugs.length) return new Map();
  const values = slugs.map((slug, i) => {
    const w = wanted.find((x) => slugify(x.slug) === slug)!;
    return { id: newId('category'), slug, nameNl: w.name.nl ?? null, nameEn: w.name.en ?? null, position: i };
  });
  const inserted = await tx.insert(categories).values(values).onConflictDoNothing().returning();
  for (const c of inserted) await emit(tx, { type: 'category.created', aggregateType: 'category', aggregateId: c.id, data: { category: publicCategory(c) } });
  const rows = await tx.select({ id: categories.id, slug: categories.slug }).from(categories).where(inArray(categories.slug, slugs));
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/** What pricing a cart needs per line, in the order asked (undefined where nothing matches). */
export async function variantsForPricing(db: Executor, keys: Array<{ sku?: string; variantId?: string }>) {
  const ids = keys.filter((k) => k.variantId).map((k) => k.variantId!);
  const skus = keys.filter((k) => !k.variantId && k.sku).map((k) => k.sku!.toUpperCase());
  if (!ids.length && !skus.length) return keys.map(() => undefined);
  const rows = await db
    .select({ id: variants.id, sku: variants.sku, productId: variants.productId, categoryId: products.categoryId, taxClass: products.taxClass, status: products.status })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(or(ids.length ? inArray(variants.id, ids) : sql`false`, skus.length ? inArray(sql`upper(${variants.sku})`, skus) : sql`false`));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bySku = new Map(rows.map((r) => [r.sku.toUpperCase(), r]));
  return keys.map((k) => (k.variantId ? byId.get(k.variantId) : k.sku ? bySku.get(k.sku.toUpperCase()) : undefined));
}

/** The product titles (nl, en) of these variants, for documents such as receipts. */
export async function variantTitles(db: Executor, variantIds: string[]): Promise<Array<{ id: string; nl: string | null; en: string | null }>> {
  if (!variantIds.length) return [];
  return db.select({ id: variants.id, nl: products.titleNl, en: products.titleEn }).from(variants).innerJoin(products, eq(products.id, variants.productId)).where(anyOf(variants.id, variantIds));
}

/** Each category with all its ancestors (for promotions that target a parent category). */
export async function categoryPaths(db: Executor, ids: string[]): Promise<Map<string, string[]>> {
  if (!ids.length) return new Map();
  const r = await db.execute<{ start: string; id: string }>(sql`
    with recursive up(start, id, parent_id) as (
      select id, id, parent_id from categories where id in ${ids}
      union all
      select up.start, c.id, c.parent_id from categories c join up on c.id = up.parent_id)
    select start, id from up`);
  const out = new Map<string, string[]>();
  for (const row of r.rows) out.set(row.start, [...(out.get(row.start) ?? []), row.id]);
  return out;
}

/**
 * A page of every variant (after `after`, in id order) with its product's fields as the product
 * export writes them: for `winkel export` and GET /v1/exports/products.
 */
export async function variantExportPage(db: Executor, after: string, limit: number) {
  const r = await db.execute<Record<string, string | number | null>>(sql`
    select p.handle, v.sku, v.gtin, p.status, p.kind, p.title_en, p.title_nl, p.description_en, p.description_nl,
           c.slug as category, p.tax_class, v.options, v.id as variant_id
    from variants v join products p on p.id = v.product_id left join categories c on c.id = p.category_id
    where v.id > ${after} order by v.id limit ${limit}`);
  return r.rows;
}
