// The events the access module emits (staff users and API keys); see docs/API.md, Events.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const ACCESS_EVENTS = {
  'staff_user.created': 'a staff user was created (`data.staffUser`)',
  'staff_user.updated': 'a staff user’s name, role, stores or password changed, or the user was enabled again',
  'staff_user.disabled': 'a staff user was disabled; their sessions end',
  'api_key.created': 'an API key was created (`data.apiKey`, never the key itself)',
  'api_key.revoked': 'an API key was revoked',
} as const satisfies EventCatalogue;
