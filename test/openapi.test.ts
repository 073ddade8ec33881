// The OpenAPI document an integrator reads, as the server publishes it: every operation named,
// its success answer and content type declared, errors as the problem+json they are, the headers
// that are sent (Idempotency-Key, If-Match, ETag, X-Request-Id, the rate-limit headers), typed
// schemas where they used to say nothing, and a client made by a second generator that compiles.
// (`npm run lint:openapi`, a CI step, runs Redocly's and Spectral's rules on the same document.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppWithoutDatabase, buildOpenApiDocument } from '../scripts/generate-client.js';
import { EVENT_TYPES } from '../src/events.js';
import { OPERATION_IDS } from '../src/platform/http/operations.js';
import { startTestServer, type TestServer } from './helpers/server.js';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

let doc: Json;
const operations: Array<{ key: string; path: string; method: string; op: Json }> = [];
beforeAll(async () => {
  doc = await buildOpenApiDocument();
  for (const [p, item] of Object.entries(doc.paths as Json)) {
    for (const m of METHODS) if (item[m]) operations.push({ key: `${m.toUpperCase()} ${p}`, path: p, method: m, op: item[m] });
  }
}, 60_000);

/** Follows a local $ref (`#/components/...`). */
const deref = (x: Json): Json => (x?.$ref ? deref(x.$ref.slice(2).split('/').reduce((o: Json, k: string) => o[k], doc)) : x);
const byId = (id: string) => operations.find((o) => o.op.operationId === id)!;

describe('the OpenAPI document', () => {
  it('names every operation once, with the stable readable names of src/platform/http/operations.ts', () => {
    expect(operations.length).toBe(Object.keys(OPERATION_IDS).length);
    for (const { key, op } of operations) expect(op.operationId, key).toBe(OPERATION_IDS[key]);
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(byId('listProducts').key).toBe('GET /v1/products');
    expect(byId('checkoutCart').key).toBe('POST /v1/carts/{id}/checkout');
    expect(byId('getOrder').key).toBe('GET /v1/orders/{id}');
    expect(byId('getCategory').key).toBe('GET /v1/categories/{id}');
  });

  it('refuses to start when a route has no name, and names no route twice', async () => {
    const app = await buildAppWithoutDatabase();
    try {
      expect(() => app.get('/v1/unnamed-thing', { config: { access: 'public' }, schema: { summary: 'x' } }, async () => 'x')).toThrow(/GET \/v1\/unnamed-thing has no operationId: add it to OPERATION_IDS/);
    } finally {
      await app.close();
    }
    const names = Object.values(OPERATION_IDS);
    expect(new Set(names).size).toBe(names.length);
  });

  it('declares the success answer of every operation with its content type, and each error as problem+json', () => {
    for (const { key, op } of operations) {
      const success = Object.entries(op.responses as Json).filter(([status]) => /^[23]/.test(status));
      expect(success.length, `${key} declares no success answer`).toBeGreaterThan(0);
      for (const [status, r] of success) if (status !== '204' && status !== '304') expect(Object.keys(deref(r).content ?? {}), `${key} ${status} has no content type`).not.toHaveLength(0);
      for (const status of ['4XX', '5XX']) {
        const problem = deref(op.responses[status]);
        expect(Object.keys(problem.content), `${key} ${status}`).toEqual(['application/problem+json']);
        expect(problem.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
    // What the issue found without a body or answer.
    expect(Object.keys(byId('startImport').op.requestBody.content)).toEqual(expect.arrayContaining(['text/csv', 'application/x-ndjson', 'application/gzip']));
    expect(Object.keys(byId('collectBeacon').op.requestBody.content)).toEqual(['text/plain', 'application/json']);
    expect(Object.keys(byId('exportProducts').op.responses['200'].content)).toEqual(['text/csv', 'application/x-ndjson']);
    expect(Object.keys(byId('getPickupQrCode').op.responses['200'].content)).toEqual(['image/svg+xml']);
    // A validation problem says where each field is.
    const fieldError = deref(doc.components.schemas.Problem).properties.errors.items;
    expect(fieldError.required).toEqual(['field', 'in', 'message']);
  });

  it('declares the headers that are sent: X-Request-Id and the rate limit on every answer, 429 with Retry-After, Idempotency-Key, If-Match and ETag where they apply', () => {
    for (const { key, op, path: p, method } of operations) {
      for (const [status, r] of Object.entries(op.responses as Json)) {
        const headers = Object.keys(deref(r).headers ?? {});
        expect(headers, `${key} ${status}`).toContain('X-Request-Id');
        if (p.startsWith('/v1')) expect(headers, `${key} ${status}`).toEqual(expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']));
      }
      if (p.startsWith('/v1')) expect(Object.keys(deref(op.responses['429']).headers), key).toContain('Retry-After');
      const params = (op.parameters ?? []).map((x: Json) => deref(x)).filter((x: Json) => x.in === 'header').map((x: Json) => x.name);
      // Only POSTs take it, and only those that honour it (sign-in does not).
      if (method !== 'post' || op.operationId === 'signInStaff') expect(params, key).not.toContain('Idempotency-Key');
      if (['createProduct', 'checkoutCart', 'createReturn', 'createApiKey'].includes(op.operationId)) expect(params, key).toContain('Idempotency-Key');
    }
    expect(Object.keys(byId('checkoutCart').op.responses['201'].headers)).toContain('Idempotent-Replayed');
    expect(Object.keys(deref(byId('checkoutCart').op.responses['4XX']).headers)).toContain('Idempotent-Replayed');
    for (const id of ['updateProduct', 'updateStaffUser', 'updateCategory', 'updateLocation', 'updateStockLevel', 'updatePromotion', 'updateWebhookEndpoint', 'updatePriceList', 'setIdentityRules', 'shipFulfilment']) {
      const { op } = byId(id);
      expect(op.parameters.map((x: Json) => deref(x).name), id).toContain('If-Match');
      expect(Object.keys(op.responses['200'].headers), id).toContain('ETag');
    }
    for (const id of ['getProduct', 'getStaffUser', 'getCategory', 'getLocation', 'getStockLevel', 'getPromotion', 'getWebhookEndpoint', 'getPriceList', 'getIdentityRules', 'getFulfilment', 'listProducts']) {
      expect(Object.keys(byId(id).op.responses['200'].headers), id).toContain('ETag');
    }
    expect(Object.keys(byId('createProduct').op.responses['201'].headers)).toEqual(expect.arrayContaining(['ETag', 'Location']));
  });

  it('types what it used to leave unknown', () => {
    const s = doc.components.schemas;
    const typed = (schema: Json, where: string) => expect(Object.keys(schema).some((k) => ['type', '$ref', 'anyOf', 'oneOf', 'allOf'].includes(k)), `${where} has no type`).toBe(true);
    typed(s.Profile.properties.computed, 'Profile.computed');
    expect(deref(s.ComputedTraits).properties).toHaveProperty('revenue');
    typed(s.Order.properties.vat, 'Order.vat');
    typed(s.Order.properties.promotions, 'Order.promotions');
    typed(s.Order.properties.lines.items.properties.adjustments, 'Order.lines[].adjustments');
    typed(s.Fulfilment.properties.sourcing, 'Fulfilment.sourcing');
    for (const f of ['properties', 'traits', 'context']) typed(s.CollectedEvent.properties[f], `CollectedEvent.${f}`);
  });

  it('the returns preview takes the same body as creating a return', () => {
    const body = (id: string) => byId(id).op.requestBody.content['application/json'].schema;
    expect(body('previewReturn')).toEqual({ $ref: '#/components/schemas/ReturnRequest' });
    expect(body('createReturn')).toEqual(body('previewReturn'));
  });

  it(
    'gives a second generator (@hey-api/openapi-ts) a client that compiles with tsc --strict, its operations named and its answers typed',
    async () => {
      const { createClient } = await import('@hey-api/openapi-ts');
      const dir = mkdtempSync(path.join(tmpdir(), 'winkel-hey-api-'));
      try {
        await createClient({ input: JSON.parse(JSON.stringify(doc)), output: { path: path.join(dir, 'client') }, logs: { level: 'silent' } } as never);
        // Code an integrator would write against it: named operations, typed answers and errors.
        writeFileSync(
          path.join(dir, 'usage.ts'),
          `import { checkoutCart, createReturn, getCategory, getOrder, listProducts, previewReturn } from './client/index';
import type { CollectedEvent, Fulfilment, Order, Problem, Profile, ReturnRequest } from './client/types.gen';

export async function firstPage(): Promise<number> {
  const { data } = await listProducts({ query: { limit: 10 } });
  return data?.data.length ?? 0;
}
export async function buy(cartId: string): Promise<string | undefined> {
  const { data } = await checkoutCart({ path: { id: cartId }, body: { expectedTotal: 2295 }, headers: { 'Idempotency-Key': 'a-key' } });
  return data?.id;
}
export async function category(id: string): Promise<string | undefined> {
  return (await getCategory({ path: { id } })).data?.slug;
}
export async function order(id: string): Promise<Order | undefined> {
  return (await getOrder({ path: { id } })).data;
}
export const vatRates = (o: Order): number[] => o.vat.rows.map((r) => r.rate);
export const promotionNames = (o: Order): string[] => o.promotions.map((p) => p.name);
export const lineDiscounts = (o: Order): number => o.lines.flatMap((l) => l.adjustments).reduce((sum, a) => sum + a.amount, 0);
export const lifetimeValue = (p: Profile): number | undefined => p.computed?.revenue;
export const sourcingReasons = (f: Fulfilment): string[] => (f.sourcing ?? []).flatMap((s) => s.reasons);
export const eventProperties = (e: CollectedEvent): Record<string, unknown> | null => e.properties;
export const wrongFields = (p: Problem): string[] => (p.errors ?? []).map((e) => e.in + ' ' + e.field);
export const previewThenCreate = async (body: ReturnRequest) => [await previewReturn({ body }), await createReturn({ body })];
`,
        );
        writeFileSync(
          path.join(dir, 'tsconfig.json'),
          JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], skipLibCheck: true }, include: ['**/*.ts'] }),
        );
        const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
        expect(tsc.stdout + tsc.stderr, 'the generated client does not compile').toBe('');
        expect(tsc.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('lists every event type under `webhooks`: the delivery POST with its signature headers and that type’s payload schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.webhooks)).toEqual(EVENT_TYPES.map((e) => e.type));
    for (const e of EVENT_TYPES) {
      const post = doc.webhooks[e.type].post;
      expect(post.summary, e.type).toBe(e.type);
      const headers = (post.parameters as Json[]).map((p) => deref(p)).map((p) => `${p.in}:${p.name}`);
      expect(headers).toEqual(['header:Winkel-Signature', 'header:Winkel-Event-Id', 'header:Winkel-Event-Type', 'header:Winkel-Delivery-Id', 'header:Winkel-Attempt']);
      const body = deref(post.requestBody.content['application/json'].schema);
      expect(body.properties.type, e.type).toEqual({ type: 'string', const: e.type });
      expect(body.required).toEqual(['id', 'type', 'occurredAt', 'aggregate', 'customerId', 'actor', 'data']);
      // The payload schema is the catalogue's own (src/modules/*/events.ts), as JSON.
      expect(body.properties.data, e.type).toEqual(JSON.parse(JSON.stringify(e.payload)));
      expect(Object.keys(post.responses)).toEqual(['2XX', '4XX']);
    }
    const placed = deref(doc.webhooks['order.placed'].post.requestBody.content['application/json'].schema).properties.data;
    expect(placed.required).toEqual(expect.arrayContaining(['order', 'customer', 'payAtPickup']));
    expect(placed.properties.order.properties.total.type).toBe('integer');
  });
});

describe('as served', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Rate limiting on, as in production, so its headers are sent.
    s = await startTestServer({ apiRateLimit: 100_000 });
  });
  afterAll(() => s?.close());

  it('sends the documented headers, and a category by id with its ETag, refusing a stale If-Match', async () => {
    const created = await s.call('POST', '/v1/categories', { body: { name: { en: 'Lamps' } } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/categories/${created.body.id}`);
    const got = await s.call('GET', `/v1/categories/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: created.body.id, slug: 'lamps', displayName: 'Lamps', version: 1 });
    for (const h of ['etag', 'x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) expect(got.headers.get(h), h).toBeTruthy();
    const changed = await s.call('PATCH', `/v1/categories/${created.body.id}`, { body: { name: { en: 'Lights' } }, headers: { 'if-match': '"1"' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    const stale = await s.call('PATCH', `/v1/categories/${created.body.id}`, { body: { name: { en: 'Lamps' } }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    for (const h of ['x-request-id', 'ratelimit-limit']) expect(stale.headers.get(h), h).toBeTruthy();
    const missing = await s.call('GET', '/v1/categories/cat_00000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });
});
