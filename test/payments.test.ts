// Payments through the API: the test card gateway's documented numbers, an authorisation that
// stays pending until the gateway's signed webhook settles or fails it, split tender over a gift
// card and a card, the till's cash and card terminal, capture and refund limits, and a failed
// tender voiding the ones already authorised.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCardGateway } from '../src/modules/payments/providers.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let dc = '';
let store = '';
let n = 0;

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  store = (await s.call('POST', '/v1/locations', { body: { code: 'UTR', name: 'Utrecht', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Lamp' }, variants: [{ sku: 'LAMP' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'LAMP', amount: 2500 }] } });
  for (const locationId of [dc, store]) await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId, type: 'receipt', quantity: 200 } });
});
afterAll(() => s?.close());

// A guest at the shop front; its checkouts here are about tenders, so they take the cart's current price.
const shop = (method: string, path: string, body?: unknown) =>
  guest(method, path, { body: path.endsWith('/checkout') ? { acceptCurrentPrice: true, ...(body as object) } : body, headers: method === 'POST' ? { 'idempotency-key': `k-${++n}` } : {} });

async function cart(quantity = 2, channel = 'web') {
  const body = channel === 'web' ? { channel, email: 'pay@example.com' } : { channel, storeId: store };
  const c = (await guest('POST', '/v1/carts', { token: channel === 'web' ? pk : undefined, body })).body;
  expect((await guest('POST', `/v1/carts/${c.id}/lines`, { token: channel === 'web' ? pk : undefined, body: { sku: 'LAMP', quantity } })).status).toBe(200);
  return c.id as string;
}
const ledger = async (orderId: string) => (await s.call('GET', `/v1/orders/${orderId}/payments`)).body;
const giftCard = async (amount: number) => (await s.call('POST', '/v1/gift-cards', { body: { amount } })).body as { code: string; giftCard: { id: string } };
const balance = async (id: string) => (await s.call('GET', `/v1/gift-cards/${id}`)).body.giftCard.balance as number;

describe('the test card gateway', () => {
  it('authorises 4242…, refuses the documented failure numbers with their reason and keeps nothing', async () => {
    const ok = await shop('POST', `/v1/carts/${await cart()}/checkout`, { payment: { method: 'test_card', cardNumber: '4242 4242 4242 4242' } });
    expect(ok.status).toBe(201);
    expect(ok.body.payments).toMatchObject([{ provider: 'test_card', kind: 'authorisation', status: 'succeeded', amount: 5495 }]);
    for (const [number, code] of [['4000000000009995', 'insufficient_funds'], ['4000000000000069', 'expired_card'], ['4242424242424241', 'invalid_number']]) {
      const id = await cart();
      const r = await shop('POST', `/v1/carts/${id}/checkout`, { payment: { method: 'test_card', cardNumber: number } });
      expect(r.status).toBe(402);
      expect(r.body.failureCode).toBe(code);
      expect((await shop('GET', `/v1/carts/${id}`)).body.status).toBe('open');
    }
  });

  it('keeps a pending authorisation pending until the gateway’s signed webhook settles it, and only then captures', async () => {
    const r = await shop('POST', `/v1/carts/${await cart(1)}/checkout`, { payment: { method: 'test_card', cardNumber: '4000 0000 0000 3220' } });
    expect(r.status).toBe(201);
    const orderId = r.body.id;
    let l = await ledger(orderId);
    expect(l.payments[0]).toMatchObject({ kind: 'authorisation', status: 'pending' });
    expect(l.summary).toMatchObject({ pending: 2995, capturable: 0 });
    expect((await s.call('POST', `/v1/orders/${orderId}/payments/capture`, { body: {} })).body.code).toBe('nothing_to_capture');

    const gateway = new TestCardGateway(s.config.testGatewaySecret);
    const reference = l.payments[0].providerReference;
    const hook = gateway.signWebhook({ reference, status: 'succeeded' });
    const post = (body: string, signature: string) => fetch(`${s.url}/v1/payments/webhooks/test_card`, { method: 'POST', headers: { 'content-type': 'application/json', 'winkel-gateway-signature': signature }, body });
    // A forged or tampered call changes nothing.
    expect((await post(hook.body, 't=1,v1=00')).status).toBe(401);
    expect((await post(hook.body.replace('settled', 'failed'), hook.signature)).status).toBe(401);
    expect((await ledger(orderId)).payments[0].status).toBe('pending');

    const first = await post(hook.body, hook.signature);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ changed: true, payment: { status: 'succeeded' } });
    // Delivered again (at least once): nothing changes twice.
    expect(await (await post(hook.body, hook.signature)).json()).toMatchObject({ changed: false });
    l = await ledger(orderId);
    expect(l.summary).toMatchObject({ authorised: 2995, capturable: 2995, pending: 0 });
    const cap = await s.call('POST', `/v1/orders/${orderId}/payments/capture`, { body: {} });
    expect(cap.status).toBe(200);
    expect(cap.body.summary).toMatchObject({ captured: 2995, capturable: 0 });
    await eventually(async () => (await s.call('GET', `/v1/events?type=payment.settled`)).body.data?.some((e: { data: { orderId: string } }) => e.data.orderId === orderId));
  });

  it('marks a pending authorisation failed when the gateway says so', async () => {
    const r = await shop('POST', `/v1/carts/${await cart(1)}/checkout`, { payment: { method: 'test_card', cardNumber: '4000000000003220' } });
    const reference = (await ledger(r.body.id)).payments[0].providerReference;
    const hook = new TestCardGateway(s.config.testGatewaySecret).signWebhook({ reference, status: 'failed', failureCode: 'card_declined' });
    const res = await fetch(`${s.url}/v1/payments/webhooks/test_card`, { method: 'POST', headers: { 'content-type': 'application/json', 'winkel-gateway-signature': hook.signature }, body: hook.body });
    expect(await res.json()).toMatchObject({ changed: true, payment: { status: 'failed', failureCode: 'card_declined' } });
    expect((await ledger(r.body.id)).summary).toMatchObject({ authorised: 0, capturable: 0 });
  });
});

describe('split tender', () => {
  it('pays with a gift card first and a card for the rest; refunds go to the card first, the gift card last', async () => {
    const gc = await giftCard(2000);
    const r = await shop('POST', `/v1/carts/${await cart(2)}/checkout`, { tenders: [{ method: 'gift_card', code: gc.code.toLowerCase() }, { method: 'test_card', cardNumber: '4242424242424242' }] });
    expect(r.status).toBe(201);
    expect(r.body.payments.map((p: { provider: string; amount: number }) => [p.provider, p.amount])).toEqual([
      ['gift_card', 2000],
      ['test_card', 3495],
    ]);
    expect(await balance(gc.giftCard.id)).toBe(0);
    const orderId = r.body.id;
    expect((await s.call('POST', `/v1/orders/${orderId}/payments/capture`, { body: { amount: 9999 } })).status).toBe(422);
    expect((await s.call('POST', `/v1/orders/${orderId}/payments/capture`, { body: {} })).body.summary).toMatchObject({ captured: 5495 });
    const refund = await s.call('POST', `/v1/orders/${orderId}/payments/refund`, { body: { amount: 4000, reason: 'goodwill' } });
    expect(refund.status).toBe(200);
    const refunds = refund.body.payments.filter((p: { kind: string }) => p.kind === 'refund').map((p: { provider: string; amount: number }) => [p.provider, p.amount]);
    expect(refunds).toEqual([
      ['test_card', 3495],
      ['gift_card', 505],
    ]);
    expect(await balance(gc.giftCard.id)).toBe(505);
    expect((await s.call('POST', `/v1/orders/${orderId}/payments/refund`, { body: { amount: 1496, reason: 'too much' } })).body.code).toBe('refund_exceeds_captured');
    const order = (await s.call('GET', `/v1/orders/${orderId}`)).body;
    expect([order.capturedTotal, order.refundedTotal]).toEqual([5495, 4000]);
  });

  it('voids every tender already authorised when a later one fails, and leaves no order', async () => {
    const gc = await giftCard(1000);
    const id = await cart(1);
    const r = await shop('POST', `/v1/carts/${id}/checkout`, { tenders: [{ method: 'gift_card', code: gc.code, amount: 1000 }, { method: 'test_card', cardNumber: '4000000000000002' }] });
    expect(r.status).toBe(402);
    expect(r.body).toMatchObject({ failureCode: 'card_declined', tender: 2 });
    expect(await balance(gc.giftCard.id)).toBe(1000);
    const entries = (await s.call('GET', `/v1/gift-cards/${gc.giftCard.id}`)).body.entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount]);
    expect(entries).toEqual([
      ['void', 1000],
      ['redeem', -1000],
      ['issue', 1000],
    ]);
    const rows = (await s.winkel.db.execute<{ kind: string; status: string }>(sql`select kind, status from payments where cart_id = ${id} order by created_at, id`)).rows;
    expect(rows.map((p) => `${p.kind}:${p.status}`)).toEqual(['authorisation:succeeded', 'authorisation:failed', 'void:succeeded']);
    expect((await s.winkel.db.execute(sql`select 1 from orders where cart_id = ${id}`)).rows).toHaveLength(0);
  });

  it('refuses tenders that do not add up to the total, saying how much is missing', async () => {
    const r = await shop('POST', `/v1/carts/${await cart(1)}/checkout`, { tenders: [{ method: 'test_card', cardNumber: '4242424242424242', amount: 1000 }] });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('1995');
    const both = await shop('POST', `/v1/carts/${await cart(1)}/checkout`, { payment: { method: 'test_card', cardNumber: '4242424242424242' }, tenders: [{ method: 'test_card', cardNumber: '4242424242424242' }] });
    expect(both.status).toBe(400);
  });
});

describe('at the till', () => {
  it('takes cash with change and the card terminal with its fingerprint; shoppers cannot claim to pay cash', async () => {
    const id = await cart(1, 'pos');
    const r = await s.call('POST', `/v1/carts/${id}/checkout`, { body: { acceptCurrentPrice: true, tenders: [{ method: 'cash', amount: 1000, tendered: 1000 }, { method: 'card_present', fingerprint: 'fp_terminal_abc', last4: '1234' }] } });
    expect(r.status).toBe(201);
    // Cash and the card terminal are captured at the sale (docs/commerce.md, "When money is captured").
    expect(r.body.payments.map((p: { provider: string; kind: string; amount: number }) => [p.provider, p.kind, p.amount])).toEqual([
      ['cash', 'authorisation', 1000],
      ['card_present', 'authorisation', 1500],
      ['cash', 'capture', 1000],
      ['card_present', 'capture', 1500],
    ]);
    expect(r.body).toMatchObject({ capturedTotal: 2500, outstandingTotal: 0, amountDue: 0 });
    const [row] = (await s.winkel.db.execute<{ card_fingerprint: string; card_last4: string }>(sql`select card_fingerprint, card_last4 from payments where order_id = ${r.body.id} and provider = 'card_present'`)).rows;
    expect(row).toEqual({ card_fingerprint: 'fp_terminal_abc', card_last4: '1234' });
    const short = await s.call('POST', `/v1/carts/${await cart(1, 'pos')}/checkout`, { body: { acceptCurrentPrice: true, tenders: [{ method: 'cash', tendered: 100 }] } });
    expect(short.body.failureCode).toBe('cash_short');
    const web = await shop('POST', `/v1/carts/${await cart(1)}/checkout`, { tenders: [{ method: 'cash' }] });
    expect(web.status).toBe(403);
  });
});
