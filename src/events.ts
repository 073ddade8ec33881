// Every event type Winkel emits, joined from the modules' catalogues (src/modules/*/events.ts), each
// with its payload schema. It types `emit` (an unlisted type, or a payload that does not match its
// schema, does not compile) and checks payloads at run time outside production, is served at
// GET /v1/event-types, checks the event types of webhook endpoints, is the OpenAPI document's
// `webhooks`, and is printed in docs/API.md (`npm run docs:events`).
import type { Static, TSchema } from 'typebox';
import { ACCESS_EVENTS } from './modules/access/events.js';
import { ACCOUNT_EVENTS } from './modules/accounts/events.js';
import { CATALOG_EVENTS } from './modules/catalog/events.js';
import { COMMERCE_EVENTS } from './modules/commerce/events.js';
import { CONSENT_EVENTS } from './modules/consent/events.js';
import { CUSTOMER_DATA_EVENTS } from './modules/customers/events.js';
import { FULFILMENT_EVENTS } from './modules/fulfilment/events.js';
import { IMPORT_EVENTS } from './modules/imports/events.js';
import { INVENTORY_EVENTS } from './modules/inventory/events.js';
import { PAYMENT_EVENTS } from './modules/payments/events.js';
import { PRICING_EVENTS } from './modules/pricing/events.js';
import { PRIVACY_EVENTS } from './modules/privacy/events.js';
import { PROMOTION_EVENTS } from './modules/promotions/events.js';
import { RETURN_EVENTS } from './modules/returns/events.js';
import { WEBHOOK_EVENTS } from './modules/webhooks/events.js';
import { registerEventPayloads, type EventDefinition, type EventType } from './platform/events/outbox.js';

/** Per module (in the order docs/API.md lists them), its event types and when each happens. */
export const EVENT_CATALOGUES = {
  access: ACCESS_EVENTS,
  accounts: ACCOUNT_EVENTS,
  consent: CONSENT_EVENTS,
  privacy: PRIVACY_EVENTS,
  customers: CUSTOMER_DATA_EVENTS,
  webhooks: WEBHOOK_EVENTS,
  catalog: CATALOG_EVENTS,
  pricing: PRICING_EVENTS,
  promotions: PROMOTION_EVENTS,
  imports: IMPORT_EVENTS,
  inventory: INVENTORY_EVENTS,
  commerce: COMMERCE_EVENTS,
  payments: PAYMENT_EVENTS,
  fulfilment: FULFILMENT_EVENTS,
  returns: RETURN_EVENTS,
} as const;

type Catalogues = typeof EVENT_CATALOGUES;
type Definitions = { [M in keyof Catalogues]: Catalogues[M] }[keyof Catalogues];
type AllTypes = { [M in keyof Catalogues]: keyof Catalogues[M] }[keyof Catalogues] & string;
type DefinitionOf<T extends AllTypes> = Extract<Definitions, Record<T, EventDefinition>>[T];
/** Each event type's payload type, from its schema. */
type Payloads = { [T in AllTypes]: DefinitionOf<T> extends EventDefinition<infer P> ? Static<P> : never };

declare module './platform/events/outbox.js' {
  // Fills in the platform's registry of event types, with their payloads, from the catalogues above.
  interface EventTypeRegistry extends Payloads {}
}

export interface EventTypeInfo {
  type: EventType;
  /** The module that emits it. */
  module: string;
  /** When it happens (one line). */
  description: string;
  /** The JSON Schema of its `data`. */
  payload: TSchema;
}

/** Every event type with its module, when it happens and its payload schema, in catalogue order. */
export const EVENT_TYPES: ReadonlyArray<EventTypeInfo> = Object.entries(EVENT_CATALOGUES).flatMap(([module, catalogue]) =>
  Object.entries(catalogue as Record<string, EventDefinition>).map(([type, d]) => ({ type: type as EventType, module, description: d.description, payload: d.payload })),
);

registerEventPayloads(Object.fromEntries(EVENT_TYPES.map((e) => [e.type, e.payload])));

const KNOWN = new Set<string>(EVENT_TYPES.map((e) => e.type));

export const isEventType = (type: string): type is EventType => KNOWN.has(type);

/**
 * Whether a subscription pattern can ever match: `*`, a known type, or a prefix ending in `.*` that
 * some known type starts with. A typo (`order.plced`) would otherwise subscribe to nothing, silently.
 */
export function isKnownEventPattern(pattern: string): boolean {
  if (pattern === '*' || KNOWN.has(pattern)) return true;
  if (!pattern.endsWith('.*')) return false;
  const prefix = pattern.slice(0, -1);
  return EVENT_TYPES.some((e) => e.type.startsWith(prefix));
}
