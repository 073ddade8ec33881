// The events of price lists; see docs/pricing.md.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const PRICING_EVENTS = {
  'price_list.created': 'a price list was created',
  'price_list.updated': 'a price list’s scope, window, priority or status changed',
  'price.changed': 'prices in a list were set (added or replaced)',
  'price.removed': 'a price was removed from a list',
} as const satisfies EventCatalogue;
