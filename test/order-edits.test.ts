// Order edits before fulfilment: cancelling a line releases its stock and re-prices what is left
// with the order's promotions (a broken 3-for-2 loses its discount), giving back only the
// difference (released from the authorisation, or refunded once captured); moving a pickup to
// another store reserves there before releasing here; a fulfilled line cannot be edited. The
// fulfilments follow the edits: a cancelled line leaves its pick list (the fulfilment is cancelled
// when nothing is left), a moved pickup leaves the old store's queue for the new store's, and an edit
// of a fulfilment that someone has started (picked, ready) is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCardGateway } from '../src/modules/payments/providers.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let dc = '';
let amsterdam = '';
let rotterdam = '';
let n = 0;

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  amsterdam = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Amsterdam', type: 'store', pickup: true } })).body.id;
  rotterdam = (await s.call('POST', '/v1/locations', { body: { code: 'RTM', name: 'Rotterdam', type: 'store', pickup: true } })).body.id;
  const cups = (await s.call('POST', '/v1/categories', { body: { name: { en: 'Cups' } } })).body.id;
  const prices: Array<[string, number]> = [
    ['CUP-L', 1000],
    ['CUP-M', 800],
    ['CUP-S', 600],
  ];
  for (const [sku] of prices) await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: sku }, categoryId: cups, variants: [{ sku }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: prices.map(([sku, amount]) => ({ sku, amount })) } });
  for (const [sku] of prices) {
    await s.call('POST', '/v1/stock/movements', { body: { sku, locationId: dc, type: 'receipt', quantity: 50 } });
    await s.call('POST', '/v1/stock/movements', { body: { sku, locationId: amsterdam, type: 'receipt', quantity: 5 } });
  }
  await s.call('POST', '/v1/stock/movements', { body: { sku: 'CUP-L', locationId: rotterdam, type: 'receipt', quantity: 5 } });
  await s.call('POST', '/v1/promotions', { body: { name: 'Cups 3 for 2', status: 'active', stacking: 'combinable', target: { categoryIds: [cups] }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } } });
});
afterAll(() => s?.close());

async function order(skus: string[], pickupAt?: string, cardNumber = '4242424242424242') {
  const cart = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'edit@example.com' } })).body;
  for (const sku of skus) await guest('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: { sku, quantity: 1, ...(pickupAt ? { fulfilment: 'pickup', pickupLocationId: pickupAt } : {}) } });
  const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber } }, headers: { 'idempotency-key': `edit-${++n}` } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; total: number; lines: Array<{ id: string; sku: string; locationId: string }> };
}
const level = async (sku: string, locationId: string) => (await s.call('GET', `/v1/stock?sku=${sku}`)).body.data.find((l: { locationId: string }) => l.locationId === locationId) ?? { reserved: 0, availableToPromise: 0 };
const lineOf = (o: { lines: Array<{ id: string; sku: string }> }, sku: string) => o.lines.find((l) => l.sku === sku)!.id;

describe('cancelling a line', () => {
  it('re-prices the rest with the order’s promotions and releases only the difference', async () => {
    const o = await order(['CUP-L', 'CUP-M', 'CUP-S']);
    expect(o.total).toBe(1800 + 495);
    const reservedBefore = (await level('CUP-L', dc)).reserved;
    const r = await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-L')}/cancel`, { body: { reason: 'customer asked' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // M and S without the deal: 14 + shipping. Cancelling the 10 cup gives back 4, not 10.
    expect(r.body.total).toBe(1400 + 495);
    expect(r.body.lines.find((l: { sku: string }) => l.sku === 'CUP-L').status).toBe('cancelled');
    expect(r.body.lines.filter((l: { status: string }) => l.status !== 'cancelled').reduce((sum: number, l: { total: number }) => sum + l.total, 0)).toBe(1400);
    expect((await level('CUP-L', dc)).reserved).toBe(reservedBefore - 1);
    const ledger = (await s.call('GET', `/v1/orders/${o.id}/payments`)).body;
    expect(ledger.payments.filter((p: { kind: string }) => p.kind === 'void').map((p: { amount: number }) => p.amount)).toEqual([400]);
    expect(ledger.summary).toMatchObject({ capturable: 1895 });
    await eventually(async () => (await s.call('GET', `/v1/events?type=order.line_cancelled`)).body.data.some((e: { aggregate: { id: string } }) => e.aggregate.id === o.id));
    const audit = await s.call('GET', `/v1/audit-log?resourceId=${o.id}`);
    expect(audit.body.data.some((a: { action: string }) => a.action === 'order.cancel_line')).toBe(true);
  });

  it('refunds the difference once the money was captured, and cancels the order with its last line', async () => {
    const o = await order(['CUP-M', 'CUP-S']);
    await s.call('POST', `/v1/orders/${o.id}/payments/capture`, { body: {} });
    const first = await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-M')}/cancel`, { body: {} });
    expect(first.body.total).toBe(600 + 495);
    expect(first.body.refundedTotal).toBe(800);
    const last = await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-S')}/cancel`, { body: {} });
    // Nothing left to deliver: the shipping comes back too.
    expect(last.body).toMatchObject({ status: 'cancelled', total: 0, capturedTotal: 1895, refundedTotal: 1895 });
    expect((await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-S')}/cancel`, { body: {} })).status).toBe(409);
  });

  it('cancels lines of an order whose payment failed at the gateway, owing nothing back', async () => {
    const o = await order(['CUP-M', 'CUP-S'], undefined, '4000000000003220');
    const reference = (await s.call('GET', `/v1/orders/${o.id}/payments`)).body.payments[0].providerReference;
    const hook = new TestCardGateway(s.config.testGatewaySecret).signWebhook({ reference, status: 'failed' });
    expect((await fetch(`${s.url}/v1/payments/webhooks/test_card`, { method: 'POST', headers: { 'content-type': 'application/json', 'winkel-gateway-signature': hook.signature }, body: hook.body })).status).toBe(200);
    for (const l of o.lines) expect((await s.call('POST', `/v1/orders/${o.id}/lines/${l.id}/cancel`, { body: { reason: 'payment failed' } })).status).toBe(200);
    const after = (await s.call('GET', `/v1/orders/${o.id}`)).body;
    expect(after).toMatchObject({ status: 'cancelled', capturedTotal: 0, refundedTotal: 0 });
    expect((await s.call('GET', `/v1/orders/${o.id}/payments`)).body.payments.map((p: { kind: string }) => p.kind)).toEqual(['authorisation']);
  });

  it('refuses to cancel a line that was fulfilled (409)', async () => {
    const o = await order(['CUP-M']);
    const [f] = (await s.call('GET', `/v1/orders/${o.id}/fulfilments`)).body.data;
    for (const [step, body] of [['pick', {}], ['pack', {}], ['ship', { carrier: 'manual', trackingNumber: 'TRACK-1' }]] as const) expect((await s.call('POST', `/v1/fulfilments/${f.id}/${step}`, { body })).status).toBe(200);
    const r = await s.call('POST', `/v1/orders/${o.id}/lines/${o.lines[0].id}/cancel`, { body: {} });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('line_fulfilled');
    expect((await s.call('GET', `/v1/orders/${o.id}/payments`)).body.payments.filter((p: { kind: string }) => p.kind === 'void')).toHaveLength(0);
  });
});

describe('changing the pickup store', () => {
  it('reserves at the new store and releases the old one; refuses a store without the stock', async () => {
    const o = await order(['CUP-L'], amsterdam);
    expect(o.lines[0].locationId).toBe(amsterdam);
    const amsBefore = (await level('CUP-L', amsterdam)).reserved;
    const rtmBefore = (await level('CUP-L', rotterdam)).reserved;
    const r = await s.call('POST', `/v1/orders/${o.id}/pickup-store`, { body: { locationId: rotterdam } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.lines[0].locationId).toBe(rotterdam);
    expect((await level('CUP-L', amsterdam)).reserved).toBe(amsBefore - 1);
    expect((await level('CUP-L', rotterdam)).reserved).toBe(rtmBefore + 1);
    expect(r.body.total).toBe(o.total);

    const m = await order(['CUP-M'], amsterdam);
    const refused = await s.call('POST', `/v1/orders/${m.id}/pickup-store`, { body: { locationId: rotterdam } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('insufficient_stock');
    expect((await s.call('GET', `/v1/orders/${m.id}`)).body.lines[0].locationId).toBe(amsterdam);
    expect((await s.call('POST', `/v1/orders/${m.id}/pickup-store`, { body: { locationId: dc } })).status).toBe(400);
  });
});

type Ful = { id: string; orderId: string; status: string; locationId: string; method: string; lines: Array<{ orderLineId: string; sku: string }> };
const queue = async (locationId: string, orderId: string): Promise<Ful[]> => (await s.call('GET', `/v1/fulfilments?locationId=${locationId}&orderId=${orderId}`)).body.data;
const fulfilmentsOf = async (orderId: string): Promise<Ful[]> => (await s.call('GET', `/v1/orders/${orderId}/fulfilments`)).body.data;
const eventsOf = async (type: string, aggregateId: string) => (await s.call('GET', `/v1/events?type=${type}&aggregateId=${aggregateId}`)).body.data as Array<{ data: Record<string, unknown> }>;

describe('edits and fulfilments', () => {
  it('takes a cancelled line off the pick list, and cancels the fulfilment with its last line', async () => {
    const o = await order(['CUP-L', 'CUP-M']);
    const [f] = await fulfilmentsOf(o.id);
    expect(f.lines.map((l) => l.sku).sort()).toEqual(['CUP-L', 'CUP-M']);
    expect((await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-L')}/cancel`, { body: {} })).status).toBe(200);
    const [after] = await queue(dc, o.id);
    expect(after).toMatchObject({ id: f.id, status: 'open' });
    expect(after.lines.map((l) => l.sku)).toEqual(['CUP-M']);
    await eventually(async () => (await eventsOf('fulfilment.line_removed', f.id)).length === 1);

    expect((await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-M')}/cancel`, { body: {} })).status).toBe(200);
    const [gone] = await fulfilmentsOf(o.id);
    expect(gone).toMatchObject({ id: f.id, status: 'cancelled', nextActions: [] });
    expect((await s.call('GET', `/v1/fulfilments?locationId=${dc}&orderId=${o.id}&status=open`)).body.data).toEqual([]);
    await eventually(async () => (await eventsOf('fulfilment.cancelled', f.id)).length === 1);
  });

  it('refuses (409) to cancel a line whose fulfilment is picked already, and changes nothing', async () => {
    const o = await order(['CUP-L', 'CUP-S']);
    const [f] = await fulfilmentsOf(o.id);
    expect((await s.call('POST', `/v1/fulfilments/${f.id}/pick`)).status).toBe(200);
    const before = (await level('CUP-S', dc)).reserved;
    const r = await s.call('POST', `/v1/orders/${o.id}/lines/${lineOf(o, 'CUP-S')}/cancel`, { body: {} });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'fulfilment_in_progress', fulfilmentId: f.id, status: 'picked' });
    expect((await s.call('GET', `/v1/orders/${o.id}`)).body).toMatchObject({ total: o.total, status: 'placed' });
    expect((await fulfilmentsOf(o.id))[0].lines).toHaveLength(2);
    expect((await level('CUP-S', dc)).reserved).toBe(before);
  });

  it('moves the pick task from the old store’s queue to the new store’s', async () => {
    const o = await order(['CUP-L'], amsterdam);
    const [old] = await queue(amsterdam, o.id);
    expect(old).toMatchObject({ method: 'pickup', status: 'open', locationId: amsterdam });
    const r = await s.call('POST', `/v1/orders/${o.id}/pickup-store`, { body: { locationId: rotterdam } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Amsterdam's queue: the old task, cancelled; Rotterdam's: a new open task with the line.
    expect((await queue(amsterdam, o.id)).map((f) => [f.id, f.status])).toEqual([[old.id, 'cancelled']]);
    const moved = await queue(rotterdam, o.id);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ method: 'pickup', status: 'open', locationId: rotterdam, pickupLocationId: rotterdam });
    expect(moved[0].lines.map((l) => [l.orderLineId, l.sku])).toEqual([[o.lines[0].id, 'CUP-L']]);
    // The new store can work on it.
    expect((await s.call('POST', `/v1/fulfilments/${moved[0].id}/ready`)).body.status).toBe('ready');
    await eventually(async () => (await eventsOf('fulfilment.created', moved[0].id)).length === 1 && (await eventsOf('fulfilment.cancelled', old.id)).length === 1);
    const changed = await eventsOf('order.pickup_store_changed', o.id);
    expect(changed[0].data).toMatchObject({ locationId: rotterdam, fulfilmentId: moved[0].id });
  });

  it('refuses (409) to move a pickup that is ready at the store', async () => {
    const o = await order(['CUP-L'], amsterdam);
    const [f] = await queue(amsterdam, o.id);
    expect((await s.call('POST', `/v1/fulfilments/${f.id}/ready`)).status).toBe(200);
    const rtmBefore = (await level('CUP-L', rotterdam)).reserved;
    const r = await s.call('POST', `/v1/orders/${o.id}/pickup-store`, { body: { locationId: rotterdam } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'fulfilment_in_progress', status: 'ready' });
    expect(await queue(rotterdam, o.id)).toEqual([]);
    expect((await queue(amsterdam, o.id))[0]).toMatchObject({ id: f.id, status: 'ready' });
    expect((await level('CUP-L', rotterdam)).reserved).toBe(rtmBefore);
  });
});
