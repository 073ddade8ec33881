// The payment ledger reconciles with the order whatever happens to it: after any sequence of
// partial captures and refunds (over one card, or a gift card and a card), the order's captured
// and refunded totals equal the ledger's sums, refunds never exceed captures, captures never
// exceed the authorisation, and every step that would break that is refused with 422 and changes
// nothing.
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let n = 0;

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  const dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Vase' }, variants: [{ sku: 'VASE' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'VASE', amount: 1299 }] } });
  await s.call('POST', '/v1/stock/movements', { body: { sku: 'VASE', locationId: dc, type: 'receipt', quantity: 10_000 } });
});
afterAll(() => s?.close());

async function placeOrder(quantity: number, giftCardAmount: number) {
  const cart = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'prop@example.com' } })).body;
  const total = (await guest('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: { sku: 'VASE', quantity } })).body.quote.total;
  const tenders: unknown[] = [];
  // A gift card pays part (what is left goes on the card), never all of it here.
  const onGiftCard = Math.min(giftCardAmount, total - 1);
  if (onGiftCard > 0) tenders.push({ method: 'gift_card', code: (await s.call('POST', '/v1/gift-cards', { body: { amount: onGiftCard } })).body.code });
  tenders.push({ method: 'test_card', cardNumber: '4242424242424242' });
  const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, tenders }, headers: { 'idempotency-key': `prop-${++n}` } });
  expect(r.status).toBe(201);
  return r.body as { id: string; total: number };
}

const Op = fc.oneof(
  fc.record({ kind: fc.constant('capture' as const), fraction: fc.double({ min: 0.01, max: 1.3, noNaN: true }) }),
  fc.record({ kind: fc.constant('refund' as const), fraction: fc.double({ min: 0.01, max: 1.3, noNaN: true }) }),
);

describe('payment ledger reconciliation', () => {
  it('captured − refunded always matches the ledger; over-capture and over-refund are refused with 422', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3000 }), fc.array(Op, { minLength: 1, maxLength: 8 }), async (quantity, giftCard, ops) => {
        const order = await placeOrder(quantity, giftCard);
        let captured = 0;
        let refunded = 0;
        for (const op of ops) {
          // Amounts are drawn around what is possible, so both sides of each limit get exercised.
          const room = op.kind === 'capture' ? order.total - captured : captured - refunded;
          const amount = Math.max(1, Math.round(op.fraction * Math.max(room, 1)));
          const r = await s.call('POST', `/v1/orders/${order.id}/payments/${op.kind}`, { body: op.kind === 'capture' ? { amount } : { amount, reason: 'property' } });
          if (amount <= room) {
            expect(r.status, `${op.kind} ${amount} of ${room}`).toBe(200);
            if (op.kind === 'capture') captured += amount;
            else refunded += amount;
          } else {
            expect(r.status, `${op.kind} ${amount} beyond ${room}`).toBe(422);
            expect(r.body.code).toBe(op.kind === 'capture' ? 'capture_exceeds_authorised' : 'refund_exceeds_captured');
          }
          const o = (await s.call('GET', `/v1/orders/${order.id}`)).body;
          const [sums] = (
            await s.winkel.db.execute<{ captured: number; refunded: number; voided: number }>(sql`
              select coalesce(sum(amount) filter (where kind = 'capture' and status = 'succeeded'), 0)::int as captured,
                     coalesce(sum(amount) filter (where kind = 'refund' and status = 'succeeded'), 0)::int as refunded,
                     coalesce(sum(amount) filter (where kind = 'void'), 0)::int as voided
              from payments where order_id = ${order.id}`)
          ).rows;
          expect([o.capturedTotal, o.refundedTotal]).toEqual([captured, refunded]);
          expect([sums.captured, sums.refunded]).toEqual([captured, refunded]);
          expect(o.capturedTotal - o.refundedTotal).toBeGreaterThanOrEqual(0);
          expect(o.capturedTotal).toBeLessThanOrEqual(o.total);
          // Per tender too: no tender gives back more than was taken from it.
          const perTender = (
            await s.winkel.db.execute<{ over: number }>(sql`
              select count(*)::int as over from payments a
              where a.order_id = ${order.id} and a.kind = 'authorisation'
                and (select coalesce(sum(amount), 0) from payments r where r.parent_id = a.id and r.kind = 'refund')
                  > (select coalesce(sum(amount), 0) from payments c where c.parent_id = a.id and c.kind = 'capture')`)
          ).rows[0];
          expect(perTender.over).toBe(0);
        }
      }),
      { numRuns: 25 },
    );
  }, 180_000);

  it('holds under concurrent refunds: 20 parallel refunds of 300 on 3000 captured give exactly 10 refunds', async () => {
    const order = await placeOrder(3, 0);
    await s.call('POST', `/v1/orders/${order.id}/payments/capture`, { body: { amount: 3000 } });
    const results = await Promise.all(Array.from({ length: 20 }, () => s.call('POST', `/v1/orders/${order.id}/payments/refund`, { body: { amount: 300, reason: 'race' } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 422)).toBe(true);
    const o = (await s.call('GET', `/v1/orders/${order.id}`)).body;
    expect([o.capturedTotal, o.refundedTotal]).toEqual([3000, 3000]);
  });
});
