// The events of the consent module; see docs/customers.md, Consent.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

const ConsentChanged = Type.Object({
  recordId: Id('The consent record.'),
  purpose: OneOf(['email', 'sms', 'push', 'personalisation', 'profiling', 'analytics']),
  granted: Type.Boolean(),
  previous: Type.Boolean({ description: 'What held before (a purpose never decided counts as its default).' }),
  source: OneOf(['account', 'unsubscribe', 'staff', 'checkout', 'sdk', 'api']),
  customerId: Nullable(Id('cus_…')),
  anonymousId: Nullable(Type.String()),
  profileId: Nullable(Id('The profile.')),
  hasEmail: Type.Boolean({ description: 'Whether the decision was recorded for an e-mail address (never the address itself).' }),
  recordedAt: Moment,
});

export const CONSENT_EVENTS = {
  'consent.changed': defineEvent('a person’s consent for a purpose changed (`customerId` set when known)', ConsentChanged),
} as const satisfies EventCatalogue;
