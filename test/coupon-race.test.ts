// A single-use coupon raced by 50 shoppers over HTTP, each with their own cart: one order gets the
// discount, the other 49 checkouts answer 409 and leave nothing behind (no
// order, no charge that is not voided, no reservation), and each of those carts can go on without
// the code. promotion-usage.test.ts races the counters themselves; this one races the whole checkout.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk = '';
let guest: ShopFront;
let dc = '';
let promotionId = '';

beforeAll(async () => {
  s = await startTestServer({ dbPoolSize: 20 });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Wool scarf' }, variants: [{ sku: 'SCARF' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'SCARF', amount: 6000 }] } });
  await s.call('POST', '/v1/stock/movements', { body: { sku: 'SCARF', locationId: dc, type: 'receipt', quantity: 100 } });
  const promo = await s.call('POST', '/v1/promotions', {
    body: { name: '€10 off, one lucky shopper', status: 'active', stacking: 'combinable', requiresCoupon: true, rule: { kind: 'amount_off_order', amount: 1000 } },
  });
  expect(promo.status).toBe(201);
  promotionId = promo.body.id;
  expect((await s.call('POST', `/v1/promotions/${promotionId}/coupons`, { body: { code: 'ONCE', maxUses: 1 } })).status).toBe(201);
});
afterAll(() => s?.close());

const shop = (method: string, path: string, body?: unknown) => guest(method, path, { body });
const count = async (query: ReturnType<typeof sql>) => (await s.winkel.db.execute<{ n: number }>(query)).rows[0].n;

describe('a single-use coupon raced by 50 checkouts', () => {
  it('is redeemed by exactly one order; the other 49 are refused and leave nothing behind', async () => {
    const carts: Array<{ id: string; total: number }> = [];
    for (let i = 0; i < 50; i++) {
      const cart = (await shop('POST', '/v1/carts', { channel: 'web', email: `shopper${i}@example.com` })).body;
      expect((await shop('POST', `/v1/carts/${cart.id}/lines`, { sku: 'SCARF', quantity: 1 })).status).toBe(200);
      const withCode = await shop('POST', `/v1/carts/${cart.id}/coupons`, { codes: ['ONCE'] });
      expect(withCode.status).toBe(200);
      // Every shopper sees the discount before the race: the code is unused until an order takes it.
      expect(withCode.body.quote.discountTotal).toBe(1000);
      carts.push({ id: cart.id, total: withCode.body.quote.total });
    }

    const results = await Promise.all(carts.map((c) => shop('POST', `/v1/carts/${c.id}/checkout`, { expectedTotal: c.total, payment: { method: 'test_card', cardNumber: '4242424242424242' } })));

    const won = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(49);
    expect(won[0].body.discountTotal).toBe(1000);
    // Which 409 a loser gets depends on when it priced its cart: before the winner committed, the
    // code still applied and recording its use is refused; after, the quote no longer has the
    // discount, so the total differs from the one the shopper saw.
    for (const r of refused) {
      if (r.body.code === 'promotion_unavailable') expect(r.body).toMatchObject({ promotionId, reason: 'coupon_used_up' });
      else expect(r.body).toMatchObject({ code: 'cart_changed', expectedTotal: carts[0].total, total: carts[0].total + 1000 });
    }

    const coupon = (await s.call('GET', `/v1/promotions/${promotionId}/coupons?limit=10`)).body.data.find((c: { code: string }) => c.code === 'ONCE');
    expect(coupon).toMatchObject({ used: 1, maxUses: 1 });
    expect(await count(sql`select count(*)::int as n from promotion_redemptions where promotion_id = ${promotionId}`)).toBe(1);

    // Nothing behind the refusals: one order, no authorisation left open but the winner's, one unit reserved.
    // (The database is this file's own, so every row counted here comes from the race.)
    expect(await count(sql`select count(*)::int as n from orders`)).toBe(1);
    // Per cart: the winner keeps its one authorisation; a loser refused while recording the code's
    // use had authorised and was voided once; a loser refused as cart_changed never reached payment.
    const payments = new Map(
      (
        await s.winkel.db.execute<{ cart_id: string; auths: number; voids: number }>(sql`
          select cart_id, count(*) filter (where kind = 'authorisation')::int as auths, count(*) filter (where kind = 'void')::int as voids
          from payments where status = 'succeeded' group by cart_id`)
      ).rows.map((p) => [p.cart_id, [p.auths, p.voids]]),
    );
    results.forEach((r, i) => {
      const expected = r.status === 201 ? [1, 0] : r.body.code === 'promotion_unavailable' ? [1, 1] : undefined;
      expect(payments.get(carts[i].id)).toEqual(expected);
    });
    expect(payments.size).toBe(1 + refused.filter((r) => r.body.code === 'promotion_unavailable').length);
    const stock = (await s.call('GET', '/v1/stock?sku=SCARF')).body.data.find((l: { locationId: string }) => l.locationId === dc);
    expect(stock).toMatchObject({ onHand: 100, reserved: 1, availableToPromise: 99 });

    // A refused shopper's cart is open again; its quote now says why the code no longer works,
    // and without the code it checks out at the full price.
    const loser = carts.find((c) => c.id !== won[0].body.cartId)!;
    const again = (await shop('GET', `/v1/carts/${loser.id}`)).body;
    expect(again.status).toBe('open');
    expect(again.quote.discountTotal).toBe(0);
    expect(again.quote.coupons[0]).toMatchObject({ code: 'ONCE', applied: false, reason: 'coupon_used_up' });
    expect((await shop('POST', `/v1/carts/${loser.id}/coupons`, { codes: [] })).status).toBe(200);
    const paid = await shop('POST', `/v1/carts/${loser.id}/checkout`, { expectedTotal: loser.total + 1000, payment: { method: 'test_card', cardNumber: '4242424242424242' } });
    expect(paid.status).toBe(201);
    expect(paid.body.discountTotal).toBe(0);
    expect(paid.body.total).toBe(loser.total + 1000);
  });
});
