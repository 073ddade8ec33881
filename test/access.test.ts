// Every operation in the OpenAPI document states who may call it, and the server enforces it:
// without a credential → 401, with a credential lacking the permission → 403. A new route without
// an access rule cannot even start (see the last test).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let noScopeKey: string;
let publishableKey: string;
let associateToken: string;

beforeAll(async () => {
  s = await startTestServer();
  noScopeKey = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'no scopes', scopes: [] } })).body.token;
  publishableKey = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  await s.call('POST', '/v1/staff-users', { body: { email: 'assoc@test.example', name: 'Asha', role: 'store_associate', password: 'associate-pass-1' } });
  associateToken = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'assoc@test.example', password: 'associate-pass-1' } })).body.token;
});
afterAll(() => s?.close());

function concrete(path: string) {
  return path.replace(/\{[^}]+\}/g, 'xyz_00000000000000000000000000');
}

describe('access rules on every operation', () => {
  it('states each operation’s access rule once in its description', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    const staff = doc.paths['/v1/staff-users'].get.description as string;
    expect(staff.match(/Requires permission/g)).toHaveLength(1);
  });

  it('OpenAPI 3.1 with named components and a security rule per operation', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    expect(doc.openapi).toBe('3.1.0');
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['Problem', 'StaffUser', 'ApiKey', 'WebhookEndpoint', 'WebhookDelivery', 'AuditEntry']));
    expect(names.some((n) => /^def-\d+$/.test(n))).toBe(false);
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/v1')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        expect(op.security, `${method.toUpperCase()} ${path} has no security`).toBeDefined();
      }
    }
  });

  it('no credential gives 401 and a credential without the permission gives 403, on every protected operation', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    let checked = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/v1')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        const url = concrete(path);
        const m = method.toUpperCase();
        const body = m === 'GET' || m === 'DELETE' ? undefined : {};
        if (op.security.length === 0) continue; // public
        const anon = await s.call(m, url, { token: null, body });
        expect(anon.status, `${m} ${path} without credentials`).toBe(401);
        expect(anon.headers.get('content-type')).toContain('application/problem+json');
        const bad = await s.call(m, url, { token: 'sk_this-key-does-not-exist', body });
        expect(bad.status, `${m} ${path} with an unknown key`).toBe(401);
        // Operations open to any credential (e.g. who-am-I) have nothing to deny.
        const anyCredential = op.security.every((alt: Record<string, string[]>) => Object.values(alt).every((scopes) => scopes.length === 0)) && op.security.some((alt: Record<string, string[]>) => 'secretKey' in alt);
        if (anyCredential) {
          expect((await s.call(m, url, { token: noScopeKey, body })).status, `${m} ${path} with any key`).not.toBe(403);
          checked++;
          continue;
        }
        const denied = await s.call(m, url, { token: noScopeKey, body });
        expect(denied.status, `${m} ${path} with a key without scopes`).toBe(403);
        const schemes = op.security.flatMap((alt: Record<string, string[]>) => Object.keys(alt));
        if (!schemes.includes('publishableKey')) {
          const pk = await s.call(m, url, { token: publishableKey, body });
          expect(pk.status, `${m} ${path} with a publishable key`).toBe(403);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a store associate cannot manage staff, keys or webhooks', async () => {
    for (const [m, p, body] of [
      ['POST', '/v1/staff-users', { email: 'x@test.example', name: 'X', role: 'admin' }],
      ['POST', '/v1/api-keys', { kind: 'secret', name: 'x' }],
      ['GET', '/v1/webhook-endpoints', undefined],
      ['GET', '/v1/audit-log', undefined],
    ] as const) {
      const r = await s.call(m, p, { token: associateToken, body });
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.body.detail).toMatch(/permission/);
    }
  });

  it('a key cannot grant more than its creator has', async () => {
    const limited = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'key manager', scopes: ['api_keys:write'] } })).body.token;
    const r = await s.call('POST', '/v1/api-keys', { token: limited, body: { kind: 'secret', name: 'escalate', scopes: ['staff:write'] } });
    expect(r.status).toBe(403);
  });

  it('a revoked key stops working at once', async () => {
    const created = await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'temp', scopes: ['staff:read'] } });
    expect((await s.call('GET', '/v1/staff-users', { token: created.body.token })).status).toBe(200);
    await s.call('POST', `/v1/api-keys/${created.body.apiKey.id}/revoke`);
    expect((await s.call('GET', '/v1/staff-users', { token: created.body.token })).status).toBe(401);
  });

  it('a route registered without an access rule fails at start-up', async () => {
    const app = Fastify();
    const { securityFor } = await import('../src/platform/http/access.js');
    expect(securityFor('public')).toEqual([]);
    // The same onRoute rule buildApp installs: exercised through the real app builder.
    const { buildApp } = await import('../src/app.js');
    const built = await buildApp({ ...(s.winkel as any), config: s.config, db: s.winkel.db, log: s.winkel.log, publicUrl: s.url, embedded: false, staffPrincipals: { resolve: async () => null, clear() {} } as any, wake: { webhooks() {} }, version: 'test' });
    expect(() => built.get('/v1/unguarded', async () => 'oops')).toThrow(/declares no access rule/);
    await built.close();
    await app.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Store scope (docs/API.md, "Store scope"): staff users and secret keys limited to stores see and
// change the data of those stores only. Every operation of the OpenAPI document is walked as store
// A's associate and as a secret key of store A holding every permission, against fixtures of store
// B: an order with its fulfilment, payments and a customer's mail return, another order still to
// be picked, stock levels and a movement, a reservation, a transfer, a count, a purchase order, a
// staff user and a key. Each operation is classified below; a new one fails the test until it is.
// Store-scoped operations must refuse (403/404) or answer without store B's data, and nothing of
// store B may have changed after the walk.
// ---------------------------------------------------------------------------------------------
type Fixtures = Record<
  | 'storeA' | 'storeB' | 'dc' | 'variant' | 'sku' | 'supplier' | 'customerId' | 'customerEmail'
  | 'orderB' | 'orderB2' | 'fulfilmentB' | 'fulfilmentB2' | 'returnB' | 'reservationB' | 'transferB'
  | 'countB' | 'poB' | 'staffB' | 'staffBEmail' | 'keyB' | 'movementRefB' | 'orderA' | 'orderLineB',
  string
> & { paymentIdsB: string[] };
type Probe = { path: string; body?: unknown; expect: 'denied' | 'clean'; allow?: string[]; alsoHide?: string[] };

const CARD = { method: 'test_card', cardNumber: '4242424242424242' };

/**
 * The store-scoped operations and how store A's staff try them on store B's data. `denied`: 403 or
 * 404 (nothing changes); `clean`: any non-5xx answer that names none of store B's things (`allow`
 * lists those a route may name by design, `alsoHide` adds store B's location itself for answers
 * that list store data per location).
 */
function storeScoped(f: Fixtures): Record<string, Probe[]> {
  const B = f.storeB;
  const returnLine = { orderLineId: f.orderLineB, quantity: 1, reason: 'changed_mind' };
  return {
    // Staff users and keys: those limited to the caller's stores.
    'GET /v1/staff-users': [{ path: '/v1/staff-users', expect: 'clean' }],
    'POST /v1/staff-users': [
      { path: '/v1/staff-users', body: { email: 'new-b@test.example', name: 'B', role: 'store_associate', storeIds: [B] }, expect: 'denied' },
      { path: '/v1/staff-users', body: { email: 'new-all@test.example', name: 'All', role: 'store_associate', storeIds: null }, expect: 'denied' },
    ],
    'GET /v1/staff-users/{id}': [{ path: `/v1/staff-users/${f.staffB}`, expect: 'denied' }],
    'PATCH /v1/staff-users/{id}': [{ path: `/v1/staff-users/${f.staffB}`, body: { status: 'disabled' }, expect: 'denied' }],
    'GET /v1/api-keys': [{ path: '/v1/api-keys', expect: 'clean' }],
    'POST /v1/api-keys': [
      { path: '/v1/api-keys', body: { kind: 'secret', name: 'for B', scopes: ['inventory:read'], storeIds: [B] }, expect: 'denied' },
      { path: '/v1/api-keys', body: { kind: 'secret', name: 'for all', scopes: ['inventory:read'], storeIds: null }, expect: 'denied' },
    ],
    'GET /v1/api-keys/{id}': [{ path: `/v1/api-keys/${f.keyB}`, expect: 'denied' }],
    'POST /v1/api-keys/{id}/revoke': [{ path: `/v1/api-keys/${f.keyB}/revoke`, expect: 'denied' }],
    'GET /v1/audit-log': [{ path: '/v1/audit-log?limit=200', expect: 'clean' }],
    // Locations: a store's own settings.
    'POST /v1/locations': [{ path: '/v1/locations', body: { code: 'NEW-BY-A', name: 'New', type: 'store' }, expect: 'denied' }],
    'PATCH /v1/locations/{id}': [{ path: `/v1/locations/${B}`, body: { status: 'closed' }, expect: 'denied' }],
    // Stock and its ledger.
    'GET /v1/locations/{id}/stock': [{ path: `/v1/locations/${B}/stock`, expect: 'denied' }],
    'GET /v1/stock': [
      { path: `/v1/stock?sku=${f.sku}`, expect: 'clean', alsoHide: [B] },
      { path: `/v1/stock?variantId=${f.variant}`, expect: 'clean', alsoHide: [B] },
    ],
    'GET /v1/stock/levels/{variantId}/{locationId}': [{ path: `/v1/stock/levels/${f.variant}/${B}`, expect: 'denied' }],
    'PATCH /v1/stock/levels/{variantId}/{locationId}': [{ path: `/v1/stock/levels/${f.variant}/${B}`, body: { safetyStock: 7 }, expect: 'denied' }],
    'POST /v1/stock/movements': [{ path: '/v1/stock/movements', body: { sku: f.sku, locationId: B, type: 'damage', quantity: 1 }, expect: 'denied' }],
    'GET /v1/stock/movements': [
      { path: `/v1/stock/movements?locationId=${B}`, expect: 'denied' },
      { path: `/v1/stock/movements?variantId=${f.variant}&limit=200`, expect: 'clean', alsoHide: [B] },
      { path: '/v1/stock/movements?limit=200', expect: 'clean', alsoHide: [B] },
    ],
    'POST /v1/reservations': [{ path: '/v1/reservations', body: { lines: [{ variantId: f.variant, locationId: B, quantity: 1 }] }, expect: 'denied' }],
    'GET /v1/reservations/{id}': [{ path: `/v1/reservations/${f.reservationB}`, expect: 'denied' }],
    'POST /v1/reservations/{id}/release': [{ path: `/v1/reservations/${f.reservationB}/release`, expect: 'denied' }],
    'POST /v1/reservations/{id}/convert': [{ path: `/v1/reservations/${f.reservationB}/convert`, expect: 'denied' }],
    'POST /v1/reservations/{id}/extend': [{ path: `/v1/reservations/${f.reservationB}/extend`, body: { ttlMinutes: 5 }, expect: 'denied' }],
    // Transfers (either end), counts, purchase orders, replenishment.
    'GET /v1/transfers': [
      { path: '/v1/transfers?limit=200', expect: 'clean' },
      { path: `/v1/transfers?locationId=${B}`, expect: 'denied' },
    ],
    'POST /v1/transfers': [{ path: '/v1/transfers', body: { fromLocationId: B, toLocationId: f.dc, lines: [{ variantId: f.variant, quantity: 1 }] }, expect: 'denied' }],
    'GET /v1/transfers/{id}': [{ path: `/v1/transfers/${f.transferB}`, expect: 'denied' }],
    'POST /v1/transfers/{id}/ship': [{ path: `/v1/transfers/${f.transferB}/ship`, body: {}, expect: 'denied' }],
    'POST /v1/transfers/{id}/receive': [{ path: `/v1/transfers/${f.transferB}/receive`, body: {}, expect: 'denied' }],
    'POST /v1/transfers/{id}/cancel': [{ path: `/v1/transfers/${f.transferB}/cancel`, expect: 'denied' }],
    'POST /v1/count-sheets': [{ path: '/v1/count-sheets', body: { locationId: B, variantIds: [f.variant] }, expect: 'denied' }],
    'GET /v1/count-sheets': [
      { path: '/v1/count-sheets?limit=200', expect: 'clean' },
      { path: `/v1/count-sheets?locationId=${B}`, expect: 'denied' },
    ],
    'GET /v1/count-sheets/{id}': [{ path: `/v1/count-sheets/${f.countB}`, expect: 'denied' }],
    'POST /v1/count-sheets/{id}/counts': [{ path: `/v1/count-sheets/${f.countB}/counts`, body: { counts: [{ variantId: f.variant, counted: 1 }], submit: true }, expect: 'denied' }],
    'POST /v1/count-sheets/{id}/approve': [{ path: `/v1/count-sheets/${f.countB}/approve`, expect: 'denied' }],
    'POST /v1/count-sheets/{id}/reject': [{ path: `/v1/count-sheets/${f.countB}/reject`, expect: 'denied' }],
    'GET /v1/purchase-orders': [{ path: '/v1/purchase-orders?limit=200', expect: 'clean' }],
    'POST /v1/purchase-orders': [{ path: '/v1/purchase-orders', body: { supplierId: f.supplier, locationId: B, lines: [{ variantId: f.variant, quantity: 1 }] }, expect: 'denied' }],
    'GET /v1/purchase-orders/{id}': [{ path: `/v1/purchase-orders/${f.poB}`, expect: 'denied' }],
    'POST /v1/purchase-orders/{id}/send': [{ path: `/v1/purchase-orders/${f.poB}/send`, expect: 'denied' }],
    'POST /v1/purchase-orders/{id}/receive': [{ path: `/v1/purchase-orders/${f.poB}/receive`, body: {}, expect: 'denied' }],
    'POST /v1/purchase-orders/{id}/cancel': [{ path: `/v1/purchase-orders/${f.poB}/cancel`, expect: 'denied' }],
    'GET /v1/replenishment/suggestions': [{ path: `/v1/replenishment/suggestions?locationId=${B}`, expect: 'denied' }],
    'POST /v1/replenishment/orders': [{ path: '/v1/replenishment/orders', body: { locationId: B, fromLocationId: f.dc }, expect: 'denied' }],
    // Orders and everything under them.
    'GET /v1/orders': [
      { path: '/v1/orders?limit=200', expect: 'clean' },
      { path: `/v1/orders?storeId=${B}`, expect: 'denied' },
      { path: `/v1/orders?customerId=${f.customerId}`, expect: 'clean' },
    ],
    'GET /v1/orders/{id}': [{ path: `/v1/orders/${f.orderB}`, expect: 'denied' }],
    'POST /v1/orders/{id}/notes': [{ path: `/v1/orders/${f.orderB}/notes`, body: { body: 'from store A' }, expect: 'denied' }],
    'GET /v1/orders/{id}/notes': [{ path: `/v1/orders/${f.orderB}/notes`, expect: 'denied' }],
    'POST /v1/orders/{id}/lines/{lineId}/cancel': [{ path: `/v1/orders/${f.orderB2}/lines/x/cancel`, body: {}, expect: 'denied' }],
    'POST /v1/orders/{id}/pickup-store': [{ path: `/v1/orders/${f.orderB2}/pickup-store`, body: { locationId: f.storeA }, expect: 'denied' }],
    'GET /v1/orders/{id}/payments': [{ path: `/v1/orders/${f.orderB}/payments`, expect: 'denied' }],
    'POST /v1/orders/{id}/payments/capture': [{ path: `/v1/orders/${f.orderB2}/payments/capture`, body: {}, expect: 'denied' }],
    'POST /v1/orders/{id}/payments/refund': [{ path: `/v1/orders/${f.orderB}/payments/refund`, body: { amount: 1, reason: 'from store A' }, expect: 'denied' }],
    'POST /v1/orders/{id}/payments/void': [{ path: `/v1/orders/${f.orderB2}/payments/void`, body: {}, expect: 'denied' }],
    'GET /v1/orders/{id}/receipt': [{ path: `/v1/orders/${f.orderB}/receipt`, expect: 'denied' }],
    'GET /v1/orders/{id}/receipt.pdf': [{ path: `/v1/orders/${f.orderB}/receipt.pdf`, expect: 'denied' }],
    'GET /v1/fulfilments': [
      { path: '/v1/fulfilments?limit=200', expect: 'clean' },
      { path: `/v1/fulfilments?locationId=${B}`, expect: 'denied' },
      { path: `/v1/fulfilments?orderId=${f.orderB2}`, expect: 'clean' },
    ],
    'GET /v1/fulfilments/{id}': [{ path: `/v1/fulfilments/${f.fulfilmentB2}`, expect: 'denied' }],
    'GET /v1/orders/{id}/fulfilments': [{ path: `/v1/orders/${f.orderB2}/fulfilments`, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/pick': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/pick`, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/pack': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/pack`, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/ship': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/ship`, body: { carrier: 'manual', trackingNumber: 'A-1' }, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/deliver': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/deliver`, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/ready': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/ready`, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/handover': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/handover`, body: { code: '123456' }, expect: 'denied' }],
    'POST /v1/fulfilments/{id}/cancel': [{ path: `/v1/fulfilments/${f.fulfilmentB2}/cancel`, body: {}, expect: 'denied' }],
    // Returns: taken at any store, so the order lookup and the refund preview answer for any
    // order, with what a return needs and nothing about the customer; the rest is scoped.
    'GET /v1/returns/order-lookup': [
      { path: `/v1/returns/order-lookup?orderId=${f.orderB}`, expect: 'clean', alsoHide: [f.customerId, f.customerEmail] },
      { path: `/v1/returns/order-lookup?email=${encodeURIComponent(f.customerEmail)}`, expect: 'clean', allow: [f.orderB, f.orderB2], alsoHide: [f.customerId] },
    ],
    'POST /v1/returns/preview': [{ path: '/v1/returns/preview', body: { orderId: f.orderB, lines: [returnLine] }, expect: 'clean', allow: [f.orderB, ...f.paymentIdsB] }],
    'POST /v1/returns': [
      { path: '/v1/returns', body: { orderId: f.orderB, method: 'mail', lines: [returnLine] }, expect: 'denied' },
      { path: '/v1/returns', body: { orderId: f.orderB, method: 'in_store', locationId: B, lines: [{ ...returnLine, outcome: 'restock' }] }, expect: 'denied' },
    ],
    'GET /v1/returns': [
      { path: '/v1/returns?limit=200', expect: 'clean' },
      { path: `/v1/returns?customerId=${f.customerId}`, expect: 'clean' },
      { path: `/v1/returns?orderId=${f.orderB}`, expect: 'clean' },
      { path: `/v1/returns?locationId=${B}`, expect: 'denied' },
    ],
    'GET /v1/returns/{id}': [{ path: `/v1/returns/${f.returnB}`, expect: 'denied' }],
    'POST /v1/returns/{id}/receive': [{ path: `/v1/returns/${f.returnB}/receive`, body: { locationId: B, outcomes: [{ returnLineId: 'x', outcome: 'restock' }] }, expect: 'denied' }],
    'POST /v1/returns/{id}/cancel': [{ path: `/v1/returns/${f.returnB}/cancel`, expect: 'denied' }],
    // A store's visitors.
    'POST /v1/collect/store-visit': [{ path: '/v1/collect/store-visit', body: { storeId: B, method: 'scan', anonymousId: 'anon-scope-test' }, expect: 'denied' }],
  };
}

/** What spans every store and cannot be cut by store: refused to callers scoped to stores. */
const ALL_STORES_ONLY = [
  'GET /v1/events',
  'GET /v1/webhook-endpoints',
  'POST /v1/webhook-endpoints',
  'GET /v1/webhook-endpoints/{id}',
  'PATCH /v1/webhook-endpoints/{id}',
  'DELETE /v1/webhook-endpoints/{id}',
  'POST /v1/webhook-endpoints/{id}/ping',
  'GET /v1/webhook-deliveries',
  'GET /v1/webhook-deliveries/{id}',
  'POST /v1/webhook-deliveries/{id}/replay',
  'GET /v1/devtools/emails',
  'GET /v1/devtools/emails/{id}',
];

/**
 * Customer data (profiles, timelines, consents, exports, erasure) belongs to the chain: a customer
 * is served in every store (docs/API.md), so these routes may name the customer and their orders.
 */
const CUSTOMER_DATA = new Set([
  'GET /v1/collect/timeline', 'GET /v1/profiles', 'GET /v1/profiles/lookup', 'GET /v1/profiles/{id}', 'GET /v1/profiles/{id}/timeline',
  'GET /v1/consents', 'POST /v1/consents', 'GET /v1/privacy/export', 'GET /v1/privacy/erasures', 'POST /v1/privacy/erasures',
  'POST /v1/profiles/{id}/unmerge', 'GET /v1/identity-rules', 'PUT /v1/identity-rules',
]);
/**
 * Not store data: the caller's own sessions, customer-only and public routes, the chain's catalog,
 * prices, promotions, imports, the stores' public facts, suppliers, gift cards. Called with
 * placeholders; their answers still must not name store B's things.
 */
const CHAIN_DATA = new Set([
  // The caller's own sign-in and sessions; customers' own accounts and data ("me").
  'POST /v1/auth/sign-in', 'POST /v1/auth/password-reset', 'POST /v1/auth/password-reset/confirm', 'POST /v1/auth/sign-out', 'GET /v1/auth/me', 'GET /v1/auth/sessions', 'DELETE /v1/auth/sessions/{id}', 'GET /v1/roles', 'GET /v1/event-types',
  'POST /v1/customer-auth/sign-up', 'POST /v1/customer-auth/sign-in', 'POST /v1/customer-auth/sign-out', 'GET /v1/customer-auth/me', 'GET /v1/customer-auth/sessions',
  'DELETE /v1/customer-auth/sessions/{id}', 'POST /v1/customer-auth/password-reset', 'POST /v1/customer-auth/password-reset/confirm',
  'GET /v1/me/orders', 'GET /v1/me/consents', 'PUT /v1/me/consents', 'GET /v1/me/export', 'POST /v1/me/erasure',
  // The catalog, prices, promotions and their imports: one for the chain.
  'GET /v1/products', 'POST /v1/products', 'GET /v1/products/{id}', 'PATCH /v1/products/{id}', 'GET /v1/variants/by-barcode/{code}', 'GET /v1/variants/{id}',
  'GET /v1/categories', 'GET /v1/categories/{id}', 'POST /v1/categories', 'PATCH /v1/categories/{id}', 'DELETE /v1/categories/{id}', 'GET /v1/attributes', 'POST /v1/attributes',
  'GET /v1/price-lists', 'POST /v1/price-lists', 'GET /v1/price-lists/{id}', 'PATCH /v1/price-lists/{id}', 'GET /v1/price-lists/{id}/prices',
  'POST /v1/price-lists/{id}/prices', 'DELETE /v1/price-lists/{id}/prices/{variantId}', 'GET /v1/prices/resolve',
  'POST /v1/imports', 'GET /v1/imports', 'GET /v1/imports/{id}', 'GET /v1/imports/{id}/rejections', 'GET /v1/exports/products',
  'GET /v1/promotions', 'POST /v1/promotions', 'GET /v1/promotions/{id}', 'PATCH /v1/promotions/{id}', 'GET /v1/promotions/{id}/coupons',
  'POST /v1/promotions/{id}/coupons', 'POST /v1/promotions/{id}/coupon-batches', 'POST /v1/pricing/quote', 'POST /v1/promotions/preview',
  // What every shopper may see of the stores: their facts, availability, the return policy, pickup QR codes (by their secret token).
  'GET /v1/locations', 'GET /v1/locations/{id}', 'GET /v1/availability', 'POST /v1/back-in-stock', 'DELETE /v1/back-in-stock/{id}',
  'GET /v1/return-policy', 'GET /v1/fulfilments/{id}/pickup-qr.svg', 'GET /v1/carriers', 'POST /v1/sourcing/preview', 'GET /v1/storefront/config',
  // Suppliers are the chain's; what is ordered from them for a store is the purchase order (scoped).
  'GET /v1/suppliers', 'POST /v1/suppliers', 'GET /v1/suppliers/{id}', 'POST /v1/suppliers/{id}/items',
  // Gift cards are a tender of the whole chain: sold in one store, spent in any.
  'POST /v1/gift-cards', 'GET /v1/gift-cards', 'GET /v1/gift-cards/{id}', 'PATCH /v1/gift-cards/{id}', 'POST /v1/gift-cards/balance',
  'POST /v1/gift-cards/{id}/reload', 'POST /v1/gift-cards/redeem', 'POST /v1/payments/webhooks/{provider}',
  // Collected behaviour and consent (customer data, see below).
  'POST /v1/collect/track', 'POST /v1/collect/identify', 'POST /v1/collect/page', 'POST /v1/collect/screen', 'POST /v1/collect/alias', 'POST /v1/collect/batch',
  'POST /v1/collect/social', 'POST /v1/sdk/beacon', 'GET /v1/sdk/consents', 'PUT /v1/sdk/consents', 'POST /v1/consents/unsubscribe-links',
  'GET /v1/consents/unsubscribe', 'POST /v1/consents/unsubscribe',
]);
/** Carts: who may use one is the cart's ownership (a customer session, a guest's secret, a store's staff), tested with the carts. */
const CARTS = new Set(['POST /v1/carts', 'GET /v1/carts/{id}', 'POST /v1/carts/{id}/lines', 'PATCH /v1/carts/{id}/lines/{lineId}', 'PUT /v1/carts/{id}/customer', 'POST /v1/carts/{id}/coupons', 'POST /v1/carts/{id}/claim', 'POST /v1/carts/{id}/checkout']);

describe('store scope: every route as another store’s staff', () => {
  const f = {} as Fixtures;
  let associateA = '';
  let keyA = '';

  const staffSignIn = async (email: string, role: string, storeIds: string[] | null) => {
    const made = await s.call('POST', '/v1/staff-users', { body: { email, name: email, role, storeIds, password: 'scope-pass-123' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const signIn = await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email, password: 'scope-pass-123' } });
    return { id: made.body.user.id as string, token: signIn.body.token as string };
  };
  const ok = async (method: string, path: string, body?: unknown, token?: string) => {
    const r = await s.call(method, path, { body, token });
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };
  const pickupOrder = async (customer: string, storeId: string) => {
    const cart = await ok('POST', '/v1/carts', { channel: 'web' }, customer);
    await ok('POST', `/v1/carts/${cart.id}/lines`, { sku: f.sku, quantity: 2, fulfilment: 'pickup', pickupLocationId: storeId }, customer);
    return ok('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: CARD }, customer);
  };

  /** Everything of store B that a caller of store A could change, read straight from the tables. */
  const storeBState = async () => {
    const q = async (query: ReturnType<typeof sql>) => (await s.winkel.db.execute(query)).rows;
    return {
      location: await q(sql`select * from stock_locations where id = ${f.storeB}`),
      levels: await q(sql`select * from stock_levels where location_id = ${f.storeB} order by variant_id`),
      movements: await q(sql`select seq from stock_movements where location_id = ${f.storeB} order by seq`),
      reservations: await q(sql`select id, status, quantity, expires_at from reservations where location_id = ${f.storeB} order by id`),
      transfer: await q(sql`select * from transfers where id = ${f.transferB}`),
      count: await q(sql`select * from count_sheets where id = ${f.countB}`),
      countLines: await q(sql`select * from count_lines where sheet_id = ${f.countB}`),
      po: await q(sql`select * from purchase_orders where id = ${f.poB}`),
      orders: await q(sql`select id, status, version from orders where id in (${f.orderB}, ${f.orderB2}) order by id`),
      lines: await q(sql`select id, status, location_id from order_lines where order_id in (${f.orderB}, ${f.orderB2}) order by id`),
      notes: await q(sql`select id from order_notes where order_id in (${f.orderB}, ${f.orderB2})`),
      payments: await q(sql`select id, status from payments where order_id in (${f.orderB}, ${f.orderB2}) order by id`),
      fulfilments: await q(sql`select id, status, version from fulfilments where location_id = ${f.storeB} order by id`),
      returns: await q(sql`select id, status, version from returns where order_id in (${f.orderB}, ${f.orderB2}) order by id`),
      staff: await q(sql`select id, status, role, store_ids, version from staff_users where id = ${f.staffB}`),
      key: await q(sql`select id, revoked_at from api_keys where id = ${f.keyB}`),
      staffForB: await q(sql`select id from staff_users where store_ids is null or ${f.storeB} = any(store_ids) order by id`),
      keysForB: await q(sql`select id from api_keys where kind = 'secret' and (store_ids is null or ${f.storeB} = any(store_ids)) order by id`),
      visits: await q(sql`select count(*)::int as n from timeline_entries where store_id = ${f.storeB}`),
    };
  };

  beforeAll(async () => {
    f.dc = (await ok('POST', '/v1/locations', { code: 'SC-DC', name: 'DC', type: 'warehouse' })).id;
    f.storeA = (await ok('POST', '/v1/locations', { code: 'SC-A', name: 'Store A', type: 'store', pickup: true })).id;
    f.storeB = (await ok('POST', '/v1/locations', { code: 'SC-B', name: 'Store B', type: 'store', pickup: true })).id;
    f.sku = 'SCOPE-MUG';
    f.variant = (await ok('POST', '/v1/products', { status: 'active', title: { en: 'Scope mug' }, variants: [{ sku: f.sku }] })).variants[0].id;
    const pl = (await ok('POST', '/v1/price-lists', { name: 'Scope base' })).id;
    await ok('POST', `/v1/price-lists/${pl}/prices`, { prices: [{ sku: f.sku, amount: 900 }] });
    f.movementRefB = 'REF-ONLY-STORE-B-SEES';
    await ok('POST', '/v1/stock/movements', { sku: f.sku, locationId: f.storeB, type: 'receipt', quantity: 40, reference: f.movementRefB });
    await ok('POST', '/v1/stock/movements', { sku: f.sku, locationId: f.storeA, type: 'receipt', quantity: 40, reference: 'REF-STORE-A' });
    await ok('POST', '/v1/stock/movements', { sku: f.sku, locationId: f.dc, type: 'receipt', quantity: 40, reference: 'REF-DC' });

    // Store B's customer: one order collected at B (and a mail return of it), one still to be picked.
    f.customerEmail = 'shopper-of-b@example.com';
    const signUp = await ok('POST', '/v1/customer-auth/sign-up', { email: f.customerEmail, password: 'shopper-of-b-1' }, null as never);
    const customer = signUp.token as string;
    f.customerId = signUp.customer.id;
    const o1 = await pickupOrder(customer, f.storeB);
    f.orderB = o1.id;
    f.orderLineB = o1.lines[0].id;
    const [fb] = (await ok('GET', `/v1/orders/${o1.id}/fulfilments`)).data;
    f.fulfilmentB = fb.id;
    expect(fb.locationId).toBe(f.storeB);
    await ok('POST', `/v1/fulfilments/${fb.id}/pick`);
    await ok('POST', `/v1/fulfilments/${fb.id}/ready`);
    const code = (await ok('GET', `/v1/fulfilments/${fb.id}`, undefined, customer)).pickupCode;
    await ok('POST', `/v1/fulfilments/${fb.id}/handover`, { code });
    f.returnB = (await ok('POST', '/v1/returns', { orderId: o1.id, method: 'mail', lines: [{ orderLineId: f.orderLineB, quantity: 1, reason: 'wrong_size' }] }, customer)).return.id;
    const o2 = await pickupOrder(customer, f.storeB);
    f.orderB2 = o2.id;
    f.fulfilmentB2 = (await ok('GET', `/v1/orders/${o2.id}/fulfilments`)).data[0].id;
    f.paymentIdsB = [...(await ok('GET', `/v1/orders/${o1.id}/payments`)).payments, ...(await ok('GET', `/v1/orders/${o2.id}/payments`)).payments].map((p: { id: string }) => p.id);
    // A store-A order of the same customer, which store A does see.
    f.orderA = (await pickupOrder(customer, f.storeA)).id;

    f.reservationB = (await ok('POST', '/v1/reservations', { lines: [{ variantId: f.variant, locationId: f.storeB, quantity: 1 }], reference: 'scope-test' })).data[0].id;
    f.transferB = (await ok('POST', '/v1/transfers', { fromLocationId: f.storeB, toLocationId: f.dc, lines: [{ variantId: f.variant, quantity: 2 }] })).id;
    f.countB = (await ok('POST', '/v1/count-sheets', { locationId: f.storeB, variantIds: [f.variant] })).id;
    f.supplier = (await ok('POST', '/v1/suppliers', { code: 'SC-SUP', name: 'Supplier' })).id;
    f.poB = (await ok('POST', '/v1/purchase-orders', { supplierId: f.supplier, locationId: f.storeB, lines: [{ variantId: f.variant, quantity: 6 }] })).id;
    f.staffBEmail = 'staff-of-b@test.example';
    const staffB = await staffSignIn(f.staffBEmail, 'store_manager', [f.storeB]);
    f.staffB = staffB.id;
    // What store B's manager does is in the audit log, for store B.
    await ok('POST', `/v1/orders/${f.orderB}/notes`, { body: 'Store B only' }, staffB.token);
    f.keyB = (await ok('POST', '/v1/api-keys', { kind: 'secret', name: 'store B till', scopes: ['orders:read'], storeIds: [f.storeB] })).apiKey.id;

    associateA = (await staffSignIn('associate-of-a@test.example', 'store_associate', [f.storeA])).token;
    const { body: roles } = await s.call('GET', '/v1/roles');
    // Every scope a key of some stores may hold (those that span every store are refused to it at creation).
    const chainWide = ['events:read', 'webhooks:read', 'webhooks:write', 'devtools:read'];
    keyA = (await ok('POST', '/v1/api-keys', { kind: 'secret', name: 'store A, every scope', scopes: (roles.permissions as string[]).filter((p) => !chainWide.includes(p)), storeIds: [f.storeA] })).token;
  });

  it('classifies every operation of the OpenAPI document', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    const scoped = storeScoped(f);
    const unclassified: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const method of Object.keys(item)) {
        const op = `${method.toUpperCase()} ${path}`;
        if (!path.startsWith('/v1') || scoped[op] || ALL_STORES_ONLY.includes(op) || CARTS.has(op) || CHAIN_DATA.has(op) || CUSTOMER_DATA.has(op)) continue;
        unclassified.push(op);
      }
    }
    expect(unclassified, 'operations that must be classified as store-scoped or not (see docs/API.md, Store scope)').toEqual([]);
    for (const op of [...Object.keys(scoped), ...ALL_STORES_ONLY]) {
      const [method, path] = op.split(' ');
      expect(doc.paths[path]?.[method.toLowerCase()], `${op} is listed but not in the API`).toBeDefined();
    }
  });

  it('store A’s associate and store A’s all-scope key neither see nor change store B’s data, on any route', async () => {
    const before = await storeBState();
    // The customer shops in store A too, so naming them is not by itself a leak (see order-lookup).
    const secrets = [f.orderB, f.orderB2, f.returnB, f.reservationB, f.transferB, f.countB, f.poB, f.fulfilmentB, f.fulfilmentB2, f.staffB, f.staffBEmail, f.keyB, f.movementRefB, ...f.paymentIdsB];
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    const scoped = storeScoped(f);
    const failures: string[] = [];
    const all = Object.entries<any>(doc.paths)
      .filter(([path]) => path.startsWith('/v1'))
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((op) => !CARTS.has(op));
    // Signing out ends the walk's own session: it goes last.
    const ops = [...all.filter((op) => op !== 'POST /v1/auth/sign-out'), 'POST /v1/auth/sign-out'];
    for (const [who, token] of [['associate of A', associateA], ['all-scope key of A', keyA]] as const) {
      for (const op of ops) {
        const [method, path] = op.split(' ');
        const probes: Probe[] = scoped[op] ?? [
          // Not store data: called with placeholders; the answer still must not name store B's things.
          { path: path.replace(/\{[^}]+\}/g, 'xyz_00000000000000000000000000'), body: method === 'GET' || method === 'DELETE' ? undefined : {}, expect: ALL_STORES_ONLY.includes(op) ? 'denied' : 'clean', allow: CUSTOMER_DATA.has(op) ? secrets : [] },
        ];
        for (const probe of probes) {
          const r = await s.call(method, probe.path, { token, body: probe.body });
          const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          const label = `${who}: ${method} ${probe.path}${probe.body ? ` ${JSON.stringify(probe.body)}` : ''} → ${r.status}`;
          if (r.status >= 500) failures.push(`${label}: server error`);
          if (probe.expect === 'denied' && r.status !== 403 && r.status !== 404) failures.push(`${label}: expected 403 or 404, got ${text.slice(0, 300)}`);
          // What the caller sent (an id in the path, echoed in a problem's `instance`) is not a leak.
          const sent = probe.path + JSON.stringify(probe.body ?? null);
          const named = [...secrets, ...(probe.alsoHide ?? [])].filter((x) => !(probe.allow ?? []).includes(x) && !sent.includes(x) && text.includes(x));
          if (named.length) failures.push(`${label}: the answer names store B's ${named.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await storeBState(), 'store B’s data changed').toEqual(before);
  });

  it('in their own store they still see and do their work, and take back an order of another store at their counter', async () => {
    const ids = (r: { body: { data: Array<{ id: string }> } }) => r.body.data.map((x) => x.id);
    // The walk ended with the associate signing out.
    associateA = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'associate-of-a@test.example', password: 'scope-pass-123' } })).body.token;
    // Stock and the ledger of store A.
    const levels = (await s.call('GET', `/v1/stock?sku=${f.sku}`, { token: associateA })).body.data;
    expect(levels.map((l: { locationId: string }) => l.locationId)).toEqual([f.storeA]);
    const ledger = await s.call('GET', `/v1/stock/movements?locationId=${f.storeA}`, { token: associateA });
    expect(ledger.body.data.some((m: { reference: string }) => m.reference === 'REF-STORE-A')).toBe(true);
    expect(ids(await s.call('GET', '/v1/orders', { token: associateA }))).toContain(f.orderA);

    // A return of store B's order, taken at store A's counter: the lookup shows what can come back.
    const lookup = await s.call('GET', `/v1/returns/order-lookup?orderId=${f.orderB}`, { token: associateA });
    expect(lookup.status).toBe(200);
    const [found] = lookup.body.data;
    expect(found).toMatchObject({ id: f.orderB, currency: 'EUR' });
    expect(found.lines[0]).toMatchObject({ id: f.orderLineB, quantity: 2, status: 'fulfilled', returnable: 1 });
    expect(Object.keys(found)).not.toEqual(expect.arrayContaining(['email', 'customerId', 'payments', 'shippingAddress']));
    const taken = await s.call('POST', '/v1/returns', { token: associateA, body: { orderId: f.orderB, method: 'in_store', locationId: f.storeA, lines: [{ orderLineId: f.orderLineB, quantity: 1, reason: 'defective', outcome: 'damaged' }] } });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect(taken.body.return).toMatchObject({ status: 'refunded', locationId: f.storeA });
    expect(taken.body.return.storeIds).toEqual(expect.arrayContaining([f.storeA, f.storeB]));
    expect(ids(await s.call('GET', '/v1/returns', { token: associateA }))).toEqual([taken.body.return.id]);
    expect((await s.call('GET', `/v1/returns/${taken.body.return.id}`, { token: associateA })).status).toBe(200);
    // Store B's mail return is still not theirs, nor is the order, though the goods came back here.
    expect((await s.call('GET', `/v1/returns/${f.returnB}`, { token: associateA })).status).toBe(403);
    expect((await s.call('GET', `/v1/orders/${f.orderB}`, { token: associateA })).status).toBe(403);

    // A key of store A makes keys and staff for store A only, and reads what they did.
    const key = await s.call('POST', '/v1/api-keys', { token: keyA, body: { kind: 'secret', name: 'till 2', scopes: ['orders:read'] } });
    expect(key.status).toBe(201);
    expect(key.body.apiKey.storeIds).toEqual([f.storeA]);
    const user = await s.call('POST', '/v1/staff-users', { token: keyA, body: { email: 'second-of-a@test.example', name: 'Second', role: 'store_associate', password: 'second-of-a-1' } });
    expect(user.status).toBe(201);
    expect(user.body.user.storeIds).toEqual([f.storeA]);
    expect(ids(await s.call('GET', '/v1/staff-users', { token: keyA }))).toContain(user.body.user.id);
    expect(ids(await s.call('GET', '/v1/api-keys', { token: keyA }))).toContain(key.body.apiKey.id);
    const audit = (await s.call('GET', '/v1/audit-log?limit=200', { token: keyA })).body.data as Array<{ resourceId: string }>;
    expect(audit.map((e) => e.resourceId)).toEqual(expect.arrayContaining([user.body.user.id, key.body.apiKey.id, taken.body.return.id]));
    // A transfer from store B to store A is theirs too (they receive it).
    const transfer = await s.call('POST', '/v1/transfers', { token: keyA, body: { fromLocationId: f.storeB, toLocationId: f.storeA, lines: [{ variantId: f.variant, quantity: 1 }] } });
    expect(transfer.status).toBe(201);
    expect(ids(await s.call('GET', '/v1/transfers', { token: keyA }))).toEqual([transfer.body.id]);
    expect((await s.call('POST', `/v1/transfers/${transfer.body.id}/ship`, { token: keyA, body: {} })).status).toBe(403);
  });
});
