// Every event type Winkel emits, joined from the modules' catalogues (src/modules/*/events.ts). It
// types `emit` (an unlisted type does not compile), is served at GET /v1/event-types, checks the
// event types of webhook endpoints, and is printed in docs/API.md (`npm run docs:events`).
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
import type { EventType } from './platform/events/outbox.js';

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
type AllTypes = { [M in keyof Catalogues]: keyof Catalogues[M] }[keyof Catalogues] & string;

declare module './platform/events/outbox.js' {
  // Fills in the platform's registry of event types from the catalogues above.
  interface EventTypeRegistry extends Record<AllTypes, true> {}
}

/** Every event type with its module and when it happens, in catalogue order. */
export const EVENT_TYPES: ReadonlyArray<{ type: EventType; module: string; description: string }> = Object.entries(EVENT_CATALOGUES).flatMap(([module, catalogue]) =>
  Object.entries(catalogue).map(([type, description]) => ({ type: type as EventType, module, description: description as string })),
);

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
