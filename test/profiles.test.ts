// Profiles: one timeline of everything online and offline, computed traits kept current (only with
// the profiling consent), lookups by any identifier, and the social and store-visit adapters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let sk: string;
let gent = '';

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  sk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'social listening', scopes: ['customers:write'] } })).body.token;
  const dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Gent', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 1000 }] } });
  for (const loc of [dc, gent]) await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId: loc, type: 'receipt', quantity: 50 } });
});
afterAll(() => s?.close());

async function order(channel: 'web' | 'pos', email: string, quantity: number) {
  const token = channel === 'web' ? pk : s.adminToken;
  const cart = await guest('POST', '/v1/carts', { token, body: { channel, email, ...(channel === 'pos' ? { storeId: gent } : {}) } });
  expect(cart.status, JSON.stringify(cart.body)).toBe(201);
  expect((await guest('POST', `/v1/carts/${cart.body.id}/lines`, { token, body: { sku: 'MUG', quantity } })).status).toBe(200);
  const done = await guest('POST', `/v1/carts/${cart.body.id}/checkout`, { token, body: { acceptCurrentPrice: true, email, payment: { method: 'test_card', cardNumber: '4242424242424242' } } });
  expect(done.status, JSON.stringify(done.body)).toBe(201);
  return done.body as { id: string; total: number };
}
const lookup = async (q: string) => (await s.call('GET', `/v1/profiles/lookup?${q}`)).body;

describe('computed traits', () => {
  it('are not computed without the profiling consent, and are kept current with it on every event', async () => {
    await s.call('POST', '/v1/collect/batch', {
      token: pk,
      body: {
        batch: [
          { type: 'identify', anonymousId: 'tr-anon', traits: { email: 'fien@example.com', firstName: 'Fien' }, messageId: 'tr-1', timestamp: '2026-11-01T10:00:00Z' },
          { type: 'track', anonymousId: 'tr-anon', event: 'Product Viewed', properties: { category: 'Kitchen' }, messageId: 'tr-2', timestamp: '2026-11-01T10:01:00Z' },
          { type: 'track', anonymousId: 'tr-anon', event: 'Product Added To Cart', properties: { category: 'Kitchen' }, messageId: 'tr-3', timestamp: '2026-11-01T10:02:00Z' },
          { type: 'track', anonymousId: 'tr-anon', event: 'Product Viewed', properties: { category: 'Garden' }, messageId: 'tr-4', timestamp: '2026-11-01T10:03:00Z' },
        ],
      },
    });
    const before = await lookup('email=fien@example.com');
    expect(before.traits).toEqual({ email: 'fien@example.com', firstName: 'Fien' });
    expect(before.computed).toBeNull();

    const consent = await s.call('POST', '/v1/consents', { body: { profileId: before.id, consents: [{ purpose: 'profiling', granted: true }], reason: 'asked at the till' } });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    await eventually(async () => (await lookup('email=fien@example.com')).computed);

    const web = await order('web', 'fien@example.com', 2);
    const pos = await order('pos', 'Fien@Example.com', 1);
    await order('pos', 'fien@example.com', 3);
    const p = await eventually(async () => {
      const x = await lookup('email=fien@example.com');
      return x.computed?.orders === 3 ? x : null;
    });
    expect(p.id).toBe(before.id);
    const revenue = web.total + pos.total + 3000;
    expect(p.computed).toMatchObject({
      orders: 3,
      revenue,
      averageOrderValue: Math.round(revenue / 3),
      byChannel: { web: { orders: 1, revenue: web.total }, pos: { orders: 2, revenue: pos.total + 3000 } },
      preferredChannel: 'pos',
      preferredStoreId: gent,
      frequencyScore: 3,
      daysSinceLastPurchase: 0,
      rfm: { recency: 5, frequency: 3 },
    });
    expect(p.computed.categoryAffinity[0].category).toBe('Kitchen');
    expect(p.computed.firstSeenAt).toBe('2026-11-01T10:00:00.000Z');

    // Withdrawn: the computed traits go.
    await s.call('POST', '/v1/consents', { body: { profileId: p.id, consents: [{ purpose: 'profiling', granted: false }], reason: 'customer asked' } });
    await eventually(async () => (await lookup('email=fien@example.com')).computed === null);
  });
});

describe('timeline', () => {
  it('pages by time, newest first, with late events in their place, and filters by channel and type', async () => {
    const batch = Array.from({ length: 12 }, (_, i) => ({ type: 'page', anonymousId: 'tl-anon', name: `P${i}`, messageId: `tl-${i}`, timestamp: new Date(Date.UTC(2026, 10, 5, 10, i * 2)).toISOString() }));
    await s.call('POST', '/v1/collect/batch', { token: pk, body: { batch } });
    const id = (await lookup('anonymousId=tl-anon')).id;
    const page1 = (await s.call('GET', `/v1/profiles/${id}/timeline?limit=5`)).body;
    expect(page1.data.map((e: { name: string }) => e.name)).toEqual(['P11', 'P10', 'P9', 'P8', 'P7']);
    // A late event from before the cursor arrives while paging: it shows up on a later page.
    await s.call('POST', '/v1/collect/track', { token: pk, body: { anonymousId: 'tl-anon', event: 'Late', messageId: 'tl-late', timestamp: new Date(Date.UTC(2026, 10, 5, 10, 5)).toISOString() } });
    const page2 = (await s.call('GET', `/v1/profiles/${id}/timeline?limit=5&cursor=${page1.nextCursor}`)).body;
    expect(page2.data.map((e: { name: string }) => e.name)).toEqual(['P6', 'P5', 'P4', 'P3', 'Late']);
    const page3 = (await s.call('GET', `/v1/profiles/${id}/timeline?limit=5&cursor=${page2.nextCursor}`)).body;
    expect(page3.data.map((e: { name: string }) => e.name)).toEqual(['P2', 'P1', 'P0']);
    expect(page3.hasMore).toBe(false);
    expect((await s.call('GET', `/v1/profiles/${id}/timeline?cursor=nonsense`)).status).toBe(400);

    const fien = (await lookup('email=fien@example.com')).id;
    const store = (await s.call('GET', `/v1/profiles/${fien}/timeline?channel=store`)).body.data;
    // Her two till sales, and what followed them at the counter (hand-over, capture), are in store.
    for (const e of store as Array<{ type: string; salesChannel: string }>) expect([e.type, e.salesChannel]).toEqual([e.type, 'pos']);
    expect(store.filter((e: { type: string }) => e.type === 'order.placed')).toHaveLength(2);
    const orders = (await s.call('GET', `/v1/profiles/${fien}/timeline?type=order.*`)).body.data as Array<{ type: string }>;
    expect(orders.every((e) => e.type.startsWith('order.'))).toBe(true);
    expect(orders.filter((e) => e.type === 'order.placed')).toHaveLength(3);
    expect((await s.call('GET', `/v1/profiles/${fien}/timeline?type=page`)).body.data).toHaveLength(0);
    expect((await s.call('GET', `/v1/profiles/${fien}/timeline`, { token: pk })).status).toBe(403);
  });
});

describe('adapters and lookups', () => {
  it('puts social interactions and store visits on the same person, found by any identifier', async () => {
    const social = await s.call('POST', '/v1/collect/social', {
      token: sk,
      body: {
        interactions: [
          { id: 'ig-1', network: 'instagram', handle: '@Fien.Bakker', kind: 'mention', text: 'Love my new mug @winkel', occurredAt: '2026-11-06T12:00:00Z', email: 'fien@example.com' },
          { id: 'ig-2', network: 'instagram', handle: 'fien.bakker', kind: 'message', text: 'Is the mug back in stock?', occurredAt: '2026-11-06T12:05:00Z' },
          { id: 'ig-2', network: 'instagram', handle: 'fien.bakker', kind: 'message', text: 'Is the mug back in stock?', occurredAt: '2026-11-06T12:05:00Z' },
        ],
      },
    });
    expect(social.body).toEqual({ accepted: 2, duplicates: 1 });
    const again = await s.call('POST', '/v1/collect/social', { token: sk, body: { interactions: [{ id: 'ig-1', network: 'instagram', handle: 'fien.bakker', kind: 'mention', occurredAt: '2026-11-06T12:00:00Z' }] } });
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });
    expect((await s.call('POST', '/v1/collect/social', { token: pk, body: { interactions: [] } })).status).toBe(403);
    expect((await s.call('POST', '/v1/collect/social', { token: sk, body: { interactions: [{ id: 'x', network: 'instagram', handle: 'a', kind: 'shout' }] } })).status).toBe(400);

    const visit = await s.call('POST', '/v1/collect/store-visit', { token: pk, body: { storeId: gent, method: 'geofence', anonymousId: 'tr-anon', occurredAt: '2026-11-07T09:00:00Z', id: 'geo-1' } });
    expect(visit.status, JSON.stringify(visit.body)).toBe(200);
    expect((await s.call('POST', '/v1/collect/store-visit', { token: pk, body: { storeId: gent, method: 'scan' } })).status).toBe(400);

    const p = await lookup('social=instagram:fien.bakker');
    // The app's shop-front key is not told whose profile the visit joined; the lookup shows it.
    expect(visit.body).toEqual({ accepted: true, profileId: null });
    expect((await lookup('anonymousId=tr-anon')).id).toBe(p.id);
    const tl = (await s.call('GET', `/v1/profiles/${p.id}/timeline?limit=200`)).body.data as Array<{ type: string; channel: string }>;
    expect(tl.filter((e) => e.type.startsWith('social.')).map((e) => [e.type, e.channel])).toEqual([
      ['social.message', 'service'],
      ['social.mention', 'online'],
    ]);
    expect(tl.find((e) => e.type === 'store.visited')).toMatchObject({ channel: 'store', storeId: gent });
    const found = (await s.call('GET', `/v1/profiles?q=${encodeURIComponent('FIEN@example.com')}`)).body.data;
    expect(found.map((x: { id: string }) => x.id)).toEqual([p.id]);
    const prefix = (await s.call('GET', '/v1/profiles?q=fien')).body.data;
    expect(prefix.map((x: { id: string }) => x.id)).toContain(p.id);
  });
});

describe('the till', () => {
  it('knows a returning card at the till as the same person, even without an e-mail on the second receipt', async () => {
    const sale = async (email: string | undefined) => {
      const cart = await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: gent, ...(email ? { email } : {}) } });
      expect(cart.status, JSON.stringify(cart.body)).toBe(201);
      expect((await s.call('POST', `/v1/carts/${cart.body.id}/lines`, { body: { sku: 'MUG', quantity: 1 } })).status).toBe(200);
      const done = await s.call('POST', `/v1/carts/${cart.body.id}/checkout`, { body: { acceptCurrentPrice: true, tenders: [{ method: 'card_present', fingerprint: 'fp-till-7f3a', last4: '4321' }] } });
      expect(done.status, JSON.stringify(done.body)).toBe(201);
      return done.body.id as string;
    };
    const first = await sale('kees@example.com');
    const second = await sale(undefined);
    const person = await eventually(async () => {
      const p = await lookup('email=kees@example.com');
      return p?.id && (await lookup(`cardFingerprint=fp-till-7f3a`))?.id === p.id ? p : undefined;
    });
    const timeline = await eventually(async () => {
      const t = (await s.call('GET', `/v1/profiles/${person.id}/timeline?limit=50`)).body.data as Array<{ type: string; data?: { order?: { id: string } } }>;
      const orders = t.filter((e) => e.type === 'order.placed').map((e) => e.data?.order?.id);
      return orders.includes(first) && orders.includes(second) ? orders : undefined;
    });
    expect(timeline).toHaveLength(2);
  });
});
