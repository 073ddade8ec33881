// The delivery address of an order: required for home delivery (when the shop requires it), checked
// field by field, kept on the order, shown on the fulfilment's pick list and ship screen, used as the
// sourcing destination when it has coordinates, not needed for pickup, and erased with the person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let dc = '';
let gent = '';
let amsterdamStore = '';
const CARD = { method: 'test_card', cardNumber: '4242424242424242' };
const HOME = { name: 'Femke de Vries', line1: 'Prinsengracht 263', line2: '2nd floor', postalCode: '1016gv', city: 'Amsterdam', country: 'NL', phone: '+31612345678' };

beforeAll(async () => {
  s = await startTestServer({ requireShippingAddress: true, sourcingPolicy: 'nearest' });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  // A DC in Tilburg, a ship-from-store shop in Amsterdam, and a pickup store in Gent.
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'Central DC', type: 'warehouse', latitude: 51.56, longitude: 5.09 } })).body.id;
  const ams = await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Winkel Amsterdam', type: 'store', pickup: true, shipFromStore: true, latitude: 52.37, longitude: 4.89 } });
  expect(ams.status, JSON.stringify(ams.body)).toBe(201);
  amsterdamStore = ams.body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Winkel Gent', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }] } });
  for (const locationId of [dc, amsterdamStore, gent]) await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId, type: 'receipt', quantity: 20 } });
});
afterAll(() => s?.close());

async function cartWith(lines: Array<Record<string, unknown>>, email = 'femke@example.com', token = pk) {
  const cart = (await guest('POST', '/v1/carts', { token, body: { channel: 'web', email } })).body;
  for (const l of lines) expect((await guest('POST', `/v1/carts/${cart.id}/lines`, { token, body: l })).status).toBe(200);
  return cart.id as string;
}
const checkout = (cartId: string, body: Record<string, unknown>, token = pk) => guest('POST', `/v1/carts/${cartId}/checkout`, { token, body: { payment: CARD, acceptCurrentPrice: true, ...body } });

describe('delivery address at checkout', () => {
  it('is required when a line is delivered at home: 400 naming the field, and the cart stays open', async () => {
    const cartId = await cartWith([{ sku: 'MUG', quantity: 1 }]);
    const r = await checkout(cartId, {});
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: '/shippingAddress', in: 'body', message: 'required for delivery lines' }]);
    // The cart is open again and can be checked out with an address.
    expect((await guest('GET', `/v1/carts/${cartId}`, { token: pk })).body.status).toBe('open');
    expect((await checkout(cartId, { shippingAddress: HOME })).status).toBe(201);
  });

  it('names the wrong field: unknown country, postal code of another country, a phone not in E.164, one coordinate alone', async () => {
    const cartId = await cartWith([{ sku: 'MUG', quantity: 1 }]);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...HOME, country: 'XX' }, '/shippingAddress/country'],
      [{ ...HOME, country: 'nl' }, '/shippingAddress/country'],
      [{ ...HOME, postalCode: '90210' }, '/shippingAddress/postalCode'],
      [{ ...HOME, phone: '0612345678' }, '/shippingAddress/phone'],
      [{ ...HOME, latitude: 52.1 }, '/shippingAddress/longitude'],
      [{ ...HOME, line1: '   ' }, '/shippingAddress/line1'],
      [{ ...HOME, city: undefined }, '/shippingAddress'],
    ];
    for (const [address, field] of cases) {
      const r = await checkout(cartId, { shippingAddress: address });
      expect(r.status, JSON.stringify(address)).toBe(400);
      expect(r.body.type ?? r.body.code, JSON.stringify(r.body)).toBeTruthy();
      expect(JSON.stringify(r.body.errors), JSON.stringify(address)).toContain(field);
    }
    expect((await guest('GET', `/v1/carts/${cartId}`, { token: pk })).body.status).toBe('open');
  });

  it('is stored on the order (normalised), shown on the home-delivery fulfilment, and not needed for pickup', async () => {
    const cartId = await cartWith([{ sku: 'MUG', quantity: 2 }, { sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: gent }]);
    const r = await checkout(cartId, { shippingAddress: HOME });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const stored = { name: 'Femke de Vries', line1: 'Prinsengracht 263', line2: '2nd floor', postalCode: '1016 GV', city: 'Amsterdam', country: 'NL', phone: '+31612345678', latitude: null, longitude: null };
    expect(r.body.shippingAddress).toEqual(stored);
    expect((await s.call('GET', `/v1/orders/${r.body.id}`)).body.shippingAddress).toEqual(stored);

    const fulfilments = (await s.call('GET', `/v1/orders/${r.body.id}/fulfilments`)).body.data;
    const home = fulfilments.find((f: { method: string }) => f.method === 'delivery');
    const pickup = fulfilments.find((f: { method: string }) => f.method === 'pickup');
    expect(home.shippingAddress).toEqual(stored);
    expect(pickup.shippingAddress).toBeNull();
    // The pick list (the location's queue) and one fulfilment carry it too.
    const queue = (await s.call('GET', `/v1/fulfilments?locationId=${home.locationId}&status=open`)).body.data;
    expect(queue.find((f: { id: string }) => f.id === home.id).shippingAddress).toEqual(stored);
    expect((await s.call('GET', `/v1/fulfilments/${home.id}`)).body.shippingAddress.postalCode).toBe('1016 GV');
    // After packing, the ship step answers with it as well (the ship screen).
    await s.call('POST', `/v1/fulfilments/${home.id}/pick`);
    const packed = await s.call('POST', `/v1/fulfilments/${home.id}/pack`);
    expect(packed.body.shippingAddress.name).toBe('Femke de Vries');

    // A pickup-only cart needs no address, and keeps none even when one is sent.
    const pickupOnly = await cartWith([{ sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: gent }]);
    const p = await checkout(pickupOnly, { shippingAddress: HOME });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body.shippingAddress).toBeNull();
  });

  it('sends the goods from the nearest location when the address has coordinates (the configured policy)', async () => {
    // Near Amsterdam: the Amsterdam store ships from store under the "nearest" policy.
    const near = await checkout(await cartWith([{ sku: 'MUG', quantity: 1 }]), { shippingAddress: { ...HOME, latitude: 52.36, longitude: 4.88 } });
    expect(near.status, JSON.stringify(near.body)).toBe(201);
    expect(near.body.lines[0].locationId).toBe(amsterdamStore);
    // Near Tilburg: the DC.
    const south = await checkout(await cartWith([{ sku: 'MUG', quantity: 1 }]), { shippingAddress: { ...HOME, postalCode: '5038 AA', city: 'Tilburg', latitude: 51.55, longitude: 5.08 } });
    expect(south.status, JSON.stringify(south.body)).toBe(201);
    expect(south.body.lines[0].locationId).toBe(dc);
    const [f] = (await s.call('GET', `/v1/orders/${south.body.id}/fulfilments`)).body.data;
    expect(JSON.stringify(f.sourcing)).toContain('km');
  });

  it('is erased with the person: only the country is left on the order', async () => {
    const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'jan.erase@example.com', password: 'jan-secret-123', name: 'Jan Wegwezen' } });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const token = up.body.token;
    const cartId = await cartWith([{ sku: 'MUG', quantity: 1 }], 'jan.erase@example.com', token);
    const o = await checkout(cartId, { shippingAddress: { ...HOME, name: 'Jan Wegwezen', line1: 'Wegwezenlaan 9', phone: '+31699887766' } }, token);
    expect(o.status, JSON.stringify(o.body)).toBe(201);
    const erased = await s.call('POST', '/v1/privacy/erasures', { body: { customerId: up.body.customer.id, reason: 'request' } });
    expect(erased.status, JSON.stringify(erased.body)).toBe(201);
    const after = (await s.call('GET', `/v1/orders/${o.body.id}`)).body;
    expect(after.shippingAddress).toEqual({ name: '[erased]', line1: '[erased]', line2: null, postalCode: '[erased]', city: '[erased]', country: 'NL', phone: null, latitude: null, longitude: null });
    const [f] = (await s.call('GET', `/v1/orders/${o.body.id}/fulfilments`)).body.data;
    expect(JSON.stringify(f)).not.toContain('Wegwezen');
  });
});
