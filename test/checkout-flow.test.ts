// Checkout on the durable flow runner: a failure injected at each step in turn (an error, or the
// process "dying" there) leaves no cart claimed, no authorisation open and no reservation held, or,
// past the order, an order that is completed; and the retried checkout (same Idempotency-Key) gives
// one order, paid once, with the stock taken once.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearFaults, injectFault, type FaultPoint } from '../src/platform/flows/runner.js';
import { verifyLedger } from '../src/modules/inventory/service.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let ams = '';
let associate = '';
let n = 0;

beforeAll(async () => {
  // A short lease and a fast recovery loop, so that a "dead" run is taken over within a second.
  s = await startTestServer({ flowLeaseMs: 1000, flowRecoveryIntervalMs: 100 });
  ams = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Winkel Amsterdam', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Lamp' }, variants: [{ sku: 'LAMP' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'LAMP', amount: 2500 }] } });
  await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: ams, type: 'receipt', quantity: 500 } });
  await s.call('POST', '/v1/staff-users', { body: { email: 'till@test.example', name: 'Till', role: 'store_associate', password: 'associate-pass-1', storeIds: [ams] } });
  associate = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'till@test.example', password: 'associate-pass-1' } })).body.token;
});
afterAll(() => s?.close());
afterEach(() => clearFaults());

const q = async <T = Record<string, unknown>>(query: ReturnType<typeof sql>) => (await s.winkel.db.execute(query)).rows as T[];
const onHand = async () => Number((await q<{ n: number }>(sql`select l.on_hand as n from stock_levels l join variants v on v.id = l.variant_id where v.sku = 'LAMP' and l.location_id = ${ams}`))[0].n);
const balance = async (giftCardId: string) => Number((await q<{ b: number }>(sql`select balance as b from gift_cards where id = ${giftCardId}`))[0].b);

/** A till sale of two lamps (5,000 cents) split over a gift card (1,000) and cash: every checkout step runs. */
async function tillSale() {
  const gc = (await s.call('POST', '/v1/gift-cards', { body: { amount: 1000 } })).body;
  const cart = (await s.call('POST', '/v1/carts', { token: associate, body: { channel: 'pos', storeId: ams, email: 'shopper@example.com' } })).body;
  expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: associate, body: { sku: 'LAMP', quantity: 2 } })).status).toBe(200);
  const key = `flow-${++n}`;
  const body = { acceptCurrentPrice: true, tenders: [{ method: 'gift_card', code: gc.code }, { method: 'cash', tendered: 5000 }] };
  const submit = () => s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: associate, body, headers: { 'idempotency-key': key } });
  return { cartId: cart.id as string, giftCardId: gc.giftCard.id as string, submit };
}

/** Nothing of a failed checkout is held: the cart is open, no reservation, every authorisation voided, no order. */
async function nothingHeld(cartId: string, giftCardId: string) {
  const [cart] = await q<{ status: string }>(sql`select status from carts where id = ${cartId}`);
  const held = await q(sql`select id from reservations where reference = ${cartId} and status = 'active'`);
  const open = await q(sql`select a.id from payments a where a.cart_id = ${cartId} and a.kind = 'authorisation' and a.status in ('succeeded', 'pending')
    and not exists (select 1 from payments v where v.parent_id = a.id and v.kind = 'void' and v.status = 'succeeded')`);
  const orders = await q(sql`select id from orders where cart_id = ${cartId}`);
  return cart.status === 'open' && held.length === 0 && open.length === 0 && orders.length === 0 && (await balance(giftCardId)) === 1000;
}

async function runOf(cartId: string) {
  const [run] = await q<{ status: string; steps: Array<{ name: string; compensatedAt?: string; result?: unknown }>; input: unknown }>(sql`select status, steps, input from flow_runs where flow = 'checkout' and key = ${cartId} order by created_at desc limit 1`);
  return run;
}

/** The retried checkout: one order for the cart, complete and paid in full once, two lamps taken once. */
async function retriedGivesOneOrder(sale: Awaited<ReturnType<typeof tillSale>>, stockBefore: number) {
  const again = await sale.submit();
  expect([200, 201], JSON.stringify(again.body)).toContain(again.status);
  expect(again.body).toMatchObject({ status: 'completed', total: 5000, capturedTotal: 5000, outstandingTotal: 0 });
  const orders = await q<{ id: string }>(sql`select id from orders where cart_id = ${sale.cartId}`);
  expect(orders.map((o) => o.id)).toEqual([again.body.id]);
  const captures = await q<{ provider: string; amount: number }>(sql`select provider, amount from payments where order_id = ${again.body.id} and kind = 'capture' and status = 'succeeded' order by provider`);
  expect(captures.map((c) => `${c.provider}:${c.amount}`)).toEqual(['cash:4000', 'gift_card:1000']);
  expect(await balance(sale.giftCardId)).toBe(0);
  expect(await onHand()).toBe(stockBefore - 2);
  expect(await q(sql`select id from reservations where reference = ${sale.cartId} and status = 'active'`)).toEqual([]);
  // A third submission answers the same order.
  const third = await sale.submit();
  expect(third.body.id).toBe(again.body.id);
  expect((await verifyLedger(s.winkel.db)).mismatches).toEqual([]);
}

const BEFORE_ORDER = ['claim', 'reserve', 'authorise 1', 'authorise 2'];

describe('checkout, failing at each step before the order', () => {
  for (const step of BEFORE_ORDER) {
    for (const point of ['before', 'after'] as FaultPoint[]) {
      it(`${point} "${step}": undoes what was done at once, and the retry places one order`, async () => {
        const stock = await onHand();
        const sale = await tillSale();
        injectFault('checkout', step, point);
        const failed = await sale.submit();
        expect(failed.status).toBe(500);
        expect(await nothingHeld(sale.cartId, sale.giftCardId)).toBe(true);
        const run = await runOf(sale.cartId);
        if (step === 'claim' && point === 'before') expect(run).toBeUndefined();
        else {
          expect(run.status).toBe('compensated');
          // Each step that has an undo (reserve's is the claim's) marked as undone; nothing of the input or the results is kept.
          expect(run.steps.filter((x) => x.name !== 'reserve').every((x) => x.compensatedAt)).toBe(true);
          expect(run.steps.every((x) => x.result === undefined)).toBe(true);
          expect(run.input).toBeNull();
        }
        expect(await onHand()).toBe(stock);
        await retriedGivesOneOrder(sale, stock);
      });
    }
    for (const point of ['crash_before', 'crash_after'] as FaultPoint[]) {
      it(`with the process dying ${point === 'crash_before' ? 'before' : 'after'} "${step}": the recovery undoes it within a lease, and the retry places one order`, async () => {
        const stock = await onHand();
        const sale = await tillSale();
        injectFault('checkout', step, point);
        const failed = await sale.submit();
        expect(failed.status).toBe(500);
        if (!(step === 'claim' && point === 'crash_before')) {
          // Left as a dead process leaves it: the cart claimed, until the lease runs out.
          expect((await q<{ status: string }>(sql`select status from carts where id = ${sale.cartId}`))[0].status).toBe('checking_out');
          await eventually(async () => (await runOf(sale.cartId))?.status === 'compensated', 10_000);
        }
        expect(await nothingHeld(sale.cartId, sale.giftCardId)).toBe(true);
        await retriedGivesOneOrder(sale, stock);
      });
    }
  }
});

describe('checkout, failing at or after the order (its pivot)', () => {
  it('after "order": the order stands, the capture is completed (by the retry or the recovery), paid once', async () => {
    const stock = await onHand();
    const sale = await tillSale();
    injectFault('checkout', 'order', 'after');
    expect((await sale.submit()).status).toBe(500);
    expect(await q(sql`select id from orders where cart_id = ${sale.cartId}`)).toHaveLength(1);
    await retriedGivesOneOrder(sale, stock);
    await eventually(async () => (await runOf(sale.cartId))?.status === 'completed', 20_000);
  });

  for (const point of ['crash_after', 'before', 'crash_before', 'after'] as FaultPoint[]) {
    const step = point === 'crash_after' ? 'order' : 'capture';
    it(`${point} "${step}": the recovery completes the sale on its own, paid once`, async () => {
      const stock = await onHand();
      const sale = await tillSale();
      injectFault('checkout', step, point);
      const first = await sale.submit();
      // Failing after the capture itself is only a late failure: the sale is complete either way.
      if (point !== 'after') expect(first.status).toBe(500);
      await eventually(async () => (await runOf(sale.cartId))?.status === 'completed', 20_000);
      const [order] = await q<{ id: string; status: string }>(sql`select id, status from orders where cart_id = ${sale.cartId}`);
      expect(order.status).toBe('completed');
      await retriedGivesOneOrder(sale, stock);
    });
  }
});

describe('checkout refused before anything happens', () => {
  it('keeps no run: a changed price rolls the claim back with it', async () => {
    const sale = await tillSale();
    const r = await s.call('POST', `/v1/carts/${sale.cartId}/checkout`, { token: associate, body: { expectedTotal: 1, tenders: [{ method: 'cash', tendered: 5000 }] }, headers: { 'idempotency-key': `changed-${n}` } });
    expect(r.status).toBe(409);
    expect(await runOf(sale.cartId)).toBeUndefined();
    expect((await q<{ status: string }>(sql`select status from carts where id = ${sale.cartId}`))[0].status).toBe('open');
  });
});
