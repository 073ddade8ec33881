// The events of gift cards; see docs/commerce.md, Gift cards.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Currency, Id, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

/** A change of a card's balance, as its ledger records it. */
const BalanceChange = Type.Object({
  giftCard: Type.Object({ id: Id('gc_…'), balance: Cents('The balance after the change.'), currency: Currency }),
  entry: Type.Object({
    id: Id('gce_…'),
    kind: OneOf(['issue', 'redeem', 'reload', 'refund', 'void']),
    amount: Cents('Positive adds to the balance, negative takes off.'),
    reference: Nullable(Type.String({ description: 'What it was for, e.g. an order id.' })),
  }),
});

const GiftCard = Type.Object({
  id: Id('gc_…'),
  maskedCode: Type.String({ description: 'Only the last four characters of the code show.' }),
  currency: Currency,
  balance: Cents(),
  initialAmount: Cents(),
  status: OneOf(['active', 'disabled']),
  customerId: Nullable(Id('cus_…')),
  origin: OneOf(['sold', 'store_credit', 'goodwill']),
  reference: Nullable(Type.String()),
  createdAt: Moment,
  updatedAt: Moment,
  version: Type.Integer(),
});

export const PAYMENT_EVENTS = {
  'gift_card.issued': defineEvent('a gift card was issued (never its code)', BalanceChange),
  'gift_card.balance_changed': defineEvent('money was added to or taken off a gift card', BalanceChange),
  'gift_card.status_changed': defineEvent('a gift card was disabled or enabled', Type.Object({ giftCard: GiftCard })),
} as const satisfies EventCatalogue;
