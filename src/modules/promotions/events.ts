// The events of promotions; see docs/pricing.md, Promotions.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const PROMOTION_EVENTS = {
  'promotion.created': 'a promotion was created',
  'promotion.updated': 'a promotion was changed',
  'promotion.redeemed': 'a promotion (or coupon) was used by a placed order (`customerId` set when known)',
  'promotion.redemption_reversed': 'a redemption was given back, e.g. because the order was cancelled',
} as const satisfies EventCatalogue;
