// Returns anywhere: an online order with a 3-for-2 comes back in part at a store and is refunded
// what the customer no longer saves (not a third of the deal), over two tenders with the one
// charged last refunded first; later returns add up to exactly the order's total; store credit;
// exchanges; inspection outcomes in the stock ledger of the receiving store; the policy's refusals.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReturnable } from '../src/modules/returns/service.js';
import { getOrder } from '../src/modules/commerce/service.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let customer: string;
let customerId: string;
let dc = '';
let store = '';
let socks = '';
let n = 0;

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  const signUp = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'ret@example.com', password: 'returning-shopper-1' } })).body;
  customer = signUp.token;
  customerId = signUp.customer.id;
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  store = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Amsterdam', type: 'store', pickup: true } })).body.id;
  socks = (await s.call('POST', '/v1/categories', { body: { name: { en: 'Socks' } } })).body.id;
  await s.call('POST', '/v1/attributes', { body: { code: 'returnable', type: 'boolean' } });
  const products: Array<[string, number, Record<string, unknown>]> = [
    ['SOCK-RED', 1000, { categoryId: socks }],
    ['SOCK-BLUE', 800, { categoryId: socks }],
    ['SOCK-GREY', 600, { categoryId: socks }],
    ['EARRING', 1500, { attributes: { returnable: false } }],
    ['SCARF', 500, {}],
    ['HAT', 2000, {}],
  ];
  for (const [sku, , extra] of products) expect((await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: sku }, variants: [{ sku }], ...extra } })).status).toBe(201);
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: products.map(([sku, amount]) => ({ sku, amount })) } });
  for (const [sku] of products) for (const locationId of [dc, store]) await s.call('POST', '/v1/stock/movements', { body: { sku, locationId, type: 'receipt', quantity: 100 } });
  await s.call('POST', '/v1/promotions', { body: { name: 'Socks 3 for 2', status: 'active', stacking: 'combinable', target: { categoryIds: [socks] }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } } });
});
afterAll(() => s?.close());

/** An online order by the signed-in customer, delivered through the fulfilment steps. */
async function deliveredOrder(skus: string[], tenders: unknown[] = [{ method: 'test_card', cardNumber: '4242424242424242' }]) {
  const cart = (await guest('POST', '/v1/carts', { token: customer, body: { channel: 'web' } })).body;
  for (const sku of skus) expect((await guest('POST', `/v1/carts/${cart.id}/lines`, { token: customer, body: { sku, quantity: 1 } })).status).toBe(200);
  const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: customer, body: { acceptCurrentPrice: true, tenders }, headers: { 'idempotency-key': `ret-${++n}` } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const fulfilments = (await s.call('GET', `/v1/orders/${r.body.id}/fulfilments`)).body.data;
  expect(fulfilments.length).toBeGreaterThan(0);
  for (const f of fulfilments) {
    for (const [step, body] of [['pick', {}], ['pack', {}], ['ship', { carrier: 'manual', trackingNumber: `TRACK-${n}` }], ['deliver', {}]] as const) {
      const res = await s.call('POST', `/v1/fulfilments/${f.id}/${step}`, { body });
      expect(res.status, `${step}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  }
  const order = (await s.call('GET', `/v1/orders/${r.body.id}`)).body;
  expect(order.lines.every((l: { status: string }) => l.status === 'fulfilled')).toBe(true);
  return order as { id: string; total: number; lines: Array<{ id: string; sku: string; total: number }> };
}
const lineOf = (order: { lines: Array<{ id: string; sku: string }> }, sku: string) => order.lines.find((l) => l.sku === sku)!.id;
const onHand = async (sku: string, locationId: string) => (await s.call('GET', `/v1/stock?sku=${sku}`)).body.data.find((l: { locationId: string }) => l.locationId === locationId)?.onHand;
const giftCard = async (amount: number) => (await s.call('POST', '/v1/gift-cards', { body: { amount } })).body as { code: string; giftCard: { id: string } };
const atStore = (orderId: string, lines: unknown[], extra: Record<string, unknown> = {}) => s.call('POST', '/v1/returns', { body: { orderId, method: 'in_store', locationId: store, lines, ...extra } });

describe('a 3-for-2 returned in part, at a store, paid with a gift card and a card', () => {
  it('refunds what the customer no longer saves, card first and gift card last, and restocks the store', async () => {
    const gc = await giftCard(2000);
    // 10 + 8 + 6 = 24, the grey pair free: 18 for the socks, 4.95 shipping: 22.95.
    const order = await deliveredOrder(['SOCK-RED', 'SOCK-BLUE', 'SOCK-GREY'], [{ method: 'gift_card', code: gc.code }, { method: 'test_card', cardNumber: '4242424242424242' }]);
    expect(order.total).toBe(2295);
    const before = await onHand('SOCK-RED', store);

    // The preview takes the very body the return is then made with.
    const body = { orderId: order.id, method: 'in_store', locationId: store, lines: [{ orderLineId: lineOf(order, 'SOCK-RED'), quantity: 1, reason: 'changed_mind', outcome: 'restock' }], note: 'brought back at the till' };
    const preview = await s.call('POST', '/v1/returns/preview', { body });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    // Kept: blue and grey, 14 without the deal. Paid 18 for three: 4 back, not a third of 18.
    expect(preview.body.refund).toMatchObject({ goods: 400, shipping: 0, due: 400, payout: 400, paidForGoods: 1800, keptValueAfter: 1400 });
    expect(preview.body.refund.split.map((p: { provider: string; amount: number }) => [p.provider, p.amount])).toEqual([
      ['test_card', 295],
      ['gift_card', 105],
    ]);

    const r = await s.call('POST', '/v1/returns', { body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.return).toMatchObject({ status: 'refunded', locationId: store, refundTotal: 400, method: 'in_store', orderChannel: 'web' });
    expect(await onHand('SOCK-RED', store)).toBe(before + 1);
    const ledger = (await s.call('GET', `/v1/orders/${order.id}/payments`)).body;
    const refunds = ledger.payments.filter((p: { kind: string }) => p.kind === 'refund').map((p: { provider: string; amount: number }) => [p.provider, p.amount]);
    expect(refunds).toEqual([
      ['test_card', 295],
      ['gift_card', 105],
    ]);
    expect(ledger.summary).toMatchObject({ captured: 2295, refunded: 400, net: 1895 });
    expect((await s.call('GET', `/v1/gift-cards/${gc.giftCard.id}`)).body.giftCard.balance).toBe(105);
    const movements = (await s.winkel.db.execute<{ type: string; location_id: string }>(sql`select type, location_id from stock_movements where reference = ${r.body.return.id}`)).rows;
    expect(movements).toEqual([{ type: 'return', location_id: store }]);
    // The customer's timeline gets the return and the refund.
    const events = await eventually(async () => {
      const e = (await s.call('GET', `/v1/events?aggregateId=${r.body.return.id}&aggregateId=${order.id}`)).body.data as Array<{ type: string; customerId: string }>;
      return e.some((x) => x.type === 'return.received') && e.some((x) => x.type === 'refund.issued') ? e : null;
    });
    for (const t of ['return.requested', 'return.received', 'return.refunded', 'refund.issued']) expect(events.find((e) => e.type === t)?.customerId, t).toBe(customerId);

    // Blue next: grey alone is worth 6, so 14 − 6 = 8 back; then grey: 6 and, nothing being kept, the shipping.
    const blue = await atStore(order.id, [{ orderLineId: lineOf(order, 'SOCK-BLUE'), quantity: 1, reason: 'wrong_size', outcome: 'restock' }]);
    expect(blue.body.return.refundTotal).toBe(800);
    const grey = await atStore(order.id, [{ orderLineId: lineOf(order, 'SOCK-GREY'), quantity: 1, reason: 'wrong_size', outcome: 'restock' }]);
    expect(grey.body.return.refund).toMatchObject({ goods: 600, shipping: 495, due: 1095 });
    const after = (await s.call('GET', `/v1/orders/${order.id}`)).body;
    expect([after.capturedTotal, after.refundedTotal]).toEqual([2295, 2295]);
    // Nothing left to return.
    expect((await atStore(order.id, [{ orderLineId: lineOf(order, 'SOCK-GREY'), quantity: 1, reason: 'other', outcome: 'restock' }])).body.code).toBe('quantity_exceeds_returnable');
  });
});

describe('store credit and exchanges', () => {
  it('pays a return out as store credit on a new gift card, recorded in the payment ledger', async () => {
    const order = await deliveredOrder(['HAT']);
    const r = await atStore(order.id, [{ orderLineId: lineOf(order, 'HAT'), quantity: 1, reason: 'defective', outcome: 'damaged' }], { refundMethod: 'store_credit' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.storeCreditCode).toMatch(/^GC-/);
    // Everything came back: the hat and the shipping.
    const credit = await s.call('POST', '/v1/gift-cards/balance', { token: pk, body: { code: r.body.storeCreditCode } });
    expect(credit.body).toMatchObject({ balance: 2495, origin: 'store_credit', customerId });
    const ledger = (await s.call('GET', `/v1/orders/${order.id}/payments`)).body;
    expect(ledger.payments.filter((p: { kind: string }) => p.kind === 'refund').map((p: { provider: string; amount: number }) => [p.provider, p.amount])).toEqual([['store_credit', 2495]]);
    // Damaged: in through the return, out as damage; on hand unchanged.
    const moves = (await s.winkel.db.execute<{ type: string; on_hand_delta: number }>(sql`select type, on_hand_delta from stock_movements where reference = ${r.body.return.id} order by seq`)).rows;
    expect(moves).toEqual([
      { type: 'return', on_hand_delta: 1 },
      { type: 'damage', on_hand_delta: -1 },
    ]);
  });

  it('exchanges for something dearer in one step, charging the difference', async () => {
    const order = await deliveredOrder(['SCARF']);
    const line = [{ orderLineId: lineOf(order, 'SCARF'), quantity: 1, reason: 'changed_mind', outcome: 'restock' }];
    const noPay = await atStore(order.id, line, { exchange: [{ sku: 'HAT', quantity: 1 }] });
    expect(noPay.status).toBe(402);
    expect(noPay.body).toMatchObject({ code: 'payment_required', toPay: 1500 });
    const hats = await onHand('HAT', store);
    const r = await atStore(order.id, line, { exchange: [{ sku: 'HAT', quantity: 1 }], payment: { method: 'card_present', fingerprint: 'fp_x', last4: '4242' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.return.refund).toMatchObject({ due: 500, exchangeTotal: 2000, payout: 0, toPay: 1500 });
    expect(await onHand('HAT', store)).toBe(hats - 1);
    const o = (await s.call('GET', `/v1/orders/${order.id}`)).body;
    expect(o.lines.map((l: { sku: string; status: string }) => `${l.sku}:${l.status}`)).toEqual(['SCARF:fulfilled', 'HAT:fulfilled']);
    const ledger = (await s.call('GET', `/v1/orders/${order.id}/payments`)).body;
    expect(ledger.payments.some((p: { provider: string; kind: string; amount: number }) => p.provider === 'card_present' && p.kind === 'capture' && p.amount === 1500)).toBe(true);
    expect(ledger.summary.refunded).toBe(0);
  });

  it('exchanges for something cheaper, refunding the difference', async () => {
    const order = await deliveredOrder(['HAT']);
    const r = await atStore(order.id, [{ orderLineId: lineOf(order, 'HAT'), quantity: 1, reason: 'wrong_size', outcome: 'restock' }], { exchange: [{ sku: 'SCARF', quantity: 1 }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // The hat (20) comes back, the scarf (5) goes home: 15 back. Shipping stays: goods are kept.
    expect(r.body.return.refund).toMatchObject({ due: 2000, exchangeTotal: 500, payout: 1500 });
    expect((await s.call('GET', `/v1/orders/${order.id}/payments`)).body.summary.refunded).toBe(1500);
  });
});

describe('authorised online, received later', () => {
  it('a customer authorises a return by mail; the DC inspects it (quarantine) and refunds', async () => {
    const order = await deliveredOrder(['HAT', 'SCARF']);
    const rma = await s.call('POST', '/v1/returns', { token: customer, body: { orderId: order.id, method: 'mail', lines: [{ orderLineId: lineOf(order, 'HAT'), quantity: 1, reason: 'not_as_described' }] } });
    expect(rma.status, JSON.stringify(rma.body)).toBe(201);
    expect(rma.body.return).toMatchObject({ status: 'requested', refundTotal: null });
    // A customer cannot receive it, nor return someone else's order.
    expect((await s.call('POST', `/v1/returns/${rma.body.return.id}/receive`, { token: customer, body: { locationId: dc, outcomes: [] } })).status).toBe(403);
    const other = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'other@example.com', password: 'other-shopper-12' } })).body.token;
    expect((await s.call('POST', '/v1/returns', { token: other, body: { orderId: order.id, method: 'mail', lines: [{ orderLineId: lineOf(order, 'SCARF'), quantity: 1, reason: 'other' }] } })).status).toBe(404);
    // The requested hat cannot be requested twice.
    expect((await s.call('POST', '/v1/returns', { token: customer, body: { orderId: order.id, method: 'mail', lines: [{ orderLineId: lineOf(order, 'HAT'), quantity: 1, reason: 'other' }] } })).body.code).toBe('quantity_exceeds_returnable');

    const line = rma.body.return.lines[0];
    const received = await s.call('POST', `/v1/returns/${rma.body.return.id}/receive`, { body: { locationId: dc, outcomes: [{ returnLineId: line.id, outcome: 'quarantine' }] } });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    expect(received.body.return).toMatchObject({ status: 'refunded', refundTotal: 2000, locationId: dc });
    const level = (await s.call('GET', '/v1/stock?sku=HAT')).body.data.find((l: { locationId: string }) => l.locationId === dc);
    expect(level.reserved).toBeGreaterThanOrEqual(1);
    const list = await s.call('GET', `/v1/returns?orderId=${order.id}`);
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([rma.body.return.id]);
    expect((await s.call('GET', `/v1/returns/${rma.body.return.id}`, { token: customer })).status).toBe(200);
    // A customer's list holds their own returns only, whatever they ask for.
    const mine = (await s.call('GET', '/v1/returns?limit=200', { token: customer })).body.data;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r: { customerId: string }) => r.customerId === customerId)).toBe(true);
    expect((await s.call('GET', '/v1/returns', { token: other })).body.data).toEqual([]);
  });
});

describe('the return policy', () => {
  it('refuses a product marked not returnable, a return after the window, and goods not yet delivered', async () => {
    const order = await deliveredOrder(['EARRING', 'SCARF']);
    const earring = await atStore(order.id, [{ orderLineId: lineOf(order, 'EARRING'), quantity: 1, reason: 'changed_mind', outcome: 'restock' }]);
    expect(earring.status).toBe(422);
    expect(earring.body.code).toBe('not_returnable');
    expect(earring.body.errors[0].field).toBe('/lines/0');

    await s.winkel.db.execute(sql`update orders set created_at = now() - interval '31 days' where id = ${order.id}`);
    const late = await atStore(order.id, [{ orderLineId: lineOf(order, 'SCARF'), quantity: 1, reason: 'changed_mind', outcome: 'restock' }]);
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ code: 'return_window_closed', windowDays: 30 });

    const cart = (await guest('POST', '/v1/carts', { token: customer, body: { channel: 'web' } })).body;
    await guest('POST', `/v1/carts/${cart.id}/lines`, { token: customer, body: { sku: 'SCARF', quantity: 1 } });
    const open = (await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: customer, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } } })).body;
    const early = await atStore(open.id, [{ orderLineId: open.lines[0].id, quantity: 1, reason: 'changed_mind', outcome: 'restock' }]);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('line_not_fulfilled');
    // Nothing was changed by any refusal.
    expect((await s.call('GET', `/v1/returns?orderId=${order.id}`)).body.data).toHaveLength(0);
  });

  it('excludes whole categories configured as not returnable', async () => {
    const order = await getOrder(s.winkel.db, (await deliveredOrder(['SOCK-RED'])).id);
    const lines = [{ orderLineId: order.lines[0].id, quantity: 1, reason: 'other' as const }];
    await expect(checkReturnable(s.winkel.db, { windowDays: 30, excludedCategoryIds: [socks] }, order, lines)).rejects.toMatchObject({ status: 422, code: 'not_returnable' });
    await expect(checkReturnable(s.winkel.db, { windowDays: 30, excludedCategoryIds: [] }, order, lines)).resolves.toBeUndefined();
  });
});
