// The events of identity resolution; see docs/customers.md.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const CUSTOMER_DATA_EVENTS = {
  'profile.merged': 'identity resolution joined two profiles (with the identifier and event that did it)',
  'profile.unmerged': 'staff undid a merge: both profiles have their own identifiers, events and traits again',
  'identity_rules.updated': 'the identity resolution rules changed',
} as const satisfies EventCatalogue;
