// Carts and checkout through the API: live prices, a declined card that leaves nothing behind, a
// changed price refused, and 50 parallel submissions of one cart giving one order and one charge.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let dc = '';
let gent = '';

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Gent', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG', gtin: '4006381333931' }] } });
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Tea towel' }, variants: [{ sku: 'TOWEL' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }, { sku: 'TOWEL', amount: 350 }] } });
  for (const [sku, locationId, quantity] of [['MUG', dc, 10], ['TOWEL', dc, 10], ['MUG', gent, 2]] as const) await s.call('POST', '/v1/stock/movements', { body: { sku, locationId, type: 'receipt', quantity } });
});
afterAll(() => s?.close());

// A guest shopping with the shop front's key, sending each cart's secret as a browser does.
const shop = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => guest(method, path, { body, headers });
const atpAt = async (sku: string, locationId: string) => (await s.call('GET', `/v1/stock?sku=${sku}`)).body.data.find((l: { locationId: string }) => l.locationId === locationId)?.availableToPromise;

async function cartWith(lines: Array<Record<string, unknown>>) {
  const cart = (await shop('POST', '/v1/carts', { channel: 'web', email: 'shopper@example.com' })).body;
  for (const l of lines) expect((await shop('POST', `/v1/carts/${cart.id}/lines`, l)).status).toBe(200);
  return (await shop('GET', `/v1/carts/${cart.id}`)).body;
}

describe('carts', () => {
  it('prices lines live, by SKU or scanned barcode, with shipping and VAT', async () => {
    const cart = await cartWith([{ sku: 'MUG', quantity: 1 }, { barcode: '4006381333931', quantity: 1 }, { sku: 'TOWEL', quantity: 2 }]);
    expect(cart.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      ['MUG', 2],
      ['TOWEL', 2],
    ]);
    expect(cart.quote).toMatchObject({ subtotal: 1700, shipping: { cost: 495 }, total: 2195 });
    expect(cart.quote.vat.net + cart.quote.vat.vat).toBe(2195);
    const bad = await shop('POST', `/v1/carts/${cart.id}/lines`, { barcode: '4006381333932', quantity: 1 });
    expect(bad.status).toBe(422);
  });
});

describe('checkout', () => {
  it('a declined card leaves no reservation, no order and an open cart', async () => {
    const before = await atpAt('MUG', dc);
    const cart = await cartWith([{ sku: 'MUG', quantity: 3 }]);
    const r = await shop('POST', `/v1/carts/${cart.id}/checkout`, { expectedTotal: cart.quote.total, payment: { method: 'test_card', cardNumber: '4000 0000 0000 0002' } }, { 'idempotency-key': 'decline-1' });
    expect(r.status).toBe(402);
    expect(r.body.failureCode).toBe('card_declined');
    expect(await atpAt('MUG', dc)).toBe(before);
    expect((await shop('GET', `/v1/carts/${cart.id}`)).body.status).toBe('open');
    const [{ n }] = (await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from orders where cart_id = ${cart.id}`)).rows;
    expect(n).toBe(0);
  });

  it('refuses a total that changed since the shopper saw it, saying what it is now', async () => {
    const cart = await cartWith([{ sku: 'TOWEL', quantity: 1 }]);
    const r = await shop('POST', `/v1/carts/${cart.id}/checkout`, { expectedTotal: 100, payment: { method: 'test_card', cardNumber: '4242424242424242' } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'cart_changed', total: cart.quote.total });
  });

  it('gives one order and one charge for 50 parallel submissions of one cart', async () => {
    const before = await atpAt('MUG', dc);
    const cart = await cartWith([{ sku: 'MUG', quantity: 2 }, { sku: 'TOWEL', quantity: 1 }]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => shop('POST', `/v1/carts/${cart.id}/checkout`, { expectedTotal: cart.quote.total, payment: { method: 'test_card', cardNumber: '4242424242424242' } }, { 'idempotency-key': `race-${i % 5}` })),
    );
    const orderIds = new Set(results.filter((r) => r.status === 201 || r.status === 200).map((r) => r.body.id));
    expect(orderIds.size).toBe(1);
    expect(results.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(results.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    const [{ n }] = (await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from payments where cart_id = ${cart.id} and kind = 'authorisation' and status = 'succeeded'`)).rows;
    expect(n).toBe(1);
    expect(await atpAt('MUG', dc)).toBe(before - 2);
    const order = (await s.call('GET', `/v1/orders/${[...orderIds][0]}`)).body;
    expect(order).toMatchObject({ total: cart.quote.total, status: 'placed' });
    expect(order.lines.map((l: { sku: string; locationId: string }) => [l.sku, l.locationId])).toEqual([
      ['MUG', dc],
      ['TOWEL', dc],
    ]);
    const mail = await eventually(async () => (await s.call('GET', '/v1/devtools/emails?to=shopper@example.com')).body.data[0]);
    expect(mail.subject).toContain(order.id);
    expect((await s.call('GET', `/v1/events?aggregateId=${order.id}`)).body.data[0].type).toBe('order.placed');
  });

  it('reserves a pickup line at the chosen store, and says when there is not enough', async () => {
    const cart = await cartWith([{ sku: 'MUG', quantity: 3, fulfilment: 'pickup', pickupLocationId: gent }]);
    const r = await shop('POST', `/v1/carts/${cart.id}/checkout`, { expectedTotal: cart.quote.total, payment: { method: 'test_card', cardNumber: '4242424242424242' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('insufficient_stock');
    const two = (await shop('PATCH', `/v1/carts/${cart.id}/lines/${cart.lines[0].id}`, { quantity: 2 })).body;
    const ok = await shop('POST', `/v1/carts/${cart.id}/checkout`, { expectedTotal: two.quote.total, payment: { method: 'test_card', cardNumber: '4242424242424242' } });
    expect(ok.status).toBe(201);
    expect(ok.body.lines[0]).toMatchObject({ fulfilment: 'pickup', locationId: gent });
    expect(ok.body.shippingTotal).toBe(0);
    expect(await atpAt('MUG', gent)).toBe(0);
  });

  it('lists orders for staff, newest first, and keeps them from other shoppers', async () => {
    const list = await s.call('GET', '/v1/orders?channel=web&limit=1');
    expect(list.body.data).toHaveLength(1);
    expect(list.body.hasMore).toBe(true);
    const next = await s.call('GET', `/v1/orders?channel=web&cursor=${list.body.nextCursor}`);
    expect(next.body.data[0].id < list.body.data[0].id).toBe(true);
    expect((await s.call('GET', '/v1/orders?channel=pos')).body.data).toEqual([]);
    expect((await shop('GET', '/v1/orders')).status).toBe(403);
    const shopper = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'other@example.com', password: 'other-secret-1' } })).body.token;
    expect((await s.call('GET', `/v1/orders/${list.body.data[0].id}`, { token: shopper })).status).toBe(403);
  });
});

describe('a customer at the till', () => {
  it('is attached to a POS cart by staff, gets their personal offer, and the order is theirs', async () => {
    const lotte = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'lotte.till@example.com', password: 'lotte-secret-1', name: 'Lotte' } })).body;
    const offer = await s.call('POST', '/v1/promotions', {
      body: { name: 'Lotte’s mug', status: 'active', stacking: 'combinable', target: { skus: ['MUG'] }, rule: { kind: 'percent_off_items', percent: 20 }, customerId: lotte.customer.id },
    });
    expect(offer.status, JSON.stringify(offer.body)).toBe(201);
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId: gent, type: 'receipt', quantity: 1 } });
    const cart = (await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: gent } })).body;
    await s.call('POST', `/v1/carts/${cart.id}/lines`, { body: { sku: 'MUG', quantity: 1 } });
    const attach = (customerId: string | null, token?: string) => s.call('PUT', `/v1/carts/${cart.id}/customer`, { token, body: { customerId } });

    // Not for shop fronts or shoppers; an unknown account changes nothing.
    expect((await attach(lotte.customer.id, pk)).status).toBe(403);
    expect((await attach(lotte.customer.id, lotte.token)).status).toBe(403);
    const unknown = await attach('cus_01JXXXXXXXXXXXXXXXXXXXXXXX');
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'unknown_customer', errors: [{ field: '/customerId' }] });
    const before = (await s.call('GET', `/v1/carts/${cart.id}`)).body;
    expect(before.customerId).toBeNull();
    expect(before.quote.total).toBe(500);
    expect(before.quote.notApplied.map((n: { promotionId: string }) => n.promotionId)).toContain(offer.body.id);

    const attached = await attach(lotte.customer.id);
    expect(attached.status, JSON.stringify(attached.body)).toBe(200);
    expect(attached.body.customerId).toBe(lotte.customer.id);
    expect(attached.body.quote.total).toBe(400);
    expect(attached.body.quote.applied.map((a: { promotionId: string }) => a.promotionId)).toEqual([offer.body.id]);
    // Detached, the offer goes; attached again, it is back.
    expect((await attach(null)).body.quote.total).toBe(500);
    expect((await attach(lotte.customer.id)).body.customerId).toBe(lotte.customer.id);

    const order = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { body: { expectedTotal: 400, tenders: [{ method: 'cash', tendered: 1000 }] }, headers: { 'idempotency-key': 'till-lotte-1' } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body).toMatchObject({ customerId: lotte.customer.id, total: 400 });
    expect((await s.call('GET', '/v1/me/orders', { token: lotte.token })).body.data.map((o: { id: string }) => o.id)).toContain(order.body.id);
    expect((await attach(null)).status).toBe(409);
  });

  it('is given when staff start the cart, but never by a shop front or for another shopper', async () => {
    const bram = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'bram.till@example.com', password: 'bram-secret-11' } })).body;
    const staffCart = await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: gent, customerId: bram.customer.id } });
    expect(staffCart.status).toBe(201);
    expect(staffCart.body.customerId).toBe(bram.customer.id);
    expect((await shop('POST', '/v1/carts', { channel: 'web', customerId: bram.customer.id })).status).toBe(403);
    const other = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'not.bram@example.com', password: 'other-secret-11' } })).body.token;
    expect((await s.call('POST', '/v1/carts', { token: other, body: { channel: 'web', customerId: bram.customer.id } })).status).toBe(403);
    expect((await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: gent, customerId: 'cus_01JXXXXXXXXXXXXXXXXXXXXXXX' } })).status).toBe(422);
  });
});
