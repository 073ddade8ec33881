// The events of price lists; see docs/pricing.md.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Currency, Id, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

const PriceList = Type.Object({
  id: Id('pl_…'),
  name: Type.String(),
  status: OneOf(['active', 'draft', 'archived']),
  currency: Currency,
  channel: Nullable(Type.String({ description: 'Only this sales channel; null: all.' })),
  storeId: Nullable(Id('Only this store; null: all (loc_…).')),
  customerGroup: Nullable(Type.String({ description: 'Only customers of this group; null: everyone.' })),
  priority: Type.Integer(),
  startsAt: Nullable(Moment),
  endsAt: Nullable(Moment),
  specificity: Type.Integer({ description: 'How narrow its scope is; the narrowest list wins.' }),
  createdAt: Moment,
  updatedAt: Moment,
  version: Type.Integer(),
});
const PriceListPayload = Type.Object({ priceList: PriceList });

export const PRICING_EVENTS = {
  'price_list.created': defineEvent('a price list was created', PriceListPayload),
  'price_list.updated': defineEvent('a price list’s scope, window, priority or status changed', PriceListPayload),
  'price.changed': defineEvent(
    'prices in a list were set (added or replaced)',
    Type.Object({
      priceListId: Id('pl_…'),
      currency: Currency,
      prices: Type.Array(Type.Object({ variantId: Id('var_…'), amount: Cents('Price including VAT.'), minQuantity: Type.Integer() }), { description: 'The first 500 prices set; `count` says how many in all.' }),
      count: Type.Integer(),
    }),
  ),
  'price.removed': defineEvent('a price was removed from a list', Type.Object({ priceListId: Id('pl_…'), variantId: Id('var_…'), minQuantity: Type.Integer() })),
} as const satisfies EventCatalogue;
