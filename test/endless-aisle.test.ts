// Endless aisle: ordered in a store, delivered at home. A store associate rings up an item the store
// has none of at the till (a pos cart of that store) as a home delivery to the customer's address.
// The sourcing engine sends it from the DC (the selling store has nothing, the other store is
// farther); the order stays a till order of the selling store while its line comes from the DC; the
// DC reserves it and picks, packs and ships it to the customer's home; the store's stock is never
// touched; and the customer's timeline shows the order as bought in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let dc = '';
let ams = '';
let rtm = '';
let lampId = '';
let associate = '';
let customerId = '';

const HOME = { name: 'Lotte de Vries', line1: 'Buiksloterweg 12', postalCode: '1031cc', city: 'Amsterdam', country: 'NL', phone: '+31612345678', latitude: 52.3906, longitude: 4.9035 };

beforeAll(async () => {
  s = await startTestServer();
  // The DC in Utrecht, the Amsterdam store where the customer is, and Rotterdam (ships from store, but farther).
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC Utrecht', type: 'warehouse', latitude: 52.0907, longitude: 5.1214 } })).body.id;
  ams = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Winkel Amsterdam', type: 'store', pickup: true, shipFromStore: true, latitude: 52.3702, longitude: 4.8952 } })).body.id;
  rtm = (await s.call('POST', '/v1/locations', { body: { code: 'RTM', name: 'Winkel Rotterdam', type: 'store', pickup: true, shipFromStore: true, latitude: 51.9244, longitude: 4.4777 } })).body.id;
  lampId = (await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Floor lamp' }, variants: [{ sku: 'LAMP' }] } })).body.variants[0].id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Vase' }, variants: [{ sku: 'VASE' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'LAMP', amount: 8995 }, { sku: 'VASE', amount: 1995 }] } });
  // Amsterdam has vases but no lamp; the DC and Rotterdam have lamps.
  for (const [sku, locationId, quantity] of [['LAMP', dc, 10], ['LAMP', rtm, 4], ['VASE', ams, 5]] as const) {
    expect((await s.call('POST', '/v1/stock/movements', { body: { sku, locationId, type: 'receipt', quantity } })).status).toBe(201);
  }
  await s.call('POST', '/v1/staff-users', { body: { email: 'sam@test.example', name: 'Sam', role: 'store_associate', password: 'associate-pass-1', storeIds: [ams] } });
  associate = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'sam@test.example', password: 'associate-pass-1' } })).body.token;
  // The customer has an account (with the e-mail they give at the till).
  customerId = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'lotte@example.com', password: 'lotte-secret-1', name: 'Lotte' } })).body.customer.id;
});
afterAll(() => s?.close());

const stockAt = async (sku: string, locationId: string) => {
  const row = (await s.call('GET', `/v1/stock?sku=${sku}`)).body.data.find((l: { locationId: string }) => l.locationId === locationId);
  return row ? { onHand: row.onHand, reserved: row.reserved } : { onHand: 0, reserved: 0 };
};
const movementsAt = async (variantId: string, locationId: string) => (await s.call('GET', `/v1/stock/movements?variantId=${variantId}&locationId=${locationId}`)).body.data as Array<{ type: string; quantity: number }>;

async function tillCart() {
  const cart = await s.call('POST', '/v1/carts', { token: associate, body: { channel: 'pos', storeId: ams, email: 'lotte@example.com' } });
  expect(cart.status, JSON.stringify(cart.body)).toBe(201);
  const line = await s.call('POST', `/v1/carts/${cart.body.id}/lines`, { token: associate, body: { sku: 'LAMP', quantity: 1, fulfilment: 'delivery' } });
  expect(line.status, JSON.stringify(line.body)).toBe(200);
  return line.body as { id: string; lines: Array<{ fulfilment: string; pickupLocationId: string | null }>; quote: { total: number; shipping: { total: number } } };
}

describe('endless aisle: ordered in a store, delivered at home', () => {
  it('needs the delivery address for a till’s delivery line, and keeps the cart when it is missing', async () => {
    const cart = await tillCart();
    const r = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: associate, body: { expectedTotal: cart.quote.total, tenders: [{ method: 'cash', tendered: 10_000 }] } });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: '/shippingAddress', in: 'body', message: 'required for delivery lines' }]);
    expect((await s.call('GET', `/v1/carts/${cart.id}`, { token: associate })).body.status).toBe('open');
    expect(await stockAt('LAMP', dc)).toEqual({ onHand: 10, reserved: 0 });
  });

  it('sources from the DC, keeps the sale with the store, ships to the customer’s home, and shows it in the customer’s timeline', async () => {
    const amsLampBefore = await stockAt('LAMP', ams);
    const amsVaseBefore = await stockAt('VASE', ams);
    const cart = await tillCart();
    expect(cart.lines[0]).toMatchObject({ fulfilment: 'delivery', pickupLocationId: null });
    // Sold in the store: no shipping charged on top (docs/commerce.md, Endless aisle).
    expect(cart.quote.shipping.total).toBe(0);
    expect(cart.quote.total).toBe(8995);

    const r = await s.call('POST', `/v1/carts/${cart.id}/checkout`, {
      token: associate,
      body: { expectedTotal: cart.quote.total, tenders: [{ method: 'card_present', fingerprint: 'fp-lotte-9c1d', last4: '1234' }], shippingAddress: HOME, note: 'Deliver after 17:00 please.' },
      headers: { 'idempotency-key': 'endless-aisle-1' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const order = r.body;
    // Still a till sale of the Amsterdam store; the lamp comes from the DC, delivered at home.
    expect(order).toMatchObject({ channel: 'pos', storeId: ams, email: 'lotte@example.com', total: 8995, shippingTotal: 0, note: 'Deliver after 17:00 please.' });
    expect(order.shippingAddress).toMatchObject({ name: 'Lotte de Vries', line1: 'Buiksloterweg 12', postalCode: '1031 CC', city: 'Amsterdam', country: 'NL' });
    expect(order.lines).toHaveLength(1);
    expect(order.lines[0]).toMatchObject({ sku: 'LAMP', fulfilment: 'delivery', locationId: dc, status: 'reserved' });

    // Reserved at the DC, not at the store; the store's stock is untouched.
    expect(await stockAt('LAMP', dc)).toEqual({ onHand: 10, reserved: 1 });
    expect(await stockAt('LAMP', ams)).toEqual(amsLampBefore);
    expect(await stockAt('VASE', ams)).toEqual(amsVaseBefore);
    expect(await stockAt('LAMP', rtm)).toEqual({ onHand: 4, reserved: 0 });

    // One home delivery from the DC to the customer's address, with the engine's reasons.
    const fulfilments = (await s.call('GET', `/v1/orders/${order.id}/fulfilments`)).body.data;
    expect(fulfilments).toHaveLength(1);
    const [f] = fulfilments;
    expect(f).toMatchObject({ method: 'delivery', locationId: dc, pickupLocationId: null, status: 'open', nextActions: ['pick', 'cancel'] });
    expect(f.shippingAddress).toEqual(order.shippingAddress);
    const reservation = (await s.call('GET', `/v1/reservations/${f.lines[0].reservationId}`)).body;
    expect(reservation).toMatchObject({ locationId: dc, variantId: lampId, quantity: 1, status: 'active' });
    const rejected = f.sourcing[0].rejected as Array<{ locationId: string; reason: string }>;
    expect(rejected.find((x) => x.locationId === ams)?.reason).toBe('insufficient_stock');
    expect(rejected.find((x) => x.locationId === rtm)?.reason).toBe('higher_cost');

    // The DC's queue has it; the selling store finds the order among its own.
    expect((await s.call('GET', `/v1/fulfilments?locationId=${dc}&orderId=${order.id}`)).body.data.map((x: { id: string }) => x.id)).toEqual([f.id]);
    expect((await s.call('GET', `/v1/orders?storeId=${ams}`, { token: associate })).body.data.map((o: { id: string }) => o.id)).toContain(order.id);

    // Pick, pack and ship at the DC: the sale is booked at the DC, the order line is fulfilled.
    for (const [step, body] of [['pick', {}], ['pack', {}], ['ship', { carrier: 'manual', trackingNumber: 'TRACK-EA-1' }], ['deliver', {}]] as const) {
      const done = await s.call('POST', `/v1/fulfilments/${f.id}/${step}`, { body });
      expect(done.status, `${step}: ${JSON.stringify(done.body)}`).toBe(200);
    }
    expect(await stockAt('LAMP', dc)).toEqual({ onHand: 9, reserved: 0 });
    expect((await movementsAt(lampId, dc)).map((m) => m.type).sort()).toEqual(['receipt', 'reservation', 'sale']);
    expect(await movementsAt(lampId, ams)).toEqual([]);
    expect(await stockAt('VASE', ams)).toEqual(amsVaseBefore);
    const after = (await s.call('GET', `/v1/orders/${order.id}`)).body;
    expect(after).toMatchObject({ status: 'completed', channel: 'pos', storeId: ams });
    expect(after.lines[0].status).toBe('fulfilled');

    // The customer is known by the e-mail given at the till: their timeline shows the order as bought in the store.
    const profile = await eventually(async () => (await s.call('GET', `/v1/profiles/lookup?customerId=${customerId}`)).body?.id as string | undefined);
    const entry = await eventually(async () => {
      const t = (await s.call('GET', `/v1/profiles/${profile}/timeline?type=order.placed`)).body.data as Array<{ channel: string; salesChannel: string; storeId: string; amount: number; data: { order: { id: string } } }>;
      return t.find((e) => e.data.order.id === order.id);
    });
    expect(entry).toMatchObject({ channel: 'store', salesChannel: 'pos', storeId: ams, amount: 8995 });
  });

  it('ships from another store when the DC has none, never from the selling store without stock', async () => {
    // Empty the DC of lamps: Rotterdam (ship from store) is the only one that can send it.
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: dc, type: 'adjustment', quantity: -9, reason: 'test: DC sold out' } });
    expect((await stockAt('LAMP', dc)).onHand).toBe(0);
    const cart = await tillCart();
    const r = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: associate, body: { expectedTotal: cart.quote.total, tenders: [{ method: 'cash', tendered: 10_000 }], shippingAddress: HOME } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ channel: 'pos', storeId: ams });
    expect(r.body.lines[0]).toMatchObject({ fulfilment: 'delivery', locationId: rtm });
    const [f] = (await s.call('GET', `/v1/orders/${r.body.id}/fulfilments`)).body.data;
    expect(f).toMatchObject({ method: 'delivery', locationId: rtm });
    expect(await stockAt('LAMP', rtm)).toEqual({ onHand: 4, reserved: 1 });
    expect(await stockAt('LAMP', ams)).toEqual({ onHand: 0, reserved: 0 });
  });
});
