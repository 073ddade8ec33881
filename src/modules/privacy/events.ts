// The events of the privacy module; see docs/customers.md, Privacy (GDPR).
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id } from '../../platform/events/payloads.js';

const Erased = Type.Object({
  erasureId: Id('The erasure.'),
  customerIds: Type.Array(Id('cus_…'), { description: 'The account ids erased: erase them downstream too.' }),
  profileIds: Type.Array(Id('The profiles.')),
  anonymousIdCount: Type.Integer({ description: 'How many anonymous ids were erased (never the ids).' }),
});

export const PRIVACY_EVENTS = {
  'customer.erased': defineEvent('a person was erased under the GDPR (`data.customerIds`: erase them downstream too)', Erased),
} as const satisfies EventCatalogue;
