// The events of fulfilments (the part of an order that leaves one location); `customerId` is set.
// See docs/commerce.md, Fulfilment.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const FULFILMENT_EVENTS = {
  'fulfilment.created': 'the sourcing engine assigned order lines to a location',
  'fulfilment.picked': 'the pick list is done',
  'fulfilment.packed': 'the parcel is packed',
  'fulfilment.shipped': 'the parcel was handed to a carrier (with its tracking number)',
  'fulfilment.delivered': 'the parcel was delivered at the customer’s address',
  'fulfilment.ready_for_pickup': 'the parcel waits at the store; the customer got the pickup code',
  'fulfilment.collected': 'the customer collected the parcel at the store',
  'fulfilment.cancelled': 'a fulfilment was cancelled; its stock was released',
  'fulfilment.line_removed': 'a cancelled order line left a fulfilment',
  'fulfilment.line_added': 'an order line joined a fulfilment (e.g. moved to another pickup store)',
} as const satisfies EventCatalogue;
