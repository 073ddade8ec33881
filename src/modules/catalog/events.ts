// The events of the catalog; see docs/catalog.md.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const CATALOG_EVENTS = {
  'product.created': 'a product was created, by hand or by an import (`data.product` with its variants)',
  'product.updated': 'a product, its variants or where it is sold changed',
  'product.archived': 'a product was archived (no longer sold)',
  'category.created': 'a category was created',
  'category.updated': 'a category was renamed, moved or reordered',
  'category.deleted': 'an empty category was deleted',
  'attribute.created': 'a product attribute was defined',
} as const satisfies EventCatalogue;
