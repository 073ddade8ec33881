// The events of customer accounts; `customerId` is set on each. See docs/API.md, Events.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const ACCOUNT_EVENTS = {
  'customer.signed_up': 'a customer created an account',
  'customer.signed_in': 'a customer signed in (`data.sessionId`)',
  'customer.password_reset_requested': 'a customer asked for a password-reset e-mail',
  'customer.password_changed': 'a customer set a new password; all their sessions ended',
} as const satisfies EventCatalogue;
