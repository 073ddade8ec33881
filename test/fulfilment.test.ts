// Fulfilments through the API on a real database, with the real mail catcher: home delivery (pick,
// pack, ship with tracking, deliver; the reservation becomes a sale in the ledger), click & collect
// (ready, the e-mail with the pickup code and QR, a wrong code changes nothing, the right one hands
// over), store scope, the customer's own view, and the job that cancels, restocks and refunds a
// parcel nobody collected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilmentDeps } from '../src/modules/fulfilment/jobs.js';
import { expireUncollectedPickups } from '../src/modules/fulfilment/service.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let dc = '';
let gent = '';
let delft = '';
let mugId = '';
let gentManager = '';
let delftManager = '';
const CARD = { method: 'test_card', cardNumber: '4242424242424242' };

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'Central DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Winkel Gent', type: 'store', pickup: true } })).body.id;
  delft = (await s.call('POST', '/v1/locations', { body: { code: 'DELFT', name: 'Winkel Delft', type: 'store', pickup: true } })).body.id;
  mugId = (await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } })).body.variants[0].id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Tea towel' }, variants: [{ sku: 'TOWEL' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }, { sku: 'TOWEL', amount: 350 }] } });
  for (const [sku, locationId, quantity] of [['MUG', dc, 20], ['TOWEL', dc, 20], ['MUG', gent, 10], ['MUG', delft, 10]] as const) await s.call('POST', '/v1/stock/movements', { body: { sku, locationId, type: 'receipt', quantity } });
  for (const [email, storeId] of [['gent@test.example', gent], ['delft@test.example', delft]] as const) {
    await s.call('POST', '/v1/staff-users', { body: { email, name: email, role: 'store_manager', password: 'manager-pass-1', storeIds: [storeId] } });
  }
  gentManager = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'gent@test.example', password: 'manager-pass-1' } })).body.token;
  delftManager = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'delft@test.example', password: 'manager-pass-1' } })).body.token;
});
afterAll(() => s?.close());

async function order(lines: Array<Record<string, unknown>>, email: string, token = pk) {
  const cart = (await guest('POST', '/v1/carts', { token, body: { channel: 'web', email } })).body;
  for (const l of lines) expect((await guest('POST', `/v1/carts/${cart.id}/lines`, { token, body: l })).status).toBe(200);
  const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token, body: { acceptCurrentPrice: true, payment: CARD } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const fulfilmentsOf = async (orderId: string) => (await s.call('GET', `/v1/orders/${orderId}/fulfilments`)).body.data;
const act = (id: string, step: string, body?: unknown, token?: string, headers?: Record<string, string>) => s.call('POST', `/v1/fulfilments/${id}/${step}`, { body, token, headers });
const level = async (locationId: string) => (await s.call('GET', `/v1/stock?sku=MUG`)).body.data.find((l: { locationId: string }) => l.locationId === locationId);
const movements = async (locationId: string) => (await s.call('GET', `/v1/stock/movements?variantId=${mugId}&locationId=${locationId}`)).body.data;
const mailTo = (to: string, subject: RegExp) => eventually(async () => (await s.call('GET', `/v1/devtools/emails?to=${to}`)).body.data.find((m: { subject: string }) => subject.test(m.subject)));

describe('home delivery', () => {
  it('pick, pack, ship with a tracking number (the reservation becomes a sale), deliver; the order completes', async () => {
    const o = await order([{ sku: 'MUG', quantity: 2 }, { sku: 'TOWEL', quantity: 1 }], 'home@example.com');
    const [f] = await fulfilmentsOf(o.id);
    expect(f).toMatchObject({ locationId: dc, method: 'delivery', status: 'open', nextActions: ['pick', 'cancel'] });
    expect(f.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      ['MUG', 2],
      ['TOWEL', 1],
    ]);
    const queue = (await s.call('GET', `/v1/fulfilments?locationId=${dc}&status=open`)).body.data;
    expect(queue.map((q: { id: string }) => q.id)).toContain(f.id);

    expect((await act(f.id, 'ship', { carrier: 'manual', trackingNumber: 'ABC123' })).body.code).toBe('invalid_transition');
    expect((await act(f.id, 'pick')).body.status).toBe('picked');
    const packed = await act(f.id, 'pack');
    expect(packed.headers.get('etag')).toBe(`"${packed.body.version}"`);
    expect((await act(f.id, 'ship', { carrier: 'pigeon', trackingNumber: 'ABC123' })).status).toBe(400);
    expect((await act(f.id, 'ship', { carrier: 'manual', trackingNumber: 'ABC123' }, undefined, { 'if-match': '"1"' })).status).toBe(412);
    const onHandBefore = (await level(dc)).onHand;
    const shipped = await act(f.id, 'ship', { carrier: 'manual', trackingNumber: '3SABCD1234567', trackingUrl: 'https://track.example/3SABCD1234567' });
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', carrier: 'manual', trackingNumber: '3SABCD1234567', nextActions: ['deliver'] });

    // The ledger records the sale: on hand and reserved both down by 2.
    const after = await level(dc);
    expect(after.onHand).toBe(onHandBefore - 2);
    const sale = (await movements(dc)).find((m: { type: string }) => m.type === 'sale');
    expect(sale).toMatchObject({ onHandDelta: -2, reservedDelta: -2, reason: `fulfilment ${f.id} shipped` });
    const placed = (await s.call('GET', `/v1/orders/${o.id}`)).body;
    expect(placed.lines.map((l: { status: string }) => l.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(placed.status).toBe('completed');
    const mail = await mailTo('home@example.com', /on its way|onderweg/);
    expect(mail.text).toContain('3SABCD1234567');

    expect((await act(f.id, 'deliver')).body).toMatchObject({ status: 'delivered', nextActions: [] });
    const events = (await s.call('GET', `/v1/events?aggregateId=${f.id}`)).body.data.map((e: { type: string }) => e.type);
    expect(events.sort()).toEqual(['fulfilment.created', 'fulfilment.delivered', 'fulfilment.packed', 'fulfilment.picked', 'fulfilment.shipped'].sort());
    const audit = (await s.call('GET', `/v1/audit-log?resourceId=${f.id}`)).body.data.map((a: { action: string }) => a.action);
    expect(audit).toContain('fulfilment.ship');
  });
});

describe('click & collect', () => {
  it('the store marks it ready, the customer gets the code and QR, a wrong code changes nothing, the right one hands over', async () => {
    const shopper = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'collector@example.com', password: 'collector-pass-1' } })).body.token;
    const o = await order([{ sku: 'MUG', quantity: 3, fulfilment: 'pickup', pickupLocationId: gent }], 'collector@example.com', shopper);
    const [f] = await fulfilmentsOf(o.id);
    expect(f).toMatchObject({ locationId: gent, pickupLocationId: gent, method: 'pickup', status: 'open', pickupCode: null });

    // Store scope: Delft's manager neither sees nor moves Gent's pick task.
    expect((await act(f.id, 'ready', undefined, delftManager)).status).toBe(403);
    expect((await s.call('GET', `/v1/fulfilments?locationId=${gent}`, { token: delftManager })).status).toBe(403);
    expect((await s.call('GET', '/v1/fulfilments', { token: delftManager })).body.data.some((x: { id: string }) => x.id === f.id)).toBe(false);
    expect((await s.call('GET', '/v1/fulfilments', { token: gentManager })).body.data.some((x: { id: string }) => x.id === f.id)).toBe(true);

    expect((await act(f.id, 'pick', undefined, gentManager)).body.status).toBe('picked');
    const ready = await act(f.id, 'ready', undefined, gentManager);
    expect(ready.body).toMatchObject({ status: 'ready', pickupCode: null, nextActions: ['handover', 'cancel'] });
    expect(new Date(ready.body.pickupDeadline).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const mail = await mailTo('collector@example.com', /ready for pickup|ligt klaar/);
    const code = /(?:Pickup code|Ophaalcode): (\d{6})/.exec(mail.text)![1];
    const qrLink = /https?:\/\/\S+\/v1\/fulfilments\/\S+pickup-qr\.svg\?token=[\w-]+/.exec(mail.text)![0];
    expect(mail.html).toContain('<img');
    const qr = await fetch(s.url + new URL(qrLink).pathname + new URL(qrLink).search);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(await qr.text()).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect((await fetch(`${s.url}/v1/fulfilments/${f.id}/pickup-qr.svg?token=wrong-token-123`)).status).toBe(404);

    // The customer sees the code on their account; staff do not.
    const mine = (await s.call('GET', `/v1/orders/${o.id}/fulfilments`, { token: shopper })).body.data[0];
    expect(mine.pickupCode).toBe(code);
    expect(mine.pickupQrUrl).toContain('pickup-qr.svg');
    expect((await s.call('GET', `/v1/fulfilments/${f.id}`, { token: shopper })).body.pickupCode).toBe(code);
    expect((await s.call('GET', `/v1/fulfilments/${f.id}`, { token: gentManager })).body.pickupCode).toBeNull();
    const stranger = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'stranger@example.com', password: 'stranger-pass-1' } })).body.token;
    expect((await s.call('GET', `/v1/orders/${o.id}/fulfilments`, { token: stranger })).status).toBe(403);
    expect((await s.call('GET', `/v1/fulfilments/${f.id}`, { token: stranger })).status).toBe(403);
    expect((await s.call('GET', `/v1/fulfilments/${f.id}`, { token: pk })).status).toBe(403);

    const wrong = await act(f.id, 'handover', { code: code === '000000' ? '111111' : '000000' }, gentManager);
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('pickup_code_invalid');
    const still = (await s.call('GET', `/v1/fulfilments/${f.id}`)).body;
    expect(still).toMatchObject({ status: 'ready', version: ready.body.version });
    expect((await level(gent)).reserved).toBe(3);

    const handed = await act(f.id, 'handover', { code }, gentManager);
    expect(handed.body).toMatchObject({ status: 'collected', nextActions: [] });
    expect(await level(gent)).toMatchObject({ onHand: 7, reserved: 0 });
    expect((await movements(gent)).find((m: { type: string }) => m.type === 'sale')).toMatchObject({ onHandDelta: -3 });
    const done = (await s.call('GET', `/v1/orders/${o.id}`)).body;
    expect(done).toMatchObject({ status: 'completed', lines: [{ status: 'fulfilled' }] });
    const events = (await s.call('GET', `/v1/events?aggregateId=${f.id}`)).body.data;
    expect(events.map((e: { type: string }) => e.type)).toContain('fulfilment.collected');
    expect(events.every((e: { customerId: string }) => e.customerId === o.customerId)).toBe(true);
  });

  it('a parcel nobody collects within the hold is cancelled, restocked and refunded by the job', async () => {
    const captured = await order([{ sku: 'MUG', quantity: 2, fulfilment: 'pickup', pickupLocationId: delft }], 'forgetful@example.com');
    const authorisedOnly = await order([{ sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: delft }], 'forgetful@example.com');
    // One order's money was captured already (the shop captures at dispatch), the other only authorised.
    const cap = await s.call('POST', `/v1/orders/${captured.id}/payments/capture`, { body: {} });
    expect(cap.status, JSON.stringify(cap.body)).toBeLessThan(300);
    const [f1] = await fulfilmentsOf(captured.id);
    const [f2] = await fulfilmentsOf(authorisedOnly.id);
    for (const f of [f1, f2]) expect((await act(f.id, 'ready', undefined, delftManager)).body.status).toBe('ready');
    expect(await level(delft)).toMatchObject({ onHand: 10, reserved: 3 });

    const deps = fulfilmentDeps(s.winkel.db, s.config);
    expect(await expireUncollectedPickups(s.winkel.db, deps, new Date(Date.now() + 6 * 86_400_000))).toEqual([]);
    const cancelled = await expireUncollectedPickups(s.winkel.db, deps, new Date(Date.now() + 7 * 86_400_000 + 60_000));
    expect(cancelled.sort()).toEqual([f1.id, f2.id].sort());
    expect(await expireUncollectedPickups(s.winkel.db, deps, new Date(Date.now() + 8 * 86_400_000))).toEqual([]);

    // Restocked: the reservations are released in the ledger, nothing left on hold.
    expect(await level(delft)).toMatchObject({ onHand: 10, reserved: 0, availableToPromise: 10 });
    const releases = (await movements(delft)).filter((m: { type: string }) => m.type === 'release');
    expect(releases.map((m: { reservedDelta: number }) => m.reservedDelta).sort((a: number, b: number) => a - b)).toEqual([-2, -1]);
    expect(releases[0].reason).toContain('not collected within 7 days');

    // Refunded: captured money back to the card; the merely authorised money released (void).
    for (const [o, kind] of [[captured, 'refund'], [authorisedOnly, 'void']] as const) {
      const full = (await s.call('GET', `/v1/orders/${o.id}`)).body;
      expect(full.status).toBe('cancelled');
      expect(full.lines[0].status).toBe('cancelled');
      const back = full.payments.filter((p: { kind: string; status: string }) => p.kind === kind && p.status === 'succeeded');
      expect(back.reduce((sum: number, p: { amount: number }) => sum + p.amount, 0)).toBe(o.total);
    }
    const f1After = (await s.call('GET', `/v1/fulfilments/${f1.id}`)).body;
    expect(f1After).toMatchObject({ status: 'cancelled', cancelReason: 'not collected within 7 days', nextActions: [] });
    await mailTo('forgetful@example.com', /Cancelled|Geannuleerd/);
  });
});

describe('the queue', () => {
  it('filters by location, status and method, pages with a cursor, and refuses nonsense', async () => {
    const all = (await s.call('GET', `/v1/fulfilments?method=pickup&limit=200`)).body.data;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const first = await s.call('GET', '/v1/fulfilments?method=pickup&limit=1');
    expect(first.body.hasMore).toBe(true);
    const second = await s.call('GET', `/v1/fulfilments?method=pickup&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id < first.body.data[0].id).toBe(true);
    const statuses = (await s.call('GET', `/v1/fulfilments?locationId=${delft}&status=cancelled&status=collected`)).body.data.map((f: { status: string }) => f.status);
    expect(new Set(statuses)).toEqual(new Set(['cancelled']));
    expect((await s.call('GET', '/v1/fulfilments?status=lost')).status).toBe(400);
    expect((await s.call('GET', '/v1/fulfilments?cursor=bogus')).status).toBe(400);
    expect((await s.call('GET', '/v1/fulfilments', { token: pk })).status).toBe(403);
    expect((await act('ful_00000000000000000000000000', 'pick')).status).toBe(404);
    expect((await s.call('GET', '/v1/carriers')).body.data.map((c: { code: string }) => c.code)).toContain('manual');
  });
});

describe('reserve in store, pay at pickup', () => {
  it('charges nothing at checkout, asks the counter for the money at handover, and takes it with the goods', async () => {
    // Only for orders that are collected: a delivery line refuses it and changes nothing.
    const mixed = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'later@example.com' } })).body;
    await guest('POST', `/v1/carts/${mixed.id}/lines`, { token: pk, body: { sku: 'TOWEL', quantity: 1 } });
    const refused = await guest('POST', `/v1/carts/${mixed.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'pay_at_pickup' } } });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('pay_at_pickup_needs_pickup');
    expect((await guest('GET', `/v1/carts/${mixed.id}`, { token: pk })).body.status).toBe('open');

    const cart = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'later@example.com' } })).body;
    await guest('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: { sku: 'MUG', quantity: 2, fulfilment: 'pickup', pickupLocationId: gent } });
    const placed = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'pay_at_pickup' } } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect((await s.call('GET', `/v1/orders/${placed.body.id}/payments`)).body.payments).toEqual([]);
    const reservedAtGent = (await level(gent)).reserved;
    expect(reservedAtGent).toBeGreaterThanOrEqual(2);

    const [f] = await fulfilmentsOf(placed.body.id);
    await act(f.id, 'pick', undefined, gentManager);
    await act(f.id, 'ready', undefined, gentManager);
    const mail = await mailTo('later@example.com', /ready for pickup|ligt klaar/);
    const code = /(\d{6})/.exec(mail.text)![1];

    // The right code but no money: 402 with what is due, and nothing changes.
    const unpaid = await act(f.id, 'handover', { code }, gentManager);
    expect(unpaid.status).toBe(402);
    expect(unpaid.body).toMatchObject({ code: 'payment_required', amountDue: 1000 });
    expect((await fulfilmentsOf(placed.body.id))[0].status).toBe('ready');

    const handed = await act(f.id, 'handover', { code, tenders: [{ method: 'cash', tendered: 2000 }] }, gentManager);
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    expect(handed.body.status).toBe('collected');
    const order = (await s.call('GET', `/v1/orders/${placed.body.id}`)).body;
    expect(order).toMatchObject({ status: 'completed', capturedTotal: 1000, refundedTotal: 0 });
    expect((await level(gent)).reserved).toBe(reservedAtGent - 2);
    // The ledger: cash authorised and captured at the counter.
    expect((await s.call('GET', `/v1/orders/${placed.body.id}/payments`)).body.payments.map((p: { provider: string; kind: string }) => `${p.provider}:${p.kind}`)).toEqual(['cash:authorisation', 'cash:capture']);
  });
});
