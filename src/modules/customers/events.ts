// The events of identity resolution; see docs/customers.md.
import Type, { type TSchema } from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Nullable, OneOf } from '../../platform/events/payloads.js';

const KINDS = ['customer_id', 'email', 'phone', 'loyalty_card', 'card_fingerprint', 'social', 'anonymous_id'] as const;
const Kind = OneOf(KINDS);
/** An object with a property per identifier kind. */
const perKind = <T extends TSchema>(value: T) => Type.Object({ customer_id: value, email: value, phone: value, loyalty_card: value, card_fingerprint: value, social: value, anonymous_id: value });
const perKindOptional = <T extends TSchema>(value: T) => Type.Partial(perKind(value));

const Merged = Type.Object({
  mergeId: Id('pmg_…'),
  survivorId: Id('The profile that absorbed the other (prf_…).'),
  mergedId: Id('The profile absorbed (prf_…).'),
  identifier: Nullable(Type.Object({ kind: Kind, value: Type.String() }), { description: 'The identifier the two shared.' }),
  eventId: Nullable(Type.String({ description: 'The event that carried both identifiers.' })),
  reason: Type.String(),
});

const Unmerged = Type.Object({
  mergeId: Id('pmg_…'),
  survivorId: Id('prf_…'),
  mergedId: Id('The profile restored (prf_…).'),
  reason: Nullable(Type.String()),
});

const Rules = Type.Object({
  priority: Type.Array(Kind),
  merge: perKind(Type.Boolean()),
  maxPerProfile: perKindOptional(Type.Integer()),
  anonymousIdMaxUsers: Type.Integer(),
  blocked: perKindOptional(Type.Array(Type.String())),
  phoneDefaultCountry: Type.String(),
});

export const CUSTOMER_DATA_EVENTS = {
  'profile.merged': defineEvent('identity resolution joined two profiles (with the identifier and event that did it)', Merged),
  'profile.unmerged': defineEvent('staff undid a merge: both profiles have their own identifiers, events and traits again', Unmerged),
  'identity_rules.updated': defineEvent('the identity resolution rules changed', Type.Object({ rules: Rules, version: Type.Integer() })),
} as const satisfies EventCatalogue;
