// What the web storefront relies on, over real HTTP: a public config route that hands out a working
// publishable key (made once, remade after a revocation), a shopper's own order list, the order
// list's filters for the back office (channel, store, state, customer), its store scope, and the
// event log filtered by aggregate for an order's timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let dc = '';
let gent = '';
let brugge = '';

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('GET', '/v1/storefront/config', { token: null })).body.publishableKey;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Gent Korenmarkt', type: 'store', pickup: true } })).body.id;
  brugge = (await s.call('POST', '/v1/locations', { body: { code: 'BRUGGE', name: 'Brugge', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }] } });
  for (const [locationId, quantity] of [[dc, 50], [gent, 5], [brugge, 5]] as const) await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId, type: 'receipt', quantity } });
});
afterAll(() => s?.close());

async function buy(token: string, cart: Record<string, unknown>, line: Record<string, unknown>, email: string | undefined = 'guest@example.com') {
  const c = (await guest('POST', '/v1/carts', { token, body: cart })).body;
  expect((await guest('POST', `/v1/carts/${c.id}/lines`, { token, body: { sku: 'MUG', quantity: 1, ...line } })).status).toBe(200);
  const r = await guest('POST', `/v1/carts/${c.id}/checkout`, { token, body: { acceptCurrentPrice: true, ...(email ? { email } : {}), payment: { method: 'test_card', cardNumber: '4242 4242 4242 4242' } }, headers: { 'idempotency-key': `buy-${c.id}` } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; status: string; channel: string };
}

describe('storefront config', () => {
  it('hands any visitor a working publishable key for the web channel, the same one every time', async () => {
    const r = await s.call('GET', '/v1/storefront/config', { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ channel: 'web', country: 'NL', currency: 'EUR' });
    expect(r.body.testCards).toEqual(expect.arrayContaining([{ number: '4242 4242 4242 4242', outcome: 'success' }, { number: '4000 0000 0000 0002', outcome: 'declined' }]));
    expect(r.body.publishableKey).toBe(pk);
    expect(pk).toMatch(/^pk_/);
    // It opens storefront routes and nothing else.
    expect((await s.call('GET', '/v1/products', { token: pk })).status).toBe(200);
    expect((await s.call('GET', '/v1/orders', { token: pk })).status).toBe(403);
    const keys = (await s.call('GET', '/v1/api-keys')).body.data.filter((k: { kind: string }) => k.kind === 'publishable');
    expect(keys.map((k: { id: string }) => k.id)).toEqual([r.body.apiKeyId]);
  });

  it('makes one key even when many visitors arrive at once on a fresh install', async () => {
    const fresh = await startTestServer();
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => fresh.call('GET', '/v1/storefront/config', { token: null })));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(new Set(answers.map((a) => a.body.publishableKey)).size).toBe(1);
      const keys = (await fresh.call('GET', '/v1/api-keys?includeRevoked=true')).body.data.filter((k: { kind: string }) => k.kind === 'publishable');
      expect(keys).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('replaces a revoked key with a new one on the next request', async () => {
    const before = (await s.call('GET', '/v1/storefront/config', { token: null })).body;
    expect((await s.call('POST', `/v1/api-keys/${before.apiKeyId}/revoke`)).status).toBe(200);
    const after = (await s.call('GET', '/v1/storefront/config', { token: null })).body;
    expect(after.apiKeyId).not.toBe(before.apiKeyId);
    expect(after.publishableKey).not.toBe(before.publishableKey);
    expect((await s.call('GET', '/v1/products', { token: after.publishableKey })).status).toBe(200);
    expect((await s.call('GET', '/v1/products', { token: before.publishableKey })).status).toBe(401);
    pk = after.publishableKey;
  });
});

describe('orders for the shop and the back office', () => {
  it('a signed-in customer lists their own orders only', async () => {
    const anna = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'anna@example.com', password: 'anna-password-1' } })).body.token;
    const bert = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'bert@example.com', password: 'bert-password-1' } })).body.token;
    const first = await buy(anna, { channel: 'web' }, {}, undefined);
    const second = await buy(anna, { channel: 'web' }, { fulfilment: 'pickup', pickupLocationId: gent }, undefined);
    await buy(bert, { channel: 'web' }, {}, undefined);
    await buy(pk, { channel: 'web' }, {});

    const mine = await s.call('GET', '/v1/me/orders', { token: anna });
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((o: { id: string }) => o.id)).toEqual([second.id, first.id]);
    const paged = await s.call('GET', '/v1/me/orders?limit=1', { token: anna });
    expect(paged.body).toMatchObject({ hasMore: true });
    const next = await s.call('GET', `/v1/me/orders?limit=1&cursor=${paged.body.nextCursor}`, { token: anna });
    expect(next.body.data.map((o: { id: string }) => o.id)).toEqual([first.id]);
    // Only a customer session: a publishable key or no credential cannot list anyone's orders.
    expect((await s.call('GET', '/v1/me/orders', { token: pk })).status).toBe(403);
    expect((await s.call('GET', '/v1/me/orders', { token: null })).status).toBe(401);
  });

  it('filters the order list by channel, store (sold or collected there), state and customer', async () => {
    const web = await buy(pk, { channel: 'web' }, {});
    const pickupGent = await buy(pk, { channel: 'web' }, { fulfilment: 'pickup', pickupLocationId: gent });
    const tillBrugge = await buy(s.adminToken, { channel: 'pos', storeId: brugge }, { fulfilment: 'pickup' });
    const ids = async (query: string) => (await s.call('GET', `/v1/orders?limit=200&${query}`)).body.data.map((o: { id: string }) => o.id) as string[];

    const webIds = await ids('channel=web');
    expect(webIds).toEqual(expect.arrayContaining([web.id, pickupGent.id]));
    expect(webIds).not.toContain(tillBrugge.id);
    expect(await ids('channel=pos')).toEqual([tillBrugge.id]);

    const atGent = await ids(`storeId=${gent}`);
    expect(atGent).toContain(pickupGent.id);
    expect(atGent).not.toContain(web.id);
    expect(atGent).not.toContain(tillBrugge.id);
    expect(await ids(`storeId=${brugge}`)).toEqual([tillBrugge.id]);
    expect(await ids(`channel=web&storeId=${brugge}`)).toEqual([]);

    expect(await ids('status=placed')).toEqual(expect.arrayContaining([web.id, pickupGent.id]));
    // Carried out at the Brugge counter: complete at once (docs/commerce.md, A sale at the counter).
    expect(await ids('status=placed')).not.toContain(tillBrugge.id);
    expect(await ids('status=completed')).toContain(tillBrugge.id);
    expect(await ids('status=cancelled')).toEqual([]);
    const bad = await s.call('GET', '/v1/orders?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation');

    const anna = (await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: 'anna@example.com', password: 'anna-password-1' } })).body.customer.id;
    const annas = (await s.call('GET', `/v1/orders?customerId=${anna}`)).body.data;
    expect(annas.length).toBe(2);
    expect(annas.every((o: { customerId: string }) => o.customerId === anna)).toBe(true);
  });

  it('shows staff scoped to a store only that store’s orders', async () => {
    const collected = await buy(pk, { channel: 'web' }, { fulfilment: 'pickup', pickupLocationId: gent });
    const elsewhere = await buy(pk, { channel: 'web' }, { fulfilment: 'pickup', pickupLocationId: brugge });
    const delivered = await buy(pk, { channel: 'web' }, {});
    const made = await s.call('POST', '/v1/staff-users', { body: { email: 'gent-manager@test.example', name: 'Gent', role: 'store_manager', storeIds: [gent], password: 'gent-manager-1' } });
    expect(made.status).toBe(201);
    const manager = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'gent-manager@test.example', password: 'gent-manager-1' } })).body.token;
    const seen = (await s.call('GET', '/v1/orders?limit=200', { token: manager })).body.data.map((o: { id: string }) => o.id);
    expect(seen).toContain(collected.id);
    expect(seen).not.toContain(elsewhere.id);
    expect(seen).not.toContain(delivered.id);
    expect((await s.call('GET', `/v1/orders?storeId=${gent}`, { token: manager })).status).toBe(200);
    const other = await s.call('GET', `/v1/orders?storeId=${brugge}`, { token: manager });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('forbidden');
  });

  it('lists the events of one order, or of several aggregates at once, for its timeline', async () => {
    const a = await buy(pk, { channel: 'web' }, {});
    const b = await buy(pk, { channel: 'web' }, {});
    const one = await s.call('GET', `/v1/events?aggregateId=${a.id}`);
    expect(one.status).toBe(200);
    expect(one.body.data.map((e: { type: string }) => e.type)).toContain('order.placed');
    expect(one.body.data.every((e: { aggregate: { id: string } }) => e.aggregate.id === a.id)).toBe(true);
    const both = await s.call('GET', `/v1/events?aggregateType=order&aggregateId=${a.id}&aggregateId=${b.id}`);
    expect(new Set(both.body.data.map((e: { aggregate: { id: string } }) => e.aggregate.id))).toEqual(new Set([a.id, b.id]));
    expect((await s.call('GET', `/v1/events?aggregateType=api_key&aggregateId=${a.id}`)).body.data).toEqual([]);
  });
});
