// The events of fulfilments (the part of an order that leaves one location); `customerId` is set.
// See docs/commerce.md, Fulfilment.
import Type, { type TProperties } from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Id, Moment, Nullable, OneOf, Quantity } from '../../platform/events/payloads.js';

const Status = OneOf(['open', 'picked', 'packed', 'shipped', 'ready', 'delivered', 'collected', 'cancelled']);
const Line = Type.Object({ orderLineId: Id('ol_…'), sku: Type.String(), quantity: Quantity() });

const base = {
  id: Id('ful_…'),
  orderId: Id('ord_…'),
  locationId: Id('The location that ships or hands over the goods (loc_…).'),
  method: OneOf(['delivery', 'pickup', 'ship_to_store']),
  pickupLocationId: Nullable(Id('The store where the customer collects (loc_…).')),
  status: Status,
};
/** A fulfilment after a step: its status before, its lines, and what the step adds. */
const stepped = (extra: TProperties = {}) =>
  Type.Object({ fulfilment: Type.Object({ ...base, previousStatus: Status, ...extra, lines: Type.Array(Line) }) });

/** A fulfilment with lines that were assigned to it (a new one, or lines joining one). */
const WithLines = Type.Object({
  fulfilment: Type.Object({ ...base, lines: Type.Array(Line) }),
  reason: Type.Optional(Type.String({ description: 'Set when an order edit moved the lines (e.g. another pickup store).' })),
});

/** Order lines that left a fulfilment because they were cancelled (the fulfilment is cancelled when none is left). */
const LinesRemoved = Type.Object({
  fulfilment: Type.Object(base),
  removedLines: Type.Array(Line),
  reason: Type.String(),
  linesLeft: Type.Integer(),
});

export const FULFILMENT_EVENTS = {
  'fulfilment.created': defineEvent('the sourcing engine assigned order lines to a location', WithLines),
  'fulfilment.picked': defineEvent('the pick list is done', stepped()),
  'fulfilment.packed': defineEvent('the parcel is packed', stepped()),
  'fulfilment.shipped': defineEvent(
    'the parcel was handed to a carrier (with its tracking number)',
    stepped({ carrier: Type.String({ description: 'The carrier code, e.g. manual or postnl.' }), trackingNumber: Type.String(), trackingUrl: Nullable(Type.String()) }),
  ),
  'fulfilment.delivered': defineEvent('the parcel was delivered at the customer’s address', stepped()),
  'fulfilment.ready_for_pickup': defineEvent('the parcel waits at the store; the customer got the pickup code', stepped({ pickupDeadline: Moment })),
  'fulfilment.collected': defineEvent('the customer collected the parcel at the store', stepped({ paid: Type.Optional(Cents('What the counter took at the handover, when something was still due.')) })),
  'fulfilment.cancelled': defineEvent(
    'a fulfilment was cancelled; its stock was released',
    Type.Union([
      stepped({ reason: Type.String(), refund: Type.Object({ voided: Cents('Authorised money released.'), refunded: Cents('Captured money refunded.') }) }),
      LinesRemoved,
    ]),
  ),
  'fulfilment.line_removed': defineEvent('a cancelled order line left a fulfilment', LinesRemoved),
  'fulfilment.line_added': defineEvent('an order line joined a fulfilment (e.g. moved to another pickup store)', WithLines),
} as const satisfies EventCatalogue;
