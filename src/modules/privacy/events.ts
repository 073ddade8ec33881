// The events of the privacy module; see docs/customers.md, Privacy (GDPR).
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const PRIVACY_EVENTS = {
  'customer.erased': 'a person was erased under the GDPR (`data.customerIds`: erase them downstream too)',
} as const satisfies EventCatalogue;
