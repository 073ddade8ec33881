// The events of returns; `customerId` is set when the order has a customer. See docs/commerce.md,
// Returns.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const RETURN_EVENTS = {
  'return.requested': 'a return was authorised (an RMA), or taken directly at a store',
  'return.received': 'returned goods were received and inspected',
  'return.refunded': 'a received return was refunded (`data.refund`: how much and over which tenders)',
  'return.cancelled': 'a return was cancelled before it was received',
} as const satisfies EventCatalogue;
