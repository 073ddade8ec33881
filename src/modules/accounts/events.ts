// The events of customer accounts; `customerId` is set on each. See docs/API.md, Events.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

const Account = Type.Object({
  id: Id('cus_…'),
  email: Type.String(),
  name: Nullable(Type.String()),
  locale: Type.String({ description: 'nl or en' }),
  status: OneOf(['active', 'disabled']),
  createdAt: Moment,
  version: Type.Integer(),
});
const Empty = Type.Object({});

export const ACCOUNT_EVENTS = {
  'customer.signed_up': defineEvent('a customer created an account', Type.Object({ customer: Account })),
  'customer.signed_in': defineEvent('a customer signed in (`data.sessionId`)', Type.Object({ sessionId: Id('css_…') })),
  'customer.password_reset_requested': defineEvent('a customer asked for a password-reset e-mail', Empty),
  'customer.password_changed': defineEvent('a customer set a new password; all their sessions ended', Empty),
} as const satisfies EventCatalogue;
