// Whose cart it is, who may start a cart of a store or name a customer group, and which price a
// checkout pays (issue #18, points 2, 3 and 9), through the real API, one test per kind of caller:
// another customer, a guest without the cart's secret, a guest with it, a publishable key, an
// associate of another store, a secret key scoped to another store, no credential.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk = '';
let dc = '';
let gent = '';
let ams = '';
let productId = '';
/** Staff and device keys: an associate and a key of each store, and a key that cannot sell. */
const who = { gentAssociate: '', amsAssociate: '', gentKey: '', amsKey: '', shopServerKey: '' };
const CARD = { method: 'test_card', cardNumber: '4242424242424242' } as const;

async function signUp(email: string) {
  const r = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email, password: `${email}-secret-1` } });
  expect(r.status).toBe(201);
  return r.body as { token: string; customer: { id: string } };
}

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Gent', type: 'store', pickup: true } })).body.id;
  ams = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Amsterdam', type: 'store', pickup: true } })).body.id;
  productId = (await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } })).body.id;
  const base = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${base}/prices`, { body: { prices: [{ sku: 'MUG', amount: 2000 }] } });
  const gold = (await s.call('POST', '/v1/price-lists', { body: { name: 'Gold members', customerGroup: 'gold' } })).body.id;
  await s.call('POST', `/v1/price-lists/${gold}/prices`, { body: { prices: [{ sku: 'MUG', amount: 1000 }] } });
  for (const loc of [dc, gent, ams]) expect((await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId: loc, type: 'receipt', quantity: 50 } })).status).toBe(201);
  for (const [name, storeId] of [['gentAssociate', gent], ['amsAssociate', ams]] as const) {
    const email = `${name.toLowerCase()}@test.example`;
    expect((await s.call('POST', '/v1/staff-users', { body: { email, name, role: 'store_associate', password: 'associate-pass-1', storeIds: [storeId] } })).status).toBe(201);
    who[name] = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email, password: 'associate-pass-1' } })).body.token;
  }
  // A store's device key: a secret key scoped to the store that may sell (orders:write).
  const key = async (name: string, scopes: string[], storeIds: string[] | null) => {
    const r = await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name, scopes, storeIds } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.token as string;
  };
  who.gentKey = await key('Gent till', ['storefront', 'orders:write'], [gent]);
  who.amsKey = await key('Amsterdam till', ['storefront', 'orders:write'], [ams]);
  who.shopServerKey = await key('Headless shop server', ['storefront'], null);
});
afterAll(() => s?.close());

const secretHeader = (secret?: string) => (secret ? { 'winkel-cart-secret': secret } : undefined);
/** Every route on one cart, as this caller (with a guest cart's secret when given). */
async function everyCartRoute(cartId: string, lineId: string, token: string | null, secret?: string) {
  const headers = secretHeader(secret);
  return {
    read: (await s.call('GET', `/v1/carts/${cartId}`, { token, headers })).status,
    addLine: (await s.call('POST', `/v1/carts/${cartId}/lines`, { token, headers, body: { sku: 'MUG', quantity: 1 } })).status,
    changeLine: (await s.call('PATCH', `/v1/carts/${cartId}/lines/${lineId}`, { token, headers, body: { quantity: 5 } })).status,
    coupons: (await s.call('POST', `/v1/carts/${cartId}/coupons`, { token, headers, body: { codes: ['NOPE'] } })).status,
    checkout: (await s.call('POST', `/v1/carts/${cartId}/checkout`, { token, headers, body: { acceptCurrentPrice: true, email: 'thief@example.com', payment: CARD } })).status,
  };
}
const ALL_404 = { read: 404, addLine: 404, changeLine: 404, coupons: 404, checkout: 404 };
const ALL_401 = { read: 401, addLine: 401, changeLine: 401, coupons: 401, checkout: 401 };

/** The cart as its owner sees it, and what the database holds for it. */
async function unchanged(cartId: string, token: string, secret?: string) {
  const cart = (await s.call('GET', `/v1/carts/${cartId}`, { token, headers: secretHeader(secret) })).body;
  const orders = (await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from orders where cart_id = ${cartId}`)).rows[0].n;
  return { status: cart.status, lines: cart.lines.map((l: { quantity: number }) => l.quantity), couponCodes: cart.couponCodes, email: cart.email, orders };
}

describe('whose cart it is', () => {
  it('a guest cart answers its secret once and is reached only with it: not by a guest without it, another publishable-key caller, a customer or no credential', async () => {
    const made = await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'guest.one@example.com' } });
    expect(made.status).toBe(201);
    expect(made.body.secret).toMatch(/^wcs_[A-Za-z0-9_-]{43}$/);
    const { id, secret } = made.body;
    // Only its hash is kept.
    const [row] = (await s.winkel.db.execute<{ secret_hash: string }>(sql`select secret_hash from carts where id = ${id}`)).rows;
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).not.toContain(secret);

    // The guest with the secret: every route works, and the secret is never answered again.
    const line = await s.call('POST', `/v1/carts/${id}/lines`, { token: pk, headers: secretHeader(secret), body: { sku: 'MUG', quantity: 1 } });
    expect(line.status).toBe(200);
    expect(line.body.secret).toBeUndefined();
    const lineId = line.body.lines[0].id;
    const read = await s.call('GET', `/v1/carts/${id}`, { token: pk, headers: secretHeader(secret) });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, email: 'guest.one@example.com' });
    expect(read.body.secret).toBeUndefined();
    const before = await unchanged(id, pk, secret);

    // The same shop front (every shopper's browser holds the same publishable key) without the secret,
    // or with another cart's secret: 404, as for a cart that does not exist.
    expect(await everyCartRoute(id, lineId, pk)).toEqual(ALL_404);
    const other = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web' } })).body;
    expect(await everyCartRoute(id, lineId, pk, other.secret)).toEqual(ALL_404);
    expect(await everyCartRoute(id, lineId, pk, 'wcs_not-the-secret')).toEqual(ALL_404);
    const unknown = await s.call('GET', '/v1/carts/cart_01JXXXXXXXXXXXXXXXXXXXXXXX', { token: pk, headers: secretHeader(secret) });
    const foreign = await s.call('GET', `/v1/carts/${id}`, { token: pk });
    expect(foreign.body.detail.replace(id, 'X')).toBe(unknown.body.detail.replace('cart_01JXXXXXXXXXXXXXXXXXXXXXXX', 'X'));
    // A signed-in customer without the secret.
    const customer = await signUp('not.the.guest@example.com');
    expect(await everyCartRoute(id, lineId, customer.token)).toEqual(ALL_404);
    // No credential at all.
    expect(await everyCartRoute(id, lineId, null, secret)).toEqual(ALL_401);
    expect(await unchanged(id, pk, secret)).toEqual(before);

    // The guest with the secret checks out.
    const paid = await s.call('POST', `/v1/carts/${id}/checkout`, { token: pk, headers: secretHeader(secret), body: { expectedTotal: read.body.quote.total, payment: CARD } });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  });

  it('a customer’s cart is theirs: another customer, the shop front and staff of a store get 404', async () => {
    const noor = await signUp('noor.cart@example.com');
    const bram = await signUp('bram.cart@example.com');
    const cart = (await s.call('POST', '/v1/carts', { token: noor.token, body: { channel: 'web' } })).body;
    expect(cart.customerId).toBe(noor.customer.id);
    expect(cart.secret).toBeUndefined();
    const lineId = (await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: noor.token, body: { sku: 'MUG', quantity: 2 } })).body.lines[0].id;
    const before = await unchanged(cart.id, noor.token);

    expect(await everyCartRoute(cart.id, lineId, bram.token)).toEqual(ALL_404);
    expect(await everyCartRoute(cart.id, lineId, pk)).toEqual(ALL_404);
    expect(await everyCartRoute(cart.id, lineId, who.gentAssociate)).toEqual(ALL_404);
    expect(await everyCartRoute(cart.id, lineId, who.gentKey)).toEqual(ALL_404);
    expect(await unchanged(cart.id, noor.token)).toEqual(before);
    // Staff and keys of every store (customer service, a headless shop's server) do reach it.
    expect((await s.call('GET', `/v1/carts/${cart.id}`, { token: who.shopServerKey })).status).toBe(200);
    expect((await s.call('GET', `/v1/carts/${cart.id}`)).status).toBe(200);
    // Staff who neither sell nor serve customers (a merchandiser) do not.
    const merch = await s.call('POST', '/v1/staff-users', { body: { email: 'merch.cart@example.com', name: 'Merch', role: 'merchandiser', password: 'merchandiser-pass-1' } });
    expect(merch.status).toBe(201);
    const merchToken = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'merch.cart@example.com', password: 'merchandiser-pass-1' } })).body.token;
    expect(await everyCartRoute(cart.id, lineId, merchToken)).toEqual(ALL_404);
  });

  it('a till cart is its store’s: an associate and a device key of another store get 404 on every route, the store’s own staff and key reach it', async () => {
    const till = await s.call('POST', '/v1/carts', { token: who.gentAssociate, body: { channel: 'pos', storeId: gent, email: 'till.shopper@example.com' } });
    expect(till.status, JSON.stringify(till.body)).toBe(201);
    const id = till.body.id;
    const lineId = (await s.call('POST', `/v1/carts/${id}/lines`, { token: who.gentAssociate, body: { sku: 'MUG', quantity: 1 } })).body.lines[0].id;
    const before = await unchanged(id, who.gentAssociate);

    expect(await everyCartRoute(id, lineId, who.amsAssociate)).toEqual(ALL_404);
    expect(await everyCartRoute(id, lineId, who.amsKey)).toEqual(ALL_404);
    expect(await everyCartRoute(id, lineId, pk)).toEqual(ALL_404);
    const shopper = await signUp('till.shopper@example.com');
    expect(await everyCartRoute(id, lineId, shopper.token)).toEqual(ALL_404);
    // Nor can another store attach a customer to it.
    expect((await s.call('PUT', `/v1/carts/${id}/customer`, { token: who.amsAssociate, body: { customerId: shopper.customer.id } })).status).toBe(404);
    expect(await unchanged(id, who.gentAssociate)).toEqual(before);

    // A customer attached at the till does not reach the store's cart through their own session.
    expect((await s.call('PUT', `/v1/carts/${id}/customer`, { token: who.gentAssociate, body: { customerId: shopper.customer.id } })).status).toBe(200);
    expect((await s.call('GET', `/v1/carts/${id}`, { token: shopper.token })).status).toBe(404);
    // The store's device key and a colleague of the store do.
    expect((await s.call('GET', `/v1/carts/${id}`, { token: who.gentKey })).status).toBe(200);
    const sold = await s.call('POST', `/v1/carts/${id}/checkout`, { token: who.gentKey, body: { acceptCurrentPrice: true, payment: CARD } });
    expect(sold.status, JSON.stringify(sold.body)).toBe(201);
    expect(sold.body).toMatchObject({ channel: 'pos', storeId: gent, customerId: shopper.customer.id });
  });

  it('an Idempotency-Key replay of a checkout is for the cart’s owner only', async () => {
    const cart = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'replay@example.com' } })).body;
    const priced = (await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: pk, headers: secretHeader(cart.secret), body: { sku: 'MUG', quantity: 1 } })).body;
    const body = { expectedTotal: priced.quote.total, payment: CARD };
    const first = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, headers: { ...secretHeader(cart.secret), 'idempotency-key': 'replay-1' }, body });
    expect(first.status).toBe(201);
    // Same publishable key, same key, same body, no secret: no replay of the order.
    const stranger = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, headers: { 'idempotency-key': 'replay-1' }, body });
    expect(stranger.status).toBe(404);
    expect(stranger.body.id).toBeUndefined();
    const again = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, headers: { ...secretHeader(cart.secret), 'idempotency-key': 'replay-1' }, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });

  it('a guest who signs in claims their cart with the secret; the secret then stops working', async () => {
    const cart = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web' } })).body;
    await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: pk, headers: secretHeader(cart.secret), body: { sku: 'MUG', quantity: 3 } });
    const lotte = await signUp('lotte.claims@example.com');
    const sneaky = await signUp('sneaky.claims@example.com');
    // Without the secret, no customer can claim it.
    expect((await s.call('POST', `/v1/carts/${cart.id}/claim`, { token: sneaky.token })).status).toBe(404);
    expect((await s.call('POST', `/v1/carts/${cart.id}/claim`, { token: lotte.token, headers: secretHeader('wcs_wrong') })).status).toBe(404);
    // Only a customer session claims (a shop front or staff has no account to give it).
    expect((await s.call('POST', `/v1/carts/${cart.id}/claim`, { token: pk, headers: secretHeader(cart.secret) })).status).toBe(403);

    const claimed = await s.call('POST', `/v1/carts/${cart.id}/claim`, { token: lotte.token, headers: secretHeader(cart.secret) });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body).toMatchObject({ id: cart.id, customerId: lotte.customer.id, status: 'open' });
    expect(claimed.body.lines[0].quantity).toBe(3);
    // Lotte's session reaches it without the secret; the secret no longer opens it.
    expect((await s.call('GET', `/v1/carts/${cart.id}`, { token: lotte.token })).status).toBe(200);
    expect((await s.call('GET', `/v1/carts/${cart.id}`, { token: pk, headers: secretHeader(cart.secret) })).status).toBe(404);
    expect((await s.call('POST', `/v1/carts/${cart.id}/claim`, { token: sneaky.token, headers: secretHeader(cart.secret) })).status).toBe(404);
    // Claiming again changes nothing.
    expect((await s.call('POST', `/v1/carts/${cart.id}/claim`, { token: lotte.token })).body.customerId).toBe(lotte.customer.id);
    const order = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: lotte.token, body: { acceptCurrentPrice: true, payment: CARD } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect((await s.call('GET', '/v1/me/orders', { token: lotte.token })).body.data.map((o: { id: string }) => o.id)).toEqual([order.body.id]);
  });
});

describe('what only staff may claim', () => {
  it('a till, kiosk or scan & go cart, or any cart of a store, is not started by a publishable key or a customer', async () => {
    const customer = await signUp('wants.free.delivery@example.com');
    const carts = async () => (await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from carts`)).rows[0].n;
    const before = await carts();
    for (const token of [pk, customer.token]) {
      for (const channel of ['pos', 'kiosk', 'scan_go']) {
        const r = await s.call('POST', '/v1/carts', { token, body: { channel, storeId: gent } });
        expect(r.status, `${channel} as ${token.slice(0, 4)}`).toBe(403);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
      expect((await s.call('POST', '/v1/carts', { token, body: { channel: 'pos' } })).status).toBe(403);
      expect((await s.call('POST', '/v1/carts', { token, body: { channel: 'web', storeId: gent } })).status).toBe(403);
    }
    expect(await carts()).toBe(before);
  });

  it('an associate or device key starts carts of its own store only; a key that cannot sell starts none', async () => {
    expect((await s.call('POST', '/v1/carts', { token: who.amsAssociate, body: { channel: 'pos', storeId: gent } })).status).toBe(403);
    expect((await s.call('POST', '/v1/carts', { token: who.amsKey, body: { channel: 'kiosk', storeId: gent } })).status).toBe(403);
    expect((await s.call('POST', '/v1/carts', { token: who.amsAssociate, body: { channel: 'pos', storeId: ams } })).status).toBe(201);
    expect((await s.call('POST', '/v1/carts', { token: who.amsKey, body: { channel: 'scan_go', storeId: ams } })).status).toBe(201);
    // A store-scoped caller starts no cart without a store (it could not reach it afterwards).
    expect((await s.call('POST', '/v1/carts', { token: who.amsAssociate, body: { channel: 'web' } })).status).toBe(403);
    // A key that only opens the shop's routes sells in no store.
    expect((await s.call('POST', '/v1/carts', { token: who.shopServerKey, body: { channel: 'pos', storeId: ams } })).status).toBe(403);
    expect((await s.call('POST', '/v1/carts', { token: who.shopServerKey, body: { channel: 'web' } })).status).toBe(201);
  });

  it('a checkout that names customer groups is refused, for every caller, and the cart is priced without them', async () => {
    const customer = await signUp('claims.gold@example.com');
    const guest = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'gold.guest@example.com' } })).body;
    const own = (await s.call('POST', '/v1/carts', { token: customer.token, body: { channel: 'web' } })).body;
    const till = (await s.call('POST', '/v1/carts', { token: who.gentAssociate, body: { channel: 'pos', storeId: gent } })).body;
    for (const [cart, token, secret] of [[guest, pk, guest.secret], [own, customer.token, undefined], [till, who.gentAssociate, undefined]] as const) {
      const added = await s.call('POST', `/v1/carts/${cart.id}/lines`, { token, headers: secretHeader(secret), body: { sku: 'MUG', quantity: 1 } });
      expect(added.body.quote.lines[0].unitPrice).toBe(2000);
      const r = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token, headers: secretHeader(secret), body: { customerGroups: ['gold'], expectedTotal: 1000 + added.body.quote.shipping.total, payment: CARD } });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.errors).toEqual([{ field: '/customerGroups', in: 'body', message: expect.stringContaining('groups come from the cart’s customer') }]);
      expect((await s.call('GET', `/v1/carts/${cart.id}`, { token, headers: secretHeader(secret) })).body.status).toBe('open');
    }
    const [{ n }] = (await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from orders where cart_id in (${guest.id}, ${own.id}, ${till.id})`)).rows;
    expect(n).toBe(0);
  });

  it('price previews take a customer group, membership or another customer only from staff and secret keys', async () => {
    const customer = await signUp('previews.gold@example.com');
    const other = await signUp('someone.else@example.com');
    const lines = [{ sku: 'MUG', quantity: 1 }];
    const quote = (token: string, body: object) => s.call('POST', '/v1/pricing/quote', { token, body: { channel: 'web', lines, ...body } });
    for (const token of [pk, customer.token]) {
      expect((await quote(token, { customerGroups: ['gold'] })).status).toBe(403);
      expect((await quote(token, { isMember: true })).status).toBe(403);
      expect((await quote(token, { customerId: other.customer.id })).status).toBe(403);
      expect((await quote(token, {})).body.total).toBe(2000);
      expect((await s.call('GET', '/v1/products?channel=web&customerGroup=gold', { token, headers: { 'cache-control': 'no-cache' } })).status).toBe(403);
      expect((await s.call('GET', `/v1/products/${productId}?channel=web&customerGroup=gold`, { token })).status).toBe(403);
      expect((await s.call('GET', '/v1/prices/resolve?sku=MUG&channel=web&customerGroup=gold', { token })).status).toBe(403);
      expect((await s.call('GET', '/v1/products?channel=web', { token, headers: { 'cache-control': 'no-cache' } })).body.data[0].variants[0].price.amount).toBe(2000);
    }
    // A customer may name themselves.
    expect((await quote(customer.token, { customerId: customer.customer.id })).status).toBe(200);
    // Staff tools and servers preview a group's prices.
    for (const token of [s.adminToken, who.shopServerKey]) {
      expect((await quote(token, { customerGroups: ['gold'] })).body.lines[0].unitPrice).toBe(1000);
      expect((await s.call('GET', '/v1/prices/resolve?sku=MUG&channel=web&customerGroup=gold', { token })).body.price.amount).toBe(1000);
    }
    expect((await s.call('GET', '/v1/products?channel=web&customerGroup=gold', { headers: { 'cache-control': 'no-cache' } })).body.data[0].variants[0].price.amount).toBe(1000);
  });
});

describe('which price a checkout pays', () => {
  let promotionId = '';
  beforeAll(async () => {
    const promo = await s.call('POST', '/v1/promotions', { body: { name: '€5 off, once', status: 'active', stacking: 'combinable', requiresCoupon: true, rule: { kind: 'amount_off_order', amount: 500 } } });
    expect(promo.status).toBe(201);
    promotionId = promo.body.id;
    expect((await s.call('POST', `/v1/promotions/${promotionId}/coupons`, { body: { code: 'FIRSTONLY', maxUses: 1 } })).status).toBe(201);
  });

  async function guestCartWithCoupon(email: string) {
    const cart = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email } })).body;
    await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: pk, headers: secretHeader(cart.secret), body: { sku: 'MUG', quantity: 1 } });
    const shown = await s.call('POST', `/v1/carts/${cart.id}/coupons`, { token: pk, headers: secretHeader(cart.secret), body: { codes: ['FIRSTONLY'] } });
    expect(shown.body.quote.total).toBe(2000 + 495 - 500);
    return { id: cart.id as string, secret: cart.secret as string, total: shown.body.quote.total as number };
  }
  const checkout = (cart: { id: string; secret: string }, body: object) => s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, headers: secretHeader(cart.secret), body: { payment: CARD, ...body } });
  const authorisations = async (cartId: string) => (await s.winkel.db.execute<{ n: number }>(sql`select count(*)::int as n from payments where cart_id = ${cartId}`)).rows[0].n;

  it('a coupon used up between the quote and a checkout without expectedTotal: 409 cart_changed with the new total, not the full price taken', async () => {
    const first = await guestCartWithCoupon('first@example.com');
    const second = await guestCartWithCoupon('second@example.com');
    expect((await checkout(first, { expectedTotal: first.total })).status).toBe(201);

    const r = await checkout(second, {});
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body).toMatchObject({ code: 'cart_changed', expectedTotal: null, total: 2000 + 495, coupons: [{ code: 'FIRSTONLY', applied: false, reason: 'coupon_used_up' }] });
    expect(r.body.lines).toEqual([expect.objectContaining({ sku: 'MUG', unitPrice: 2000, total: 2000 })]);
    expect(r.body.detail).toContain('expectedTotal');
    // Nothing happened: no order, no payment, the cart open.
    expect(await authorisations(second.id)).toBe(0);
    expect((await s.call('GET', `/v1/carts/${second.id}`, { token: pk, headers: secretHeader(second.secret) })).body.status).toBe('open');

    // The shopper sees the new total and accepts it, or a program says it takes the current price.
    const paid = await checkout(second, { expectedTotal: r.body.total });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body.total).toBe(2000 + 495);
  });

  it('acceptCurrentPrice pays the current price; it and expectedTotal together are a 400', async () => {
    const cart = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'program@example.com' } })).body;
    await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: pk, headers: secretHeader(cart.secret), body: { sku: 'MUG', quantity: 2 } });
    const both = await checkout(cart, { expectedTotal: 4495, acceptCurrentPrice: true });
    expect(both.status).toBe(400);
    expect(both.body.errors[0].field).toBe('/acceptCurrentPrice');
    const notAccepted = await checkout(cart, { acceptCurrentPrice: false });
    expect(notAccepted.status).toBe(409);
    expect(notAccepted.body).toMatchObject({ code: 'cart_changed', total: 4495 });
    const ok = await checkout(cart, { acceptCurrentPrice: true });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.total).toBe(4495);
  });
});
