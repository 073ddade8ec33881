// The OpenAPI document an integrator reads, completed from what the routes declare and the rules
// app.ts applies to all of them: each operation's name (operations.ts), who may call it, the
// Idempotency-Key and If-Match request headers, the response headers every answer carries
// (X-Request-Id, the rate-limit headers, ETag and Idempotent-Replayed where sent), and errors as the
// application/problem+json documents they are. Routes declare only what is theirs (bodies, answers);
// the rest is added here, so it is the same on every operation and cannot be forgotten on one.
import type { RouteOptions } from 'fastify';
import { describeRule, securityFor, type AccessRule } from './access.js';
import { OPERATION_IDS, operationKey, suggestOperationId } from './operations.js';

/** The tags operations are grouped by in /docs, each with what it covers. */
export const TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'system', description: 'Health and readiness of the process.' },
  { name: 'events', description: 'The domain event log and the event types (what webhooks and NATS carry).' },
  { name: 'staff', description: 'Staff users, their roles and sessions.' },
  { name: 'api keys', description: 'Secret and publishable API keys.' },
  { name: 'customer accounts', description: 'Customer sign-up, sign-in, sessions and password reset.' },
  { name: 'audit', description: 'Who changed what: the audit log of staff and API-key changes.' },
  { name: 'webhooks', description: 'Webhook endpoints, signed deliveries and the delivery log.' },
  { name: 'developer tools', description: 'The built-in mail catcher.' },
  { name: 'catalog', description: 'Products, variants, barcodes, categories, attributes and search.' },
  { name: 'pricing', description: 'Price lists and how a price is resolved.' },
  { name: 'import and export', description: 'Bulk imports with progress and rejections; exports in the import format.' },
  { name: 'inventory', description: 'Locations, stock levels, the stock ledger, reservations, transfers, counts, availability and back-in-stock requests.' },
  { name: 'purchasing', description: 'Suppliers, purchase orders and replenishment.' },
  { name: 'promotions', description: 'Promotions, coupons, quotes and previews.' },
  { name: 'payments', description: 'An order’s payment ledger, captures, refunds, voids, provider webhooks and gift cards.' },
  { name: 'commerce', description: 'Carts for every channel, checkout and orders.' },
  { name: 'returns', description: 'The return policy, return authorisations, receiving and refunds.' },
  { name: 'fulfilment', description: 'Sourcing, pick lists, parcels, click & collect and carriers.' },
  { name: 'receipts', description: 'Receipts as JSON and PDF.' },
  { name: 'customer data', description: 'Event collection, identity resolution, profiles and timelines.' },
  { name: 'storefront', description: 'What the web shop needs to start, and a customer’s own orders.' },
  { name: 'consent', description: 'Consent per purpose, with its history and unsubscribe links.' },
  { name: 'privacy', description: 'GDPR export and erasure.' },
];

const KNOWN_TAGS = new Set(TAGS.map((t) => t.name));

/** What the document needs to know about an operation beyond its schema. */
interface OperationFacts {
  /** Under /v1: rate limited, with its headers and 429. */
  api: boolean;
  /** A POST that takes Idempotency-Key (app.ts adds the hooks to exactly these). */
  idempotent: boolean;
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: the work goes on after the answer',
  '204': 'No content',
  '304': 'Not modified: the answer you have (its ETag in If-None-Match) is still current',
  '503': 'Service unavailable',
};

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

const COMPONENT_HEADERS = {
  'X-Request-Id': {
    description: 'The request’s id: in the server log and in every problem’s `requestId`. A request may bring its own (8–80 letters, digits, `_`, `.` or `-`) to trace it across systems.',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { description: 'Requests allowed in the current window (when rate limiting is on: API_RATE_LIMIT, or the sign-in limit on sign-in routes).', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window starts again.', schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
  ETag: { description: 'The resource’s version (`"3"`). Send it back as If-Match to change the resource only if nobody changed it in between.', schema: { type: 'string' } },
  'Idempotent-Replayed': { description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key and body; absent on a first answer.', schema: { type: 'string', enum: ['true'] } },
  Location: { description: 'Where the created resource (or the job that makes it) can be read.', schema: { type: 'string' } },
} as const;

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const apiHeaders = () => ({ 'X-Request-Id': header('X-Request-Id'), ...Object.fromEntries(RATE_LIMIT_HEADERS.map((h) => [h, header(h)])) });

const COMPONENT_RESPONSES = {
  Problem: { description: 'Problem details (RFC 9457): `code` says what went wrong, `detail` what to change, `errors` which fields.', headers: apiHeaders(), content: problemContent },
  ReplayableProblem: {
    description: 'Problem details (RFC 9457). Answers below 500 to a request with an Idempotency-Key are stored and replayed too (with Idempotent-Replayed: true).',
    headers: { ...apiHeaders(), 'Idempotent-Replayed': header('Idempotent-Replayed') },
    content: problemContent,
  },
  TooManyRequests: {
    description: 'Too many requests from this credential (or client address): wait Retry-After seconds. Code `rate_limited`.',
    headers: { ...apiHeaders(), 'Retry-After': header('Retry-After') },
    content: problemContent,
  },
  SystemProblem: { description: 'Problem details (RFC 9457).', headers: { 'X-Request-Id': header('X-Request-Id') }, content: problemContent },
};

const COMPONENT_PARAMETERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: the first request with a key runs, and its answer (below 500) is replayed for 24 hours to any repeat with the same key and body, with Idempotent-Replayed: true. The same key with another body is refused (422 `idempotency_key_reused`). Keys are per caller; a UUID is a good choice.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The ETag you read (`"3"`): the change is refused with 412 `version_mismatch` if the resource has changed since. Without it the change applies unconditionally.',
    schema: { type: 'string' },
  },
};

// The document is walked as loose JSON: any node may hold anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** An event type as the document's `webhooks` show it: what a webhook endpoint subscribed to it receives. */
export interface WebhookEventType {
  type: string;
  module: string;
  description: string;
  /** The JSON Schema of the event's `data`. */
  payload: unknown;
}

/** The headers of every delivery (src/modules/webhooks/service.ts sends them; docs/API.md, Webhooks). */
const WEBHOOK_PARAMETERS = {
  WinkelSignature: {
    name: 'Winkel-Signature',
    in: 'header',
    required: true,
    description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>", keyed with the endpoint’s secret>`. Recompute it over the raw body, compare in constant time, and refuse a `t` more than five minutes away.',
    schema: { type: 'string' },
  },
  WinkelEventId: { name: 'Winkel-Event-Id', in: 'header', required: true, description: 'The event id: the same on every attempt and replay; use it to de-duplicate.', schema: { type: 'string' } },
  WinkelEventType: { name: 'Winkel-Event-Type', in: 'header', required: true, description: 'The event type.', schema: { type: 'string' } },
  WinkelDeliveryId: { name: 'Winkel-Delivery-Id', in: 'header', required: true, description: 'The delivery (a replay is a new delivery of the same event).', schema: { type: 'string' } },
  WinkelAttempt: { name: 'Winkel-Attempt', in: 'header', required: true, description: 'Which attempt this is: 1, 2, …', schema: { type: 'string', pattern: '^[1-9][0-9]*$' } },
} as const;

/** `order.placed` → `OrderPlaced`: the stem of an event type's names in the document. */
const pascal = (type: string) =>
  type
    .split(/[._]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** The envelope every delivery carries, with this type's payload as `data`. */
function webhookEnvelope(e: WebhookEventType): Json {
  return {
    type: 'object',
    description: `The \`${e.type}\` event as a webhook delivers it: ${e.description}.`,
    required: ['id', 'type', 'occurredAt', 'aggregate', 'customerId', 'actor', 'data'],
    properties: {
      id: { type: 'string', description: 'evt_…; the same on every attempt and replay.' },
      type: { type: 'string', const: e.type },
      occurredAt: { type: 'string', format: 'date-time' },
      aggregate: { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string' }, id: { type: 'string' } }, description: 'What the event is about.' },
      customerId: { type: ['string', 'null'], description: 'The customer the event belongs to, when there is one.' },
      actor: {
        description: 'Who did it.',
        anyOf: [
          { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['staff', 'api_key', 'customer', 'system', 'anonymous'] }, id: { type: 'string' }, label: { type: 'string' } } },
          { type: 'null' },
        ],
      },
      data: e.payload,
    },
  };
}

/**
 * Names and describes operations as routes are registered (`route`, from app.ts's onRoute), checks
 * that every name in operations.ts found its route (`checkComplete`), and completes the document
 * (`finish`, @fastify/swagger's transformObject).
 */
export class OpenApiDocumenter {
  /** `ruleNote`: what to add to an access rule's description (e.g. that store-scoped callers get 403). */
  constructor(
    private readonly ruleNote: (rule: AccessRule) => string = () => '',
    /** Every event type, for the document's `webhooks` (src/events.ts). */
    private readonly events: readonly WebhookEventType[] = [],
  ) {}
  private readonly facts = new Map<string, OperationFacts>();
  private readonly byId = new Map<string, string>();

  route(route: RouteOptions & { config?: { access?: AccessRule; idempotent?: boolean } }): void {
    const schema = (route.schema ?? {}) as Json;
    const rule = route.config?.access;
    if (schema.hide || !rule) return;
    for (const method of ([] as string[]).concat(route.method)) {
      // Fastify adds a HEAD route for each GET; the document shows the GET.
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const key = operationKey(method, route.url);
      const id = OPERATION_IDS[key];
      if (!id) throw new Error(`${key} has no operationId: add it to OPERATION_IDS in src/platform/http/operations.ts (for example '${key}': '${suggestOperationId(method, route.url)}')`);
      const taken = this.byId.get(id);
      if (taken && taken !== key) throw new Error(`operationId ${id} names both ${taken} and ${key}: each operation needs its own (src/platform/http/operations.ts)`);
      this.byId.set(id, key);
      for (const tag of (schema.tags as string[] | undefined) ?? []) {
        if (!KNOWN_TAGS.has(tag)) throw new Error(`${key} has tag "${tag}", which is not among the TAGS of src/platform/http/openapi.ts`);
      }
      this.facts.set(key, { api: route.url.startsWith('/v1'), idempotent: method === 'POST' && route.url.startsWith('/v1') && route.config?.idempotent !== false });
      schema.operationId = id;
    }
    schema.security = securityFor(rule);
    schema.description = [schema.description, describeRule(rule) + this.ruleNote(rule)].filter(Boolean).join('\n\n');
  }

  /** Every name in OPERATION_IDS belongs to a registered route (a renamed or removed route leaves none behind). */
  checkComplete(): void {
    const orphans = Object.keys(OPERATION_IDS).filter((key) => !this.facts.has(key));
    if (orphans.length) throw new Error(`OPERATION_IDS in src/platform/http/operations.ts names routes that do not exist: ${orphans.join(', ')}`);
  }

  finish(doc: Json): Json {
    doc.tags = TAGS.map((t) => ({ ...t }));
    const components = (doc.components ??= {});
    components.headers = { ...COMPONENT_HEADERS, ...components.headers };
    components.parameters = { ...COMPONENT_PARAMETERS, ...components.parameters };
    components.responses = { ...COMPONENT_RESPONSES, ...components.responses };
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        const facts = this.facts.get(`${method.toUpperCase()} ${path}`);
        if (!facts || typeof op !== 'object') continue;
        this.completeOperation(op as Json, facts);
      }
    }
    if (this.events.length) this.addWebhooks(doc);
    return doc;
  }

  /**
   * OpenAPI 3.1 `webhooks`: per event type, the POST a webhook endpoint receives, its headers and
   * its body (the envelope with that type's payload schema, a named component `<Type>Event`), so a
   * generated client has the payload types.
   */
  private addWebhooks(doc: Json): void {
    const components = doc.components as Json;
    components.parameters = { ...components.parameters, ...WEBHOOK_PARAMETERS };
    components.schemas ??= {};
    doc.webhooks = {};
    for (const e of this.events) {
      const name = `${pascal(e.type)}Event`;
      if (components.schemas[name]) throw new Error(`the component ${name} of event type ${e.type} is taken by another schema`);
      components.schemas[name] = webhookEnvelope(e);
      doc.webhooks[e.type] = {
        post: {
          operationId: `on${pascal(e.type)}`,
          tags: ['webhooks'],
          summary: e.type,
          description: `Sent to each enabled webhook endpoint subscribed to \`${e.type}\` (or a prefix of it, or \`*\`) when ${e.description}. From the ${e.module} module.`,
          security: [],
          parameters: Object.keys(WEBHOOK_PARAMETERS).map((k) => ({ $ref: `#/components/parameters/${k}` })),
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } },
          responses: {
            '2XX': { description: 'Acknowledged: answer with any 2xx within 10 seconds.' },
            '4XX': { description: 'Not acknowledged: retried with back-off, as is any other answer, a redirect or no answer in time.' },
          },
        },
      };
    }
  }

  private completeOperation(op: Json, facts: OperationFacts): void {
    // Headers the route declared by their lower-case name become the shared, documented ones.
    op.parameters = ((op.parameters as Json[] | undefined) ?? []).map((p) => (p.in === 'header' && String(p.name).toLowerCase() === 'if-match' ? { $ref: '#/components/parameters/IfMatch' } : p));
    if (facts.idempotent) op.parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
    if (!op.parameters.length) delete op.parameters;

    const responses = op.responses as Json;
    for (const [status, response] of Object.entries(responses)) {
      if (response.$ref) continue;
      if (response.description === 'Default Response') response.description = STATUS_TEXT[status] ?? status;
      const declared: Json = {};
      for (const [name, h] of Object.entries((response.headers as Json | undefined) ?? {})) {
        const shared = Object.keys(COMPONENT_HEADERS).find((n) => n.toLowerCase() === name.toLowerCase());
        declared[shared ?? name] = shared ? header(shared) : h;
      }
      response.headers = {
        ...(facts.api ? apiHeaders() : { 'X-Request-Id': header('X-Request-Id') }),
        ...(facts.idempotent && status.startsWith('2') ? { 'Idempotent-Replayed': header('Idempotent-Replayed') } : {}),
        ...declared,
      };
    }
    responses['4XX'] ??= { $ref: `#/components/responses/${facts.api ? (facts.idempotent ? 'ReplayableProblem' : 'Problem') : 'SystemProblem'}` };
    if (facts.api) responses['429'] ??= { $ref: '#/components/responses/TooManyRequests' };
    responses['5XX'] ??= { $ref: `#/components/responses/${facts.api ? 'Problem' : 'SystemProblem'}` };
  }
}
