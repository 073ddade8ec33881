// The events of the catalog; see docs/catalog.md.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Moment, Nullable, OneOf, OpenObject } from '../../platform/events/payloads.js';

/** A text in each of the shop's languages; null where it has none. */
const Texts = Type.Object({ nl: Nullable(Type.String()), en: Nullable(Type.String()) });
const ProductStatus = OneOf(['draft', 'active', 'archived']);
const ProductKind = OneOf(['physical', 'service']);

const Variant = Type.Object({
  id: Id('var_…'),
  productId: Id('prd_…'),
  sku: Type.String(),
  gtin: Nullable(Type.String()),
  options: Type.Record(Type.String(), Type.String(), { description: 'e.g. { "size": "M", "colour": "blue" }' }),
  status: OneOf(['active', 'archived']),
  position: Type.Integer(),
  version: Type.Integer(),
});

/** A product as GET /v1/products/{id} shows it (titles in English for `displayTitle`). */
const Product = Type.Object({
  id: Id('prd_…'),
  handle: Type.String(),
  status: ProductStatus,
  kind: ProductKind,
  title: Texts,
  description: Texts,
  displayTitle: Type.String(),
  displayDescription: Nullable(Type.String()),
  categoryId: Nullable(Id('cat_…')),
  taxClass: OneOf(['standard', 'intermediate', 'reduced', 'zero']),
  brand: Nullable(Type.String()),
  attributes: OpenObject('Attribute values by attribute code.'),
  media: Type.Array(Type.Object({ url: Type.String(), alt: Type.Optional(Type.String()) })),
  externalRef: Nullable(Type.String()),
  variants: Type.Array(Variant),
  assortment: Type.Array(Type.Object({ channel: Type.String({ description: 'web, app, pos, kiosk or scan_go' }), storeId: Nullable(Id('loc_…')) }), { description: 'Where it is sold; storeId null: every store.' }),
  createdAt: Moment,
  updatedAt: Moment,
  version: Type.Integer(),
});

/** What an import says of each product it created or changed (no variants; read the product for those). */
const ImportedProduct = Type.Object({
  id: Id('prd_…'),
  handle: Type.String(),
  status: ProductStatus,
  kind: ProductKind,
  title: Texts,
  categoryId: Nullable(Id('cat_…')),
  externalRef: Nullable(Type.String()),
});

const ProductPayload = Type.Union([
  Type.Object({ product: Product }),
  Type.Object({ product: ImportedProduct, source: Type.Literal('import', { description: 'Written by an import job: a short form of the product.' }) }),
]);

const Category = Type.Object({
  id: Id('cat_…'),
  parentId: Nullable(Id('cat_…')),
  slug: Type.String(),
  name: Texts,
  displayName: Type.String(),
  position: Type.Integer(),
  version: Type.Integer(),
});
const CategoryPayload = Type.Object({ category: Category });

const Attribute = Type.Object({
  code: Type.String(),
  type: OneOf(['text', 'number', 'boolean', 'enum']),
  labelNl: Nullable(Type.String()),
  labelEn: Nullable(Type.String()),
  options: Nullable(Type.Array(Type.String())),
  filterable: Type.Boolean(),
  createdAt: Moment,
});

export const CATALOG_EVENTS = {
  'product.created': defineEvent('a product was created, by hand or by an import (`data.product` with its variants)', ProductPayload),
  'product.updated': defineEvent('a product, its variants or where it is sold changed', ProductPayload),
  'product.archived': defineEvent('a product was archived (no longer sold)', Type.Object({ product: Product })),
  'category.created': defineEvent('a category was created', CategoryPayload),
  'category.updated': defineEvent('a category was renamed, moved or reordered', CategoryPayload),
  'category.deleted': defineEvent('an empty category was deleted', CategoryPayload),
  'attribute.created': defineEvent('a product attribute was defined', Type.Object({ attribute: Attribute })),
} as const satisfies EventCatalogue;
