// Usage limits and budgets hold under concurrency: real parallel connections race for a
// single-use code, a total limit, a budget and a per-customer limit.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db.js';
import { promotions } from '../src/modules/promotions/schema.js';
import { addCoupon, generateCoupons, recordRedemptions, reverseRedemptions, usageSnapshot } from '../src/modules/promotions/usage.js';
import { useTestDatabase } from './helpers/db.js';

let db: Db;
const actor = { type: 'system' as const, label: 'test' };

useTestDatabase(30, (t) => (db = t.db));

async function promotion(id: string, extra: Partial<typeof promotions.$inferInsert> = {}) {
  await db.insert(promotions).values({ id, name: id, status: 'active', definition: {}, ...extra });
}

const race = (n: number, fn: (i: number) => Promise<unknown>) => Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));

describe('redemptions under concurrency', () => {
  it('redeems a single-use code exactly once when 50 checkouts race for it', async () => {
    await promotion('pro_single');
    await addCoupon(db, 'pro_single', { code: 'welcome10', maxUses: 1 });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => db.transaction((tx) => recordRedemptions(tx, actor, { reference: `ord_${i}`, usages: [{ promotionId: 'pro_single', couponCode: 'WELCOME10', amount: 1000 }] }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reasons = new Set(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as { extra: { reason: string } }).extra.reason));
    expect([...reasons]).toEqual(['coupon_used_up']);
    const [{ used }] = (await db.execute<{ used: number }>(sql`select used from coupons where code = 'WELCOME10'`)).rows;
    expect(used).toBe(1);
    const [{ n }] = (await db.execute<{ n: number }>(sql`select count(*)::int as n from promotion_redemptions where promotion_id = 'pro_single'`)).rows;
    expect(n).toBe(1);
  });

  it('stops at the total limit and at the budget, exactly', async () => {
    await promotion('pro_limit', { totalLimit: 7 });
    await promotion('pro_budget', { budget: 10_000 });
    await race(40, (i) => db.transaction((tx) => recordRedemptions(tx, actor, { reference: `o_l_${i}`, usages: [{ promotionId: 'pro_limit', amount: 100 }] })));
    await race(40, (i) => db.transaction((tx) => recordRedemptions(tx, actor, { reference: `o_b_${i}`, usages: [{ promotionId: 'pro_budget', amount: 300 }] })));
    const rows = Object.fromEntries((await db.select().from(promotions)).map((p) => [p.id, p]));
    expect(rows.pro_limit.redemptions).toBe(7);
    expect(rows.pro_budget.spent).toBe(9_900);
    expect(rows.pro_budget.redemptions).toBe(33);
  });

  it('keeps a per-customer limit across parallel checkouts of one customer', async () => {
    await promotion('pro_once', { perCustomerLimit: 2 });
    const results = await race(20, (i) => db.transaction((tx) => recordRedemptions(tx, actor, { reference: `o_c_${i}`, customerId: 'cus_1', usages: [{ promotionId: 'pro_once', amount: 50 }] })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect((await usageSnapshot(db, ['pro_once'], 'cus_1')).byCustomer).toEqual({ pro_once: 2 });
  });

  it('gives uses and budget back when an order is cancelled', async () => {
    await promotion('pro_back', { totalLimit: 1, budget: 500 });
    await addCoupon(db, 'pro_back', { code: 'BACK', maxUses: 1 });
    await db.transaction((tx) => recordRedemptions(tx, actor, { reference: 'ord_x', usages: [{ promotionId: 'pro_back', couponCode: 'back', amount: 500 }] }));
    expect(await db.transaction((tx) => reverseRedemptions(tx, actor, 'ord_x'))).toBe(1);
    expect(await db.transaction((tx) => reverseRedemptions(tx, actor, 'ord_x'))).toBe(0);
    await db.transaction((tx) => recordRedemptions(tx, actor, { reference: 'ord_y', usages: [{ promotionId: 'pro_back', couponCode: 'BACK', amount: 500 }] }));
    const snap = await usageSnapshot(db, ['pro_back']);
    expect(snap.totalByPromotion).toEqual({ pro_back: 1 });
  });

  it('generates batches of unique codes without look-alike characters', async () => {
    await promotion('pro_batch');
    const { codes } = await generateCoupons(db, 'pro_batch', { count: 2000, prefix: 'xmas-', length: 6 });
    expect(codes).toHaveLength(2000);
    expect(new Set(codes).size).toBe(2000);
    expect(codes.every((c) => /^XMAS-[A-HJ-NP-Z2-9]{6}$/.test(c))).toBe(true);
  });
});
