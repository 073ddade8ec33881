// The events of promotions; see docs/pricing.md, Promotions.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Id, ListOf, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

const Target = Type.Object(
  {
    all: Type.Optional(Type.Literal(true)),
    skus: Type.Optional(ListOf(Type.String())),
    productIds: Type.Optional(ListOf(Id('prd_…'))),
    categoryIds: Type.Optional(ListOf(Id('cat_…'))),
  },
  { description: 'Which lines qualify: any of the lists, or all.' },
);
const Rule = Type.Union([
  Type.Object({ kind: Type.Literal('percent_off_items'), percent: Type.Number() }),
  Type.Object({ kind: Type.Literal('amount_off_items'), amountPerUnit: Cents('Off each qualifying unit.') }),
  Type.Object({ kind: Type.Literal('percent_off_order'), percent: Type.Number(), minSubtotal: Type.Optional(Cents()) }),
  Type.Object({ kind: Type.Literal('amount_off_order'), amount: Cents(), minSubtotal: Type.Optional(Cents()) }),
  Type.Object({ kind: Type.Literal('buy_x_get_y'), buy: Type.Integer(), get: Type.Integer(), getPercentOff: Type.Number(), getTarget: Type.Optional(Target) }),
  Type.Object({ kind: Type.Literal('multi_buy'), quantity: Type.Integer(), payFor: Type.Optional(Type.Integer()), forPrice: Type.Optional(Cents()) }),
  Type.Object({ kind: Type.Literal('bundle'), components: Type.Array(Type.Object({ target: Target, quantity: Type.Integer(), label: Type.Optional(Type.String()) })), bundlePrice: Cents() }),
  Type.Object({ kind: Type.Literal('free_shipping'), minSubtotal: Type.Optional(Cents()) }),
]);

/** A promotion as GET /v1/promotions/{id} shows it. */
const Promotion = Type.Object({
  id: Id('pro_…'),
  name: Type.String(),
  status: OneOf(['active', 'draft', 'archived']),
  priority: Type.Integer({ description: 'Higher first.' }),
  stacking: OneOf(['exclusive', 'combinable']),
  startsAt: Nullable(Moment),
  endsAt: Nullable(Moment),
  channels: Type.Optional(ListOf(OneOf(['web', 'app', 'pos', 'kiosk', 'scan_go']))),
  storeIds: Type.Optional(ListOf(Id('loc_…'))),
  memberOnly: Type.Optional(Type.Boolean()),
  customerGroups: Type.Optional(ListOf(Type.String())),
  customerId: Type.Optional(Id('A personal offer for this customer (cus_…).')),
  requiresCoupon: Type.Optional(Type.Boolean()),
  limits: Type.Optional(Type.Object({ total: Type.Optional(Type.Integer()), perCustomer: Type.Optional(Type.Integer()), budget: Type.Optional(Cents('Discount in all.')) })),
  target: Type.Optional(Target),
  rule: Rule,
  usage: Type.Object({ redemptions: Type.Integer(), spent: Cents() }),
  createdAt: Moment,
  updatedAt: Moment,
  version: Type.Integer(),
});
const PromotionPayload = Type.Object({ promotion: Promotion });

export const PROMOTION_EVENTS = {
  'promotion.created': defineEvent('a promotion was created', PromotionPayload),
  'promotion.updated': defineEvent('a promotion was changed', PromotionPayload),
  'promotion.redeemed': defineEvent(
    'a promotion (or coupon) was used by a placed order (`customerId` set when known)',
    Type.Object({
      redemptionId: Id('red_…'),
      reference: Type.String({ description: 'What used it, e.g. the order id.' }),
      couponCode: Nullable(Type.String()),
      amount: Cents('The discount given.'),
      redemptions: Type.Integer({ description: 'Times used in all, now.' }),
      spent: Cents('Discount given in all, now.'),
    }),
  ),
  'promotion.redemption_reversed': defineEvent(
    'a redemption was given back, e.g. because the order was cancelled',
    Type.Object({ reference: Type.String(), couponCode: Nullable(Type.String()), amount: Cents('The discount given back.') }),
  ),
} as const satisfies EventCatalogue;
