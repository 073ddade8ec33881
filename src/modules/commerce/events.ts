// The events of orders and their payment ledger; `customerId` is set when the order has a
// customer. See docs/commerce.md.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const COMMERCE_EVENTS = {
  'order.placed': 'an order was placed at checkout',
  'order.handed_over': 'the goods of a till, kiosk or scan & go sale were carried out at the counter (lines fulfilled, sold in the stock ledger)',
  'order.line_cancelled': 'an order line was cancelled before it was fulfilled; the rest was priced again',
  'order.pickup_store_changed': 'pickup lines were moved to another store',
  'order.note_added': 'staff added a note to an order',
  'order.completed': 'every line of an order was fulfilled or cancelled, at least one fulfilled',
  'order.cancelled': 'every line of an order was cancelled',
  'payment.captured': 'authorised money was captured (at the sale for cash and the card terminal, as goods leave for online payments)',
  'payment.voided': 'authorised money was released without being captured',
  'payment.settled': 'a pending authorisation succeeded (the provider said so)',
  'payment.failed': 'a pending authorisation failed (the provider said so)',
  'payment.expired': 'an authorisation lapsed before all of it was captured (recorded as a void of what was left)',
  'payment.reauthorised': 'a lapsed authorisation was renewed at the provider for what is still to capture',
  'payment.attention_required': 'money still to capture could not be authorised again: the order needs attention (cancel it, or take the payment at the counter)',
  'refund.issued': 'money was given back to the order’s tenders',
} as const satisfies EventCatalogue;
