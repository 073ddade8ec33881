// The events of the consent module; see docs/customers.md, Consent.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const CONSENT_EVENTS = {
  'consent.changed': 'a person’s consent for a purpose changed (`customerId` set when known)',
} as const satisfies EventCatalogue;
