// The events of returns; `customerId` is set when the order has a customer. See docs/commerce.md,
// Returns.
import Type, { type TProperties } from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Id, Nullable, OneOf, Quantity } from '../../platform/events/payloads.js';

/** Every return event names the return, its order and how the goods come back. */
const ofReturn = (props: TProperties) =>
  Type.Object({
    returnId: Id('ret_…'),
    orderId: Id('ord_…'),
    method: OneOf(['in_store', 'mail'], 'How the goods come back.'),
    ...props,
  });
const Reason = OneOf(['changed_mind', 'wrong_size', 'defective', 'not_as_described', 'arrived_late', 'wrong_item', 'other']);
const HandedInAt = Id('The store or warehouse that received the goods (loc_…).');

const RefundPortion = Type.Object({
  paymentId: Id('pay_…'),
  provider: Type.String(),
  tenderSeq: Type.Integer(),
  amount: Cents(),
  giftCardId: Nullable(Id('gc_…')),
  cardLast4: Nullable(Type.String()),
});

export const RETURN_EVENTS = {
  'return.requested': defineEvent(
    'a return was authorised (an RMA), or taken directly at a store',
    ofReturn({
      locationId: Type.Optional(HandedInAt),
      orderChannel: Type.String({ description: 'The channel the order was placed in (web, pos, …).' }),
      lines: Type.Array(Type.Object({ orderLineId: Id('ol_…'), quantity: Quantity(), reason: Reason })),
    }),
  ),
  'return.received': defineEvent(
    'returned goods were received and inspected',
    ofReturn({ locationId: HandedInAt, lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Quantity(), outcome: OneOf(['restock', 'damaged', 'quarantine']) })) }),
  ),
  'return.refunded': defineEvent(
    'a received return was refunded (`data.refund`: how much and over which tenders)',
    ofReturn({
      locationId: HandedInAt,
      refund: Type.Object({
        due: Cents('What the returned goods (and shipping) are worth.'),
        payout: Cents('What goes back to the customer after an exchange.'),
        toPay: Cents('What the customer pays on top for an exchange.'),
        method: OneOf(['original', 'store_credit']),
        giftCardId: Nullable(Id('The store credit issued (gc_…).')),
        split: Type.Array(RefundPortion, { description: 'The payout over the tenders, the last charged first.' }),
      }),
    }),
  ),
  'return.cancelled': defineEvent('a return was cancelled before it was received', ofReturn({})),
} as const satisfies EventCatalogue;
