// The events the access module emits (staff users and API keys); see docs/API.md, Events.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

/** A staff user as the API shows it (never the password). */
const StaffUser = Type.Object({
  id: Id('stf_…'),
  email: Type.String(),
  name: Nullable(Type.String()),
  role: Type.String({ description: 'admin, merchandiser, marketer, store_manager, store_associate, service_agent or planner (GET /v1/roles)' }),
  storeIds: Nullable(Type.Array(Id('loc_…')), { description: 'The stores the user works for; null for all.' }),
  status: OneOf(['active', 'disabled']),
  lastSignInAt: Nullable(Moment),
  createdAt: Moment,
  updatedAt: Moment,
  version: Type.Integer(),
});
const StaffUserPayload = Type.Object({ staffUser: StaffUser });

/** An API key as the API shows it (its hint, never the key). */
const ApiKey = Type.Object({
  id: Id('key_…'),
  kind: OneOf(['secret', 'publishable']),
  name: Type.String(),
  tokenHint: Type.String(),
  scopes: Type.Array(Type.String()),
  storeIds: Nullable(Type.Array(Id('loc_…'))),
  createdBy: Nullable(Id('stf_…')),
  createdAt: Moment,
  lastUsedAt: Nullable(Moment),
  revokedAt: Nullable(Moment),
  version: Type.Integer(),
});
const ApiKeyPayload = Type.Object({ apiKey: ApiKey });

export const ACCESS_EVENTS = {
  'staff_user.created': defineEvent('a staff user was created (`data.staffUser`)', StaffUserPayload),
  'staff_user.updated': defineEvent('a staff user’s name, role, stores or password changed, or the user was enabled again', StaffUserPayload),
  'staff_user.disabled': defineEvent('a staff user was disabled; their sessions end', StaffUserPayload),
  'api_key.created': defineEvent('an API key was created (`data.apiKey`, never the key itself)', ApiKeyPayload),
  'api_key.revoked': defineEvent('an API key was revoked', ApiKeyPayload),
} as const satisfies EventCatalogue;
