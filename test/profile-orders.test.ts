// The one customer, complete: every event about an order reaches the profile the order reached,
// for guests and till shoppers known only by an e-mail or a card as much as for account holders,
// each with the channel where it happened; lifetime value is net of what was given back.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk = '';
let shop: ShopFront;
let dc = '';
let gent = '';
const CARD = { method: 'test_card', cardNumber: '4242424242424242' };
// Events reach timelines through the outbox relay, which waits for every older transaction on the
// PostgreSQL server to end; on a shared test server another run's migration can hold it for a while.
const WAIT = 30_000;
const SLOW = 120_000;

type Entry = { type: string; channel: string; salesChannel: string | null; storeId: string | null; orderId: string | null; amount: number | null; data: unknown };

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  shop = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'Central DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Winkel Gent', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Tea towel' }, variants: [{ sku: 'TOWEL' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 1000 }, { sku: 'TOWEL', amount: 400 }] } });
  for (const sku of ['MUG', 'TOWEL']) for (const loc of [dc, gent]) await s.call('POST', '/v1/stock/movements', { body: { sku, locationId: loc, type: 'receipt', quantity: 50 } });
});
afterAll(() => s?.close());

/** A guest's web order (publishable key, no account), paid by card. */
async function guestOrder(email: string, lines: Array<Record<string, unknown>>) {
  const cart = (await shop('POST', '/v1/carts', { body: { channel: 'web', email } })).body;
  for (const l of lines) expect((await shop('POST', `/v1/carts/${cart.id}/lines`, { body: l })).status).toBe(200);
  const r = await shop('POST', `/v1/carts/${cart.id}/checkout`, { body: { payment: CARD, acceptCurrentPrice: true } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.customerId).toBeNull();
  return r.body as { id: string; total: number; lines: Array<{ id: string; sku: string; total: number }> };
}
const fulfilmentOf = async (orderId: string) => (await s.call('GET', `/v1/orders/${orderId}/fulfilments`)).body.data[0] as { id: string };
async function act(id: string, step: string, body?: unknown) {
  const r = await s.call('POST', `/v1/fulfilments/${id}/${step}`, { body });
  expect(r.status, `${step}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
const lookup = async (q: string) => {
  const r = await s.call('GET', `/v1/profiles/lookup?${q}`);
  return r.status === 200 ? r.body : null;
};
const timeline = async (profileId: string) => (await s.call('GET', `/v1/profiles/${profileId}/timeline?limit=200`)).body.data as Entry[];
/** The profile's timeline once every one of these event types is on it for this order. */
async function timelineWith(q: string, orderId: string, types: string[]) {
  return eventually(async () => {
    const p = await lookup(q);
    if (!p) return null;
    const t = (await timeline(p.id)).filter((e) => JSON.stringify(e.data).includes(orderId));
    return types.every((type) => t.some((e) => e.type === type)) ? { profile: p, entries: t } : null;
  }, WAIT);
}
const channelsOf = (entries: Entry[]) => Object.fromEntries(entries.map((e) => [e.type, e.channel]));
const grantProfiling = async (email: string) => {
  const r = await s.call('POST', '/v1/consents', { body: { email, consents: [{ purpose: 'profiling', granted: true }], reason: 'asked at the counter' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
};

describe('a guest known by e-mail', () => {
  it('gets the whole order on one timeline: placed and shipped online, returned at a store; lifetime value is net of the refund', async () => {
    const email = 'guest.ann@example.com';
    await grantProfiling(email);
    const order = await guestOrder(email, [{ sku: 'MUG', quantity: 2 }, { sku: 'TOWEL', quantity: 1 }]);
    const f = await fulfilmentOf(order.id);
    await act(f.id, 'pick');
    await act(f.id, 'pack');
    await act(f.id, 'ship', { carrier: 'manual', trackingNumber: '3SGUEST0001' });
    await act(f.id, 'deliver');

    // One mug comes back, handed in at the Gent store.
    const mugLine = order.lines.find((l) => l.sku === 'MUG')!;
    const ret = await s.call('POST', '/v1/returns', { body: { orderId: order.id, method: 'in_store', locationId: gent, lines: [{ orderLineId: mugLine.id, quantity: 1, reason: 'changed_mind', outcome: 'restock' }] } });
    expect(ret.status, JSON.stringify(ret.body)).toBe(201);
    const refunded = ret.body.return.refund.payout as number;
    expect(refunded).toBe(1000);

    const { profile, entries } = await timelineWith(`email=${email}`, order.id, [
      'order.placed',
      'fulfilment.created',
      'fulfilment.picked',
      'fulfilment.packed',
      'fulfilment.shipped',
      'fulfilment.delivered',
      'order.completed',
      'return.requested',
      'return.received',
      'return.refunded',
      'refund.issued',
    ]);
    expect(profile.identifiers.map((i: { kind: string }) => i.kind)).toEqual(['email']);
    // Where each happened: the web order and its delivery online, the return at the store.
    expect(channelsOf(entries)).toMatchObject({
      'order.placed': 'online',
      'fulfilment.created': 'online',
      'fulfilment.shipped': 'online',
      'fulfilment.delivered': 'online',
      'order.completed': 'online',
      'return.requested': 'store',
      'return.received': 'store',
      'return.refunded': 'store',
    });
    for (const e of entries.filter((x) => x.type.startsWith('return.'))) expect(e.storeId, e.type).toBe(gent);
    expect(entries.every((e) => e.salesChannel === 'web' && e.orderId === order.id)).toBe(true);
    expect(entries.find((e) => e.type === 'refund.issued')!.amount).toBe(refunded);

    // Lifetime value: what the order came to, less the refund.
    const p = await eventually(async () => {
      const x = await lookup(`email=${email}`);
      return x?.computed?.revenue === order.total - refunded ? x : null;
    }, WAIT);
    expect(p.computed).toMatchObject({ orders: 1, revenue: order.total - refunded, averageOrderValue: order.total - refunded, byChannel: { web: { orders: 1, revenue: order.total - refunded } }, preferredChannel: 'web', preferredStoreId: gent });

    // A second order, cancelled before it left: its released payment and its cancellation reach the
    // profile too, and it counts neither as an order nor as revenue.
    const second = await guestOrder(email, [{ sku: 'TOWEL', quantity: 3 }]);
    await act((await fulfilmentOf(second.id)).id, 'cancel', { reason: 'out of stock after all' });
    const cancelled = await timelineWith(`email=${email}`, second.id, ['order.placed', 'fulfilment.cancelled', 'payment.voided', 'order.cancelled']);
    expect(cancelled.entries.find((e) => e.type === 'payment.voided')!.amount).toBe(second.total);
    const after = await eventually(async () => {
      const x = await lookup(`email=${email}`);
      // Computed traits follow the timeline within a moment: wait for a computation that saw all of it.
      return x?.computed && x.eventCount === p.eventCount + cancelled.entries.length && x.computed.events === x.eventCount ? x : null;
    }, WAIT);
    expect(after.computed).toMatchObject({ orders: 1, revenue: order.total - refunded });
  }, SLOW);

  it('stops being followed once erased: a later event about their order brings no profile back', async () => {
    const email = 'guest.erased@example.com';
    const order = await guestOrder(email, [{ sku: 'MUG', quantity: 1 }]);
    const f = await fulfilmentOf(order.id);
    await act(f.id, 'pick');
    await timelineWith(`email=${email}`, order.id, ['order.placed', 'fulfilment.picked']);
    const erased = await s.call('POST', '/v1/privacy/erasures', { body: { email, reason: 'asked by the customer' } });
    expect(erased.status, JSON.stringify(erased.body)).toBe(201);
    await act(f.id, 'pack');
    // A later guest's order is placed after the pack event: once it is on its profile, the pack event was handled.
    const marker = await guestOrder('guest.marker@example.com', [{ sku: 'MUG', quantity: 1 }]);
    await timelineWith('email=guest.marker@example.com', marker.id, ['order.placed']);
    expect(await lookup(`email=${email}`)).toBeNull();
    const rows = await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from timeline_entries where order_id = ${order.id}`);
    expect(rows.rows[0].n).toBe(0);
  }, SLOW);
});

describe('click & collect', () => {
  it('puts the pickup at the counter on the guest’s timeline as a store event of that store', async () => {
    const email = 'guest.collector@example.com';
    await grantProfiling(email);
    const order = await guestOrder(email, [{ sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: gent }]);
    const f = await fulfilmentOf(order.id);
    await act(f.id, 'pick');
    await act(f.id, 'ready');
    const mail = await eventually(async () => (await s.call('GET', `/v1/devtools/emails?to=${email}`)).body.data.find((m: { subject: string }) => /ready for pickup|ligt klaar/.test(m.subject)), WAIT);
    const code = /(?:Pickup code|Ophaalcode): (\d{6})/.exec(mail.text)![1];
    await act(f.id, 'handover', { code });

    const { entries } = await timelineWith(`email=${email}`, order.id, ['order.placed', 'fulfilment.created', 'fulfilment.ready_for_pickup', 'fulfilment.collected', 'order.completed']);
    const collected = entries.find((e) => e.type === 'fulfilment.collected')!;
    expect(collected).toMatchObject({ channel: 'store', storeId: gent, salesChannel: 'web' });
    expect(channelsOf(entries)).toMatchObject({ 'order.placed': 'online', 'fulfilment.ready_for_pickup': 'online', 'order.completed': 'online' });
    // The visit to collect it makes Gent the person's store.
    const p = await eventually(async () => {
      const x = await lookup(`email=${email}`);
      return x?.computed?.preferredStoreId ? x : null;
    }, WAIT);
    expect(p.computed).toMatchObject({ preferredStoreId: gent, orders: 1, revenue: order.total });
    const store = (await s.call('GET', `/v1/profiles/${p.id}/timeline?channel=store`)).body.data as Entry[];
    expect(store.map((e) => e.type)).toEqual(['fulfilment.collected']);
  }, SLOW);
});

describe('the till', () => {
  it('follows a sale known only by its card to its later events, all in store', async () => {
    const cart = await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: gent } });
    expect(cart.status, JSON.stringify(cart.body)).toBe(201);
    expect((await s.call('POST', `/v1/carts/${cart.body.id}/lines`, { body: { sku: 'MUG', quantity: 1 } })).status).toBe(200);
    const done = await s.call('POST', `/v1/carts/${cart.body.id}/checkout`, { body: { acceptCurrentPrice: true, tenders: [{ method: 'card_present', fingerprint: 'fp-only-card-91c2', last4: '9911' }] } });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    const orderId = done.body.id as string;
    expect((await s.call('POST', `/v1/orders/${orderId}/notes`, { body: { body: 'Gift wrapped at the counter' } })).status).toBe(201);
    // Carried out at the counter: handed over, captured and completed in the sale itself.
    const { profile, entries } = await timelineWith('cardFingerprint=fp-only-card-91c2', orderId, ['order.placed', 'order.handed_over', 'payment.captured', 'order.completed', 'order.note_added']);
    expect(profile.identifiers.map((i: { kind: string }) => i.kind)).toEqual(['card_fingerprint']);
    for (const e of entries) expect([e.type, e.channel, e.storeId, e.salesChannel]).toEqual([e.type, 'store', gent, 'pos']);
  }, SLOW);

  it('files the later events of a sale to a known customer under the store too', async () => {
    const shopper = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'till.regular@example.com', password: 'regular-pass-1' } });
    expect(shopper.status, JSON.stringify(shopper.body)).toBe(201);
    const customerId = shopper.body.customer.id as string;
    expect(customerId).toMatch(/^cus_/);
    const cart = (await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: gent } })).body;
    expect((await s.call('PUT', `/v1/carts/${cart.id}/customer`, { body: { customerId } })).status).toBe(200);
    expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { body: { sku: 'TOWEL', quantity: 2 } })).status).toBe(200);
    const done = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { body: { acceptCurrentPrice: true, tenders: [{ method: 'card_present', fingerprint: 'fp-regular-77aa', last4: '7711' }] } });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    const orderId = done.body.id as string;
    const { entries } = await timelineWith(`customerId=${customerId}`, orderId, ['order.placed', 'order.handed_over', 'payment.captured', 'order.completed']);
    expect(entries.length).toBeGreaterThanOrEqual(4);
    for (const e of entries) expect([e.type, e.channel, e.storeId]).toEqual([e.type, 'store', gent]);
  }, SLOW);
});
