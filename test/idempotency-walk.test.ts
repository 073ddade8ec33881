// Every POST of the OpenAPI document honours Idempotency-Key: each operation is sent twice with one
// key, with a valid request built for it (a fixture per operation below; a POST without one fails
// this test, so a new route gets one). The second answer must be a replay (Idempotent-Replayed: true,
// the same status and body) and the database must be exactly as the first answer left it: no
// second cart line, purchase order, import job or anything else. Only sign-in and sign-out, which
// create nothing to be duplicated, opt out. Background work is off (runWorkers: false), so nothing
// but the requests themselves changes the database.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCardGateway } from '../src/modules/payments/providers.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let n = 0;
const u = (what: string) => `${what}-${++n}`;
const tracking = () => `3SWALK${String(++n).padStart(8, '0')}`;
const CARD = { method: 'test_card', cardNumber: '4242 4242 4242 4242' };
const OPTED_OUT = new Set(['/v1/auth/sign-in', '/v1/auth/sign-out', '/v1/customer-auth/sign-in', '/v1/customer-auth/sign-out']);

/** What a fixture sends: a JSON `body` or a `raw` one with its content type, as `token` (admin by default, null for none). */
interface Request {
  path: string;
  token?: string | null;
  body?: unknown;
  raw?: { type: string; data: string };
  headers?: Record<string, string>;
  /** After the first answer, before the database is compared (e.g. wait for an import to finish). */
  settle?: (first: Answer) => Promise<void>;
  /** The first request ended the credential it was made with: a retry is 401 (and changes nothing). */
  endsCredential?: boolean;
}
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Guest carts' secrets (docs/commerce.md, "Whose cart it is"): sent on every call on the cart, as a shop's browser does. */
const cartSecrets = new Map<string, string>();
function cartSecretHeader(path: string): Record<string, string> {
  const id = /^\/v1\/carts\/([^/?]+)/.exec(path)?.[1];
  const secret = id ? cartSecrets.get(id) : undefined;
  return secret ? { 'winkel-cart-secret': secret } : {};
}

async function send(r: Request, key: string): Promise<Answer> {
  const headers: Record<string, string> = { 'idempotency-key': key, ...cartSecretHeader(r.path), ...(r.headers ?? {}) };
  const token = r.token === undefined ? s.adminToken : r.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (r.raw) {
    headers['content-type'] = r.raw.type;
    body = r.raw.data;
  } else if (r.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(r.body);
  }
  const res = await fetch(s.url + r.path, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Every row of every table, as one hash per table (an API key's last use is not a change). */
async function snapshot(): Promise<Record<string, string>> {
  const tables = (await s.winkel.db.execute<{ t: string }>(sql`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`)).rows.map((r) => r.t);
  const parts = tables.map((t) => `select '${t}' as t, md5(coalesce(string_agg(r, '|' order by r), '')) as h from (select (to_jsonb(x) - 'last_used_at')::text as r from "${t}" x) y`);
  const rows = (await s.winkel.db.execute<{ t: string; h: string }>(sql.raw(parts.join(' union all ')))).rows;
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

// ---- the world the fixtures build on -----------------------------------------------------------
let pk = '';
let dc = '';
let store = '';
let store2 = '';
let lamp = '';
let supplier = '';
let customer = { token: '', id: '', email: '', password: 'walker-pass-123' };

async function ok(method: string, path: string, body?: unknown, token?: string | null) {
  const r = await s.call(method, path, { body, token, headers: cartSecretHeader(path) });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  if (method === 'POST' && path === '/v1/carts' && r.body?.secret) cartSecrets.set(r.body.id, r.body.secret);
  return r.body;
}
async function signUp() {
  const email = `${u('shopper')}@example.com`;
  const r = await ok('POST', '/v1/customer-auth/sign-up', { email, password: 'shopper-pass-123' }, null);
  return { token: r.token as string, id: r.customer.id as string, email, password: 'shopper-pass-123' };
}
async function order(opts: { token?: string; lines?: unknown[]; payment?: unknown; email?: string } = {}) {
  const token = opts.token ?? pk;
  const cart = await ok('POST', '/v1/carts', { channel: 'web', ...(opts.token ? {} : { email: opts.email ?? 'walk@example.com' }) }, token);
  for (const l of opts.lines ?? [{ sku: 'LAMP', quantity: 1 }]) await ok('POST', `/v1/carts/${cart.id}/lines`, l, token);
  return ok('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: opts.payment ?? CARD }, token);
}
const fulfilmentOf = async (orderId: string) => (await ok('GET', `/v1/orders/${orderId}/fulfilments`)).data[0];
async function delivered() {
  const o = await order();
  const f = await fulfilmentOf(o.id);
  for (const step of ['pick', 'pack']) await ok('POST', `/v1/fulfilments/${f.id}/${step}`);
  await ok('POST', `/v1/fulfilments/${f.id}/ship`, { carrier: 'postnl', trackingNumber: tracking() });
  await ok('POST', `/v1/fulfilments/${f.id}/deliver`);
  return o;
}
async function mailReturn() {
  const o = await delivered();
  const r = await ok('POST', '/v1/returns', { orderId: o.id, method: 'mail', lines: [{ orderLineId: o.lines[0].id, quantity: 1, reason: 'changed_mind' }] });
  return r.return;
}
async function pickupReady() {
  const c = await signUp();
  const o = await order({ token: c.token, lines: [{ sku: 'LAMP', quantity: 1, fulfilment: 'pickup', pickupLocationId: store }] });
  const f = await fulfilmentOf(o.id);
  await ok('POST', `/v1/fulfilments/${f.id}/pick`);
  await ok('POST', `/v1/fulfilments/${f.id}/ready`);
  const code = (await ok('GET', `/v1/fulfilments/${f.id}`, undefined, c.token)).pickupCode as string;
  return { f, code };
}
const newCart = async () => (await ok('POST', '/v1/carts', { channel: 'web', email: 'walk@example.com' }, pk)).id as string;
const reservation = async () => (await ok('POST', '/v1/reservations', { lines: [{ variantId: lamp, locationId: dc, quantity: 1 }], ttlMinutes: 60 })).data[0].id as string;
const transfer = async () => (await ok('POST', '/v1/transfers', { fromLocationId: dc, toLocationId: store, lines: [{ variantId: lamp, quantity: 1 }] })).id as string;
const countSheet = async (submitted: boolean) => {
  const id = (await ok('POST', '/v1/count-sheets', { locationId: dc, variantIds: [lamp] })).id as string;
  if (submitted) await ok('POST', `/v1/count-sheets/${id}/counts`, { counts: [{ variantId: lamp, counted: 900 }], submit: true });
  return id;
};
const purchaseOrder = async (sent: boolean) => {
  const id = (await ok('POST', '/v1/purchase-orders', { supplierId: supplier, locationId: dc, lines: [{ variantId: lamp, quantity: 5 }] })).id as string;
  if (sent) await ok('POST', `/v1/purchase-orders/${id}/send`);
  return id;
};
const promotion = (extra: Record<string, unknown> = {}) => ({ name: u('Promo'), status: 'draft', stacking: 'combinable', rule: { kind: 'percent_off_items', percent: 10 }, target: { all: true }, ...extra });
const giftCard = async () => ok('POST', '/v1/gift-cards', { amount: 5000 }) as Promise<{ code: string; giftCard: { id: string } }>;

const FIXTURES: Record<string, () => Promise<Request>> = {
  '/v1/auth/sign-in': async () => ({ path: '/v1/auth/sign-in', token: null, body: { email: s.adminEmail, password: s.adminPassword } }),
  '/v1/auth/sign-out': async () => ({ path: '/v1/auth/sign-out', token: (await ok('POST', '/v1/auth/sign-in', { email: s.adminEmail, password: s.adminPassword }, null)).token }),
  '/v1/staff-users': async () => ({ path: '/v1/staff-users', body: { email: `${u('staff')}@test.example`, name: 'Walker', role: 'planner', password: 'planner-pass-1' } }),
  '/v1/api-keys': async () => ({ path: '/v1/api-keys', body: { kind: 'secret', name: u('key'), scopes: ['catalog:read'] } }),
  '/v1/api-keys/{id}/revoke': async () => ({ path: `/v1/api-keys/${(await ok('POST', '/v1/api-keys', { kind: 'publishable', name: u('key') })).apiKey.id}/revoke` }),
  '/v1/customer-auth/sign-up': async () => ({ path: '/v1/customer-auth/sign-up', token: null, body: { email: `${u('new')}@example.com`, password: 'new-customer-pass', name: 'New Customer' } }),
  '/v1/customer-auth/sign-in': async () => ({ path: '/v1/customer-auth/sign-in', token: null, body: { email: customer.email, password: customer.password } }),
  '/v1/customer-auth/sign-out': async () => ({ path: '/v1/customer-auth/sign-out', token: (await signUp()).token }),
  '/v1/customer-auth/password-reset': async () => ({ path: '/v1/customer-auth/password-reset', token: null, body: { email: customer.email } }),
  '/v1/customer-auth/password-reset/confirm': async () => {
    const c = await signUp();
    await ok('POST', '/v1/customer-auth/password-reset', { email: c.email }, null);
    const mail = (await s.winkel.db.execute<{ text: string }>(sql`select text from outgoing_emails where "to" = ${c.email} and purpose = 'password_reset'`)).rows[0];
    const token = decodeURIComponent(/[#?&]token=([^\s&]+)/.exec(mail.text)![1]);
    return { path: '/v1/customer-auth/password-reset/confirm', token: null, body: { token, password: 'a-brand-new-password' } };
  },
  '/v1/auth/password-reset': async () => ({ path: '/v1/auth/password-reset', token: null, body: { email: s.adminEmail } }),
  '/v1/auth/password-reset/confirm': async () => {
    const email = `${u('forgetful')}@test.example`;
    await ok('POST', '/v1/staff-users', { email, name: 'Forgetful', role: 'planner', password: 'planner-pass-1' });
    await ok('POST', '/v1/auth/password-reset', { email }, null);
    const mail = (await s.winkel.db.execute<{ text: string }>(sql`select text from outgoing_emails where "to" = ${email} and purpose = 'staff_password_reset'`)).rows[0];
    const token = decodeURIComponent(/[#?&]token=([^\s&]+)/.exec(mail.text)![1]);
    return { path: '/v1/auth/password-reset/confirm', token: null, body: { token, password: 'a-brand-new-password' } };
  },
  '/v1/webhook-endpoints': async () => ({ path: '/v1/webhook-endpoints', body: { url: 'https://93.184.215.14/hooks', eventTypes: ['order.*'] } }),
  '/v1/webhook-endpoints/{id}/ping': async () => ({ path: `/v1/webhook-endpoints/${(await ok('POST', '/v1/webhook-endpoints', { url: 'https://93.184.215.14/ping', eventTypes: ['webhook.ping'] })).id}/ping` }),
  '/v1/webhook-deliveries/{id}/replay': async () => {
    const e = await ok('POST', '/v1/webhook-endpoints', { url: 'https://93.184.215.14/replay', eventTypes: ['webhook.ping'] });
    return { path: `/v1/webhook-deliveries/${(await ok('POST', `/v1/webhook-endpoints/${e.id}/ping`)).id}/replay` };
  },
  '/v1/products': async () => ({ path: '/v1/products', body: { status: 'active', title: { en: 'Walk product' }, variants: [{ sku: u('WALK') }] } }),
  '/v1/categories': async () => ({ path: '/v1/categories', body: { name: { en: u('Category') } } }),
  '/v1/attributes': async () => ({ path: '/v1/attributes', body: { code: u('attr').replace('-', '_'), type: 'text' } }),
  '/v1/price-lists': async () => ({ path: '/v1/price-lists', body: { name: u('List'), status: 'draft' } }),
  '/v1/price-lists/{id}/prices': async () => ({ path: `/v1/price-lists/${(await ok('POST', '/v1/price-lists', { name: u('List'), status: 'draft' })).id}/prices`, body: { prices: [{ sku: 'LAMP', amount: 2100 }] } }),
  '/v1/imports': async () => ({
    path: '/v1/imports?kind=products&filename=walk.csv',
    raw: { type: 'text/csv', data: `handle,sku,status,title_en,price\nwalk-import,${u('IMP')},active,Imported lamp,12.50\nwalk-import-2,${u('IMP')},active,Imported vase,7.25\n` },
    settle: async (first) => {
      const id = JSON.parse(first.text).id;
      await eventually(async () => ['succeeded', 'failed'].includes((await s.call('GET', `/v1/imports/${id}`)).body.status));
    },
  }),
  '/v1/locations': async () => ({ path: '/v1/locations', body: { code: u('LOC').toUpperCase(), name: 'Walk warehouse', type: 'warehouse' } }),
  '/v1/stock/movements': async () => ({ path: '/v1/stock/movements', body: { sku: 'LAMP', locationId: dc, type: 'receipt', quantity: 3 } }),
  '/v1/reservations': async () => ({ path: '/v1/reservations', body: { lines: [{ variantId: lamp, locationId: dc, quantity: 1 }] } }),
  '/v1/reservations/{id}/release': async () => ({ path: `/v1/reservations/${await reservation()}/release` }),
  '/v1/reservations/{id}/convert': async () => ({ path: `/v1/reservations/${await reservation()}/convert` }),
  '/v1/reservations/{id}/extend': async () => ({ path: `/v1/reservations/${await reservation()}/extend`, body: { ttlMinutes: 90 } }),
  '/v1/transfers': async () => ({ path: '/v1/transfers', body: { fromLocationId: dc, toLocationId: store, lines: [{ variantId: lamp, quantity: 1 }] } }),
  '/v1/transfers/{id}/ship': async () => ({ path: `/v1/transfers/${await transfer()}/ship`, body: {} }),
  '/v1/transfers/{id}/receive': async () => {
    const id = await transfer();
    await ok('POST', `/v1/transfers/${id}/ship`, {});
    return { path: `/v1/transfers/${id}/receive`, body: {} };
  },
  '/v1/transfers/{id}/cancel': async () => ({ path: `/v1/transfers/${await transfer()}/cancel` }),
  '/v1/count-sheets': async () => ({ path: '/v1/count-sheets', body: { locationId: dc, variantIds: [lamp] } }),
  '/v1/count-sheets/{id}/counts': async () => ({ path: `/v1/count-sheets/${await countSheet(false)}/counts`, body: { counts: [{ variantId: lamp, counted: 900 }], submit: true } }),
  '/v1/count-sheets/{id}/approve': async () => ({ path: `/v1/count-sheets/${await countSheet(true)}/approve` }),
  '/v1/count-sheets/{id}/reject': async () => ({ path: `/v1/count-sheets/${await countSheet(true)}/reject` }),
  '/v1/back-in-stock': async () => ({ path: '/v1/back-in-stock', token: pk, body: { email: `${u('waiting')}@example.com`, sku: 'GONE' } }),
  '/v1/suppliers': async () => ({ path: '/v1/suppliers', body: { code: u('SUP').toUpperCase(), name: 'Walk supplies' } }),
  '/v1/suppliers/{id}/items': async () => ({ path: `/v1/suppliers/${(await ok('POST', '/v1/suppliers', { code: u('SUP').toUpperCase(), name: 'Walk supplies' })).id}/items`, body: { items: [{ variantId: lamp, packSize: 2, cost: 900 }] } }),
  '/v1/purchase-orders': async () => ({ path: '/v1/purchase-orders', body: { supplierId: supplier, locationId: dc, lines: [{ variantId: lamp, quantity: 5 }] } }),
  '/v1/purchase-orders/{id}/send': async () => ({ path: `/v1/purchase-orders/${await purchaseOrder(false)}/send` }),
  '/v1/purchase-orders/{id}/receive': async () => ({ path: `/v1/purchase-orders/${await purchaseOrder(true)}/receive`, body: {} }),
  '/v1/purchase-orders/{id}/cancel': async () => ({ path: `/v1/purchase-orders/${await purchaseOrder(true)}/cancel` }),
  '/v1/replenishment/orders': async () => ({ path: '/v1/replenishment/orders', body: { locationId: dc } }),
  '/v1/promotions': async () => ({ path: '/v1/promotions', body: promotion() }),
  '/v1/promotions/{id}/coupons': async () => ({ path: `/v1/promotions/${(await ok('POST', '/v1/promotions', promotion({ requiresCoupon: true }))).id}/coupons`, body: { code: u('WALKCODE').toUpperCase() } }),
  '/v1/promotions/{id}/coupon-batches': async () => ({ path: `/v1/promotions/${(await ok('POST', '/v1/promotions', promotion({ requiresCoupon: true }))).id}/coupon-batches`, body: { count: 3, prefix: 'WB' } }),
  '/v1/pricing/quote': async () => ({ path: '/v1/pricing/quote', token: pk, body: { channel: 'web', lines: [{ sku: 'LAMP', quantity: 2 }] } }),
  '/v1/promotions/preview': async () => ({ path: '/v1/promotions/preview', body: { promotion: promotion({ status: 'active' }), cart: { channel: 'web', lines: [{ sku: 'LAMP', quantity: 2 }] } } }),
  '/v1/orders/{id}/payments/capture': async () => ({ path: `/v1/orders/${(await order()).id}/payments/capture`, body: {} }),
  '/v1/orders/{id}/payments/refund': async () => {
    const o = await order();
    await ok('POST', `/v1/orders/${o.id}/payments/capture`, {});
    return { path: `/v1/orders/${o.id}/payments/refund`, body: { amount: 100, reason: 'goodwill' } };
  },
  '/v1/orders/{id}/payments/void': async () => ({ path: `/v1/orders/${(await order()).id}/payments/void`, body: { reason: 'customer changed their mind' } }),
  '/v1/payments/webhooks/{provider}': async () => {
    const o = await order({ payment: { method: 'test_card', cardNumber: '4000 0000 0000 3220' } });
    const reference = (await ok('GET', `/v1/orders/${o.id}/payments`)).payments[0].providerReference;
    const hook = new TestCardGateway(s.config.testGatewaySecret).signWebhook({ reference, status: 'succeeded' });
    return { path: '/v1/payments/webhooks/test_card', token: null, raw: { type: 'application/json', data: hook.body }, headers: { 'winkel-gateway-signature': hook.signature } };
  },
  '/v1/gift-cards': async () => ({ path: '/v1/gift-cards', body: { amount: 2500 } }),
  '/v1/gift-cards/balance': async () => ({ path: '/v1/gift-cards/balance', token: pk, body: { code: (await giftCard()).code } }),
  '/v1/gift-cards/{id}/reload': async () => ({ path: `/v1/gift-cards/${(await giftCard()).giftCard.id}/reload`, body: { amount: 500 } }),
  '/v1/gift-cards/redeem': async () => ({ path: '/v1/gift-cards/redeem', body: { code: (await giftCard()).code, amount: 700 } }),
  '/v1/carts': async () => ({ path: '/v1/carts', token: pk, body: { channel: 'web', email: 'walk@example.com' } }),
  '/v1/carts/{id}/lines': async () => ({ path: `/v1/carts/${await newCart()}/lines`, token: pk, body: { sku: 'LAMP', quantity: 2 } }),
  '/v1/carts/{id}/coupons': async () => ({ path: `/v1/carts/${await newCart()}/coupons`, token: pk, body: { codes: ['WALK10'] } }),
  '/v1/carts/{id}/claim': async () => {
    const c = await signUp();
    return { path: `/v1/carts/${await newCart()}/claim`, token: c.token };
  },
  '/v1/carts/{id}/checkout': async () => {
    const id = await newCart();
    await ok('POST', `/v1/carts/${id}/lines`, { sku: 'LAMP', quantity: 1 }, pk);
    return { path: `/v1/carts/${id}/checkout`, token: pk, body: { acceptCurrentPrice: true, payment: CARD } };
  },
  '/v1/orders/{id}/notes': async () => ({ path: `/v1/orders/${(await order()).id}/notes`, body: { body: 'Gift wrap, please' } }),
  '/v1/orders/{id}/lines/{lineId}/cancel': async () => {
    const o = await order({ lines: [{ sku: 'LAMP', quantity: 1 }, { sku: 'VASE', quantity: 1 }] });
    return { path: `/v1/orders/${o.id}/lines/${o.lines[1].id}/cancel`, body: { reason: 'out of stock after all' } };
  },
  '/v1/orders/{id}/pickup-store': async () => {
    const c = await signUp();
    const o = await order({ token: c.token, lines: [{ sku: 'LAMP', quantity: 1, fulfilment: 'pickup', pickupLocationId: store }] });
    return { path: `/v1/orders/${o.id}/pickup-store`, body: { locationId: store2 } };
  },
  '/v1/returns/preview': async () => {
    const o = await delivered();
    return { path: '/v1/returns/preview', body: { orderId: o.id, method: 'mail', lines: [{ orderLineId: o.lines[0].id, quantity: 1, reason: 'wrong_size' }] } };
  },
  '/v1/returns': async () => {
    const o = await delivered();
    return { path: '/v1/returns', body: { orderId: o.id, method: 'mail', lines: [{ orderLineId: o.lines[0].id, quantity: 1, reason: 'wrong_size' }] } };
  },
  '/v1/returns/{id}/receive': async () => {
    const r = await mailReturn();
    return { path: `/v1/returns/${r.id}/receive`, body: { locationId: dc, outcomes: [{ returnLineId: r.lines[0].id, outcome: 'restock' }] } };
  },
  '/v1/returns/{id}/cancel': async () => ({ path: `/v1/returns/${(await mailReturn()).id}/cancel` }),
  '/v1/fulfilments/{id}/pick': async () => ({ path: `/v1/fulfilments/${(await fulfilmentOf((await order()).id)).id}/pick` }),
  '/v1/fulfilments/{id}/pack': async () => {
    const f = await fulfilmentOf((await order()).id);
    await ok('POST', `/v1/fulfilments/${f.id}/pick`);
    return { path: `/v1/fulfilments/${f.id}/pack` };
  },
  '/v1/fulfilments/{id}/ship': async () => {
    const f = await fulfilmentOf((await order()).id);
    for (const step of ['pick', 'pack']) await ok('POST', `/v1/fulfilments/${f.id}/${step}`);
    return { path: `/v1/fulfilments/${f.id}/ship`, body: { carrier: 'postnl', trackingNumber: tracking() } };
  },
  '/v1/fulfilments/{id}/deliver': async () => {
    const f = await fulfilmentOf((await order()).id);
    for (const step of ['pick', 'pack']) await ok('POST', `/v1/fulfilments/${f.id}/${step}`);
    await ok('POST', `/v1/fulfilments/${f.id}/ship`, { carrier: 'postnl', trackingNumber: tracking() });
    return { path: `/v1/fulfilments/${f.id}/deliver` };
  },
  '/v1/fulfilments/{id}/ready': async () => {
    const c = await signUp();
    const o = await order({ token: c.token, lines: [{ sku: 'LAMP', quantity: 1, fulfilment: 'pickup', pickupLocationId: store }] });
    const f = await fulfilmentOf(o.id);
    await ok('POST', `/v1/fulfilments/${f.id}/pick`);
    return { path: `/v1/fulfilments/${f.id}/ready` };
  },
  '/v1/fulfilments/{id}/handover': async () => {
    const { f, code } = await pickupReady();
    return { path: `/v1/fulfilments/${f.id}/handover`, body: { code } };
  },
  '/v1/fulfilments/{id}/cancel': async () => ({ path: `/v1/fulfilments/${(await fulfilmentOf((await order()).id)).id}/cancel`, body: { reason: 'damaged in the warehouse' } }),
  '/v1/sourcing/preview': async () => ({ path: '/v1/sourcing/preview', body: { lines: [{ sku: 'LAMP', quantity: 2 }] } }),
  '/v1/collect/track': async () => ({ path: '/v1/collect/track', token: pk, body: { anonymousId: u('anon'), event: 'Product Viewed', properties: { sku: 'LAMP' }, messageId: u('m') } }),
  '/v1/collect/identify': async () => ({ path: '/v1/collect/identify', token: pk, body: { anonymousId: u('anon'), traits: { firstName: 'Walker' }, messageId: u('m') } }),
  '/v1/collect/page': async () => ({ path: '/v1/collect/page', token: pk, body: { anonymousId: u('anon'), name: 'Home', messageId: u('m') } }),
  '/v1/collect/screen': async () => ({ path: '/v1/collect/screen', token: pk, body: { anonymousId: u('anon'), name: 'Basket', messageId: u('m') } }),
  '/v1/collect/alias': async () => ({ path: '/v1/collect/alias', token: pk, body: { previousId: u('anon'), userId: u('user'), messageId: u('m') } }),
  '/v1/collect/batch': async () => ({ path: '/v1/collect/batch', token: pk, body: { batch: [{ type: 'track', anonymousId: u('anon'), event: 'Added', messageId: u('m') }, { type: 'page', anonymousId: u('anon'), name: 'Cart', messageId: u('m') }] } }),
  '/v1/profiles/{id}/unmerge': async () => {
    const a = u('visitor');
    const b = u('laptop');
    const email = `${u('merged')}@example.com`;
    await ok('POST', '/v1/collect/batch', { batch: [{ type: 'identify', anonymousId: a, traits: { firstName: 'Bob' }, messageId: u('m') }, { type: 'identify', anonymousId: b, userId: u('cus'), traits: { email }, messageId: u('m') }] }, pk);
    const before = [(await ok('GET', `/v1/profiles/lookup?anonymousId=${a}`)).id, (await ok('GET', `/v1/profiles/lookup?anonymousId=${b}`)).id];
    await ok('POST', '/v1/collect/batch', { batch: [{ type: 'identify', anonymousId: a, traits: { email }, messageId: u('m') }] }, pk);
    const statuses = await Promise.all(before.map(async (id) => (await ok('GET', `/v1/profiles/${id}`)).status));
    return { path: `/v1/profiles/${before[statuses.indexOf('merged')]}/unmerge`, body: { reason: 'two people' } };
  },
  '/v1/collect/social': async () => ({ path: '/v1/collect/social', body: { interactions: [{ id: u('ig'), network: 'instagram', handle: '@walker', kind: 'like' }] } }),
  '/v1/collect/store-visit': async () => ({ path: '/v1/collect/store-visit', token: pk, body: { id: u('visit'), storeId: store, method: 'scan', anonymousId: u('anon') } }),
  '/v1/consents': async () => ({ path: '/v1/consents', body: { email: `${u('consent')}@example.com`, consents: [{ purpose: 'email', granted: true }], reason: 'asked at the till' } }),
  '/v1/consents/unsubscribe-links': async () => ({ path: '/v1/consents/unsubscribe-links', body: { email: `${u('letter')}@example.com` } }),
  '/v1/consents/unsubscribe': async () => {
    const link = await ok('POST', '/v1/consents/unsubscribe-links', { email: `${u('letter')}@example.com` });
    return { path: `/v1/consents/unsubscribe?token=${encodeURIComponent(link.token)}`, token: null, raw: { type: 'application/x-www-form-urlencoded', data: 'List-Unsubscribe=One-Click' } };
  },
  '/v1/sdk/beacon': async () => ({
    path: `/v1/sdk/beacon?key=${pk}`,
    token: null,
    raw: { type: 'text/plain', data: JSON.stringify({ batch: [{ type: 'track', anonymousId: u('anon'), event: 'Left page', messageId: u('m') }] }) },
  }),
  '/v1/privacy/erasures': async () => ({ path: '/v1/privacy/erasures', body: { customerId: (await signUp()).id, reason: 'request by e-mail (ticket 7)' } }),
  '/v1/me/erasure': async () => {
    const c = await signUp();
    return { path: '/v1/me/erasure', token: c.token, body: { password: c.password }, endsCredential: true };
  },
};

beforeAll(async () => {
  s = await startTestServer({ runWorkers: false });
  pk = (await ok('POST', '/v1/api-keys', { kind: 'publishable', name: 'walk shop' })).token;
  dc = (await ok('POST', '/v1/locations', { code: 'DC', name: 'DC', type: 'warehouse' })).id;
  store = (await ok('POST', '/v1/locations', { code: 'ST1', name: 'Store 1', type: 'store', pickup: true })).id;
  store2 = (await ok('POST', '/v1/locations', { code: 'ST2', name: 'Store 2', type: 'store', pickup: true })).id;
  lamp = (await ok('POST', '/v1/products', { status: 'active', title: { en: 'Lamp' }, variants: [{ sku: 'LAMP' }] })).variants[0].id;
  const vase = (await ok('POST', '/v1/products', { status: 'active', title: { en: 'Vase' }, variants: [{ sku: 'VASE' }] })).variants[0].id;
  await ok('POST', '/v1/products', { status: 'active', title: { en: 'Sold out' }, variants: [{ sku: 'GONE' }] });
  const pl = (await ok('POST', '/v1/price-lists', { name: 'Base' })).id;
  await ok('POST', `/v1/price-lists/${pl}/prices`, { prices: [{ sku: 'LAMP', amount: 2500 }, { sku: 'VASE', amount: 1500 }, { sku: 'GONE', amount: 900 }] });
  for (const locationId of [dc, store, store2]) for (const sku of ['LAMP', 'VASE']) await ok('POST', '/v1/stock/movements', { sku, locationId, type: 'receipt', quantity: 500 });
  supplier = (await ok('POST', '/v1/suppliers', { code: 'ACME', name: 'Acme', leadTimeDays: 14 })).id;
  await ok('POST', `/v1/suppliers/${supplier}/items`, { items: [{ variantId: lamp, packSize: 1, cost: 1000 }, { variantId: vase, packSize: 6, cost: 500 }] });
  // Sales history, so replenishment has something to order.
  await s.winkel.db.execute(sql`insert into stock_movements (variant_id, location_id, type, on_hand_delta, occurred_at) select ${vase}, ${dc}, 'sale', -40, now() - make_interval(days => g * 7) from generate_series(1, 12) g`);
  await s.winkel.db.execute(sql`update stock_levels set on_hand = on_hand - 480 where variant_id = ${vase} and location_id = ${dc}`);
  const coupon = await ok('POST', '/v1/promotions', promotion({ status: 'active', requiresCoupon: true }));
  await ok('POST', `/v1/promotions/${coupon.id}/coupons`, { code: 'WALK10' });
  customer = { ...(await signUp()), password: 'shopper-pass-123' };
}, 300_000);
afterAll(() => s?.close());

describe('Idempotency-Key on every POST of the OpenAPI document', () => {
  it('replays the first answer for a retry with the same key, and the retry changes nothing in the database', async () => {
    const doc = (await s.call('GET', '/openapi.json', { token: null })).body;
    const posts = Object.entries<Record<string, unknown>>(doc.paths)
      .filter(([, ops]) => ops.post)
      .map(([path]) => path);
    expect(posts.length).toBeGreaterThan(80);
    const missing = posts.filter((p) => !FIXTURES[p]);
    expect(missing, 'POST operations without a fixture in this test: add one').toEqual([]);

    const failures: string[] = [];
    for (const path of posts) {
      let r: Request;
      try {
        r = await FIXTURES[path]();
      } catch (err) {
        failures.push(`${path}: the fixture could not be built: ${(err as Error).message.slice(0, 400)}`);
        continue;
      }
      const key = randomUUID();
      const first = await send(r, key);
      if (first.status >= 300) {
        failures.push(`${path}: the fixture's first request answered ${first.status} ${first.text.slice(0, 300)}`);
        continue;
      }
      await r.settle?.(first);
      if (OPTED_OUT.has(path)) {
        const again = await send(r, key);
        if (again.headers.get('idempotent-replayed')) failures.push(`${path}: opted out, yet replayed`);
        continue;
      }
      const before = await snapshot();
      const again = await send(r, key);
      const after = await snapshot();
      if (r.endsCredential) {
        if (again.status !== 401) failures.push(`${path}: a retry after the credential ended answered ${again.status}`);
      } else if (again.headers.get('idempotent-replayed') !== 'true') failures.push(`${path}: the retry was not a replay (${again.status} ${again.text.slice(0, 200)})`);
      else if (again.status !== first.status || again.text !== first.text) failures.push(`${path}: the replay differs from the first answer`);
      const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
      if (changed.length) failures.push(`${path}: the retry changed ${changed.join(', ')}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
