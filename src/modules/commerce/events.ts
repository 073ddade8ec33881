// The events of orders and their payment ledger; `customerId` is set when the order has a
// customer. See docs/commerce.md.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const COMMERCE_EVENTS = {
  'order.placed': 'an order was placed at checkout',
  'order.line_cancelled': 'an order line was cancelled before it was fulfilled; the rest was priced again',
  'order.pickup_store_changed': 'pickup lines were moved to another store',
  'order.note_added': 'staff added a note to an order',
  'order.completed': 'every line of an order was fulfilled or cancelled, at least one fulfilled',
  'order.cancelled': 'every line of an order was cancelled',
  'payment.captured': 'authorised money was captured',
  'payment.voided': 'authorised money was released without being captured',
  'payment.settled': 'a pending authorisation succeeded (the provider said so)',
  'payment.failed': 'a pending authorisation failed (the provider said so)',
  'refund.issued': 'money was given back to the order’s tenders',
} as const satisfies EventCatalogue;
