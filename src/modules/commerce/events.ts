// The events of orders and their payment ledger; `customerId` is set when the order has a
// customer. See docs/commerce.md.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Currency, Id, Moment, Nullable, OneOf, Quantity } from '../../platform/events/payloads.js';

const SalesChannel = Type.String({ description: 'web, app, pos, kiosk or scan_go' });
/** Where an order was placed. */
const OrderPlace = Type.Object({ id: Id('ord_…'), channel: SalesChannel, storeId: Nullable(Id('The store of a till, kiosk or scan & go sale (loc_…).')) });
/** An order's state when it ends. */
const OrderOutcome = (status: 'completed' | 'cancelled') => Type.Object({ id: Id('ord_…'), status: Type.Literal(status), total: Cents(), currency: Currency });

/** A row of the order's payment ledger. */
const Payment = Type.Object({
  id: Id('pay_…'),
  provider: Type.String({ description: 'e.g. cash, card_terminal, gift_card, test' }),
  kind: OneOf(['authorisation', 'capture', 'void', 'refund']),
  status: OneOf(['succeeded', 'failed', 'pending']),
  amount: Cents(),
  currency: Currency,
  tenderSeq: Type.Integer({ description: 'Which tender of a split payment (1 = the first).' }),
  parentId: Nullable(Id('The authorisation or capture this row acts on (pay_…).')),
  providerReference: Nullable(Type.String()),
  giftCardId: Nullable(Id('gc_…')),
  cardLast4: Nullable(Type.String()),
  failureCode: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  expiresAt: Nullable(Moment),
  createdAt: Moment,
});
const PaymentAttention = Type.Object({
  reason: OneOf(['authorisation_expired', 'authorisation_failed']),
  amount: Cents('What is owed and not covered.'),
  failureCode: Nullable(Type.String()),
  paymentId: Id('The refused (re-)authorisation (pay_…).'),
  since: Moment,
});
const LedgerTotals = { captured: Cents('Captured on the order in all, now.'), refunded: Cents('Refunded on the order in all, now.') };

export const COMMERCE_EVENTS = {
  'order.placed': defineEvent(
    'an order was placed at checkout',
    Type.Object({
      payAtPickup: Type.Boolean({ description: 'Paid at the counter when collected.' }),
      order: Type.Object({
        id: Id('ord_…'),
        channel: OneOf(['web', 'app', 'pos', 'kiosk', 'scan_go']),
        storeId: Nullable(Id('loc_…')),
        total: Cents(),
        currency: Currency,
        note: Nullable(Type.String({ description: 'The customer’s checkout note.' })),
        lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Quantity(), total: Cents() })),
      }),
      customer: Type.Object({
        id: Nullable(Id('cus_…')),
        email: Nullable(Type.String()),
        cardFingerprint: Type.Optional(Type.String({ description: 'Of the card paid with, when the terminal gave one.' })),
      }),
    }),
  ),
  'order.handed_over': defineEvent(
    'the goods of a till, kiosk or scan & go sale were carried out at the counter (lines fulfilled, sold in the stock ledger)',
    Type.Object({ order: OrderPlace, locationId: Nullable(Id('loc_…')), lines: Type.Array(Type.Object({ orderLineId: Id('ol_…'), sku: Type.String(), quantity: Quantity() })) }),
  ),
  'order.line_cancelled': defineEvent(
    'an order line was cancelled before it was fulfilled; the rest was priced again',
    Type.Object({
      orderId: Id('ord_…'),
      line: Type.Object({ id: Id('ol_…'), sku: Type.String(), quantity: Quantity() }),
      reason: Nullable(Type.String()),
      fulfilments: Type.Array(Type.Object({ fulfilmentId: Id('ful_…'), removed: Type.Array(Id('ol_…')), cancelled: Type.Boolean() })),
      oldTotal: Cents(),
      newTotal: Cents(),
      difference: Cents('Given back to the customer (old − new total).'),
    }),
  ),
  'order.pickup_store_changed': defineEvent(
    'pickup lines were moved to another store',
    Type.Object({
      orderId: Id('ord_…'),
      locationId: Id('The new pickup store (loc_…).'),
      lines: Type.Array(Type.Object({ id: Id('ol_…'), sku: Type.String(), from: Nullable(Id('loc_…')), to: Id('loc_…') })),
      fulfilmentId: Nullable(Id('The pickup task at the new store (ful_…).')),
    }),
  ),
  'order.note_added': defineEvent(
    'staff added a note to an order',
    Type.Object({
      orderId: Id('ord_…'),
      order: OrderPlace,
      note: Type.Object({
        id: Id('note_…'),
        orderId: Id('ord_…'),
        body: Type.String(),
        visibility: OneOf(['internal', 'customer']),
        author: Type.Object({ type: Type.String(), id: Nullable(Type.String()), label: Nullable(Type.String()) }),
        createdAt: Moment,
      }),
    }),
  ),
  'order.completed': defineEvent('every line of an order was fulfilled or cancelled, at least one fulfilled', Type.Object({ order: OrderOutcome('completed') })),
  'order.cancelled': defineEvent('every line of an order was cancelled', Type.Object({ order: OrderOutcome('cancelled'), reason: Type.Optional(Type.String()) })),
  'payment.captured': defineEvent(
    'authorised money was captured (at the sale for cash and the card terminal, as goods leave for online payments)',
    Type.Object({ orderId: Id('ord_…'), amount: Cents(), currency: Currency, reference: Nullable(Type.String()), captures: Type.Array(Payment), ...LedgerTotals }),
  ),
  'payment.voided': defineEvent(
    'authorised money was released without being captured',
    Type.Object({ orderId: Id('ord_…'), amount: Cents(), currency: Currency, reason: Nullable(Type.String()), voids: Type.Array(Payment) }),
  ),
  'payment.settled': defineEvent('a pending authorisation succeeded (the provider said so)', Type.Object({ orderId: Nullable(Id('ord_…; null while the checkout has not placed the order')), payment: Payment })),
  'payment.failed': defineEvent('a pending authorisation failed (the provider said so)', Type.Object({ orderId: Nullable(Id('ord_…; null while the checkout has not placed the order')), payment: Payment })),
  'payment.expired': defineEvent(
    'an authorisation lapsed before all of it was captured (recorded as a void of what was left)',
    Type.Object({ orderId: Id('ord_…'), amount: Cents('What was left to capture.'), currency: Currency, authorisation: Payment, lapse: Payment }),
  ),
  'payment.reauthorised': defineEvent(
    'a lapsed authorisation was renewed at the provider for what is still to capture',
    Type.Object({ orderId: Id('ord_…'), amount: Cents(), currency: Currency, expired: Payment, renewal: Payment }),
  ),
  'payment.attention_required': defineEvent(
    'money still to capture could not be authorised again: the order needs attention (cancel it, or take the payment at the counter)',
    Type.Object({ orderId: Id('ord_…'), currency: Currency, paymentAttention: Nullable(PaymentAttention), amountDue: Cents(), renewal: Nullable(Payment) }),
  ),
  'refund.issued': defineEvent(
    'money was given back to the order’s tenders',
    Type.Object({ orderId: Id('ord_…'), amount: Cents(), currency: Currency, reason: Nullable(Type.String()), reference: Nullable(Type.String()), refunds: Type.Array(Payment), ...LedgerTotals }),
  ),
} as const satisfies EventCatalogue;
