// Usage counting that holds under concurrency: each redemption is a guarded UPDATE of a counter
// row (coupon uses, promotion redemptions and budget) plus a row in the redemption ledger, all in
// the checkout's transaction. When 50 checkouts race for a single-use code, PostgreSQL's row lock
// lets exactly one UPDATE pass its guard; the others fail with a clear reason and roll back.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { conflict, notFound, Problem } from '../../platform/errors.js';
import { emit, type Actor } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { coupons, promotions, redemptions } from './schema.js';

export interface Usage {
  promotionId: string;
  couponCode?: string | null;
  /** Cents of discount given. */
  amount: number;
}

export class PromotionUnavailable extends Problem {
  constructor(promotionId: string, reason: string, message: string) {
    super({ status: 409, code: 'promotion_unavailable', title: 'A promotion can no longer be used', detail: message, extra: { promotionId, reason } });
  }
}

/** What the engine needs to know about past use, read in one go. */
export async function usageSnapshot(db: Executor, promotionIds: string[], customerId?: string | null) {
  if (!promotionIds.length) return { totalByPromotion: {}, byCustomer: {}, budgetSpentByPromotion: {} };
  const rows = await db.select({ id: promotions.id, redemptions: promotions.redemptions, spent: promotions.spent }).from(promotions).where(sql`${promotions.id} in ${promotionIds}`);
  const mine = customerId
    ? await db.execute<{ promotion_id: string; n: number }>(sql`select promotion_id, sum(case when kind = 'redeem' then 1 else -1 end)::int as n from promotion_redemptions where customer_id = ${customerId} and promotion_id in ${promotionIds} group by 1`)
    : { rows: [] };
  return {
    totalByPromotion: Object.fromEntries(rows.map((r) => [r.id, r.redemptions])),
    budgetSpentByPromotion: Object.fromEntries(rows.map((r) => [r.id, r.spent])),
    byCustomer: Object.fromEntries(mine.rows.map((r) => [r.promotion_id, r.n])),
  };
}

/** Records the use of promotions (and coupons) by one order; throws PromotionUnavailable when a limit was reached meanwhile. */
export async function recordRedemptions(tx: Tx, actor: Actor, input: { reference: string; customerId?: string | null; usages: Usage[] }) {
  const sorted = [...input.usages].sort((a, b) => (a.promotionId < b.promotionId ? -1 : 1));
  for (const u of sorted) {
    if (u.couponCode) {
      const code = u.couponCode.toUpperCase();
      const ok = await tx.execute(sql`update coupons set used = used + 1
        where code = ${code} and promotion_id = ${u.promotionId} and (max_uses is null or used < max_uses) and (expires_at is null or expires_at > now())
        returning code`);
      if (!ok.rows.length) {
        const [c] = await tx.select().from(coupons).where(eq(coupons.code, code));
        if (!c || c.promotionId !== u.promotionId) throw new PromotionUnavailable(u.promotionId, 'coupon_unknown', `Code ${code} does not exist.`);
        if (c.expiresAt && c.expiresAt <= new Date()) throw new PromotionUnavailable(u.promotionId, 'coupon_expired', `Code ${code} expired.`);
        throw new PromotionUnavailable(u.promotionId, 'coupon_used_up', `Code ${code} has been used ${c.used} of ${c.maxUses} times.`);
      }
    }
    const [p] = await tx.select({ perCustomerLimit: promotions.perCustomerLimit }).from(promotions).where(eq(promotions.id, u.promotionId));
    if (!p) throw new PromotionUnavailable(u.promotionId, 'unknown', `Promotion ${u.promotionId} does not exist.`);
    if (p.perCustomerLimit != null && input.customerId) {
      // One customer's checkouts for one promotion take turns, so the count below cannot go stale.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`promotion:${u.promotionId}:${input.customerId}`}, 0))`);
      const [{ n }] = (await tx.execute<{ n: number }>(sql`select coalesce(sum(case when kind = 'redeem' then 1 else -1 end), 0)::int as n from promotion_redemptions where promotion_id = ${u.promotionId} and customer_id = ${input.customerId}`)).rows;
      if (n >= p.perCustomerLimit) throw new PromotionUnavailable(u.promotionId, 'customer_limit_reached', `This customer has used the promotion ${n} of ${p.perCustomerLimit} times.`);
    }
    const counted = await tx.execute<{ redemptions: number; spent: number }>(sql`update promotions set redemptions = redemptions + 1, spent = spent + ${u.amount}, updated_at = now()
      where id = ${u.promotionId} and status = 'active'
        and (total_limit is null or redemptions < total_limit)
        and (budget is null or spent + ${u.amount} <= budget)
      returning redemptions, spent`);
    if (!counted.rows.length) {
      const [q] = await tx.select().from(promotions).where(eq(promotions.id, u.promotionId));
      if (q.status !== 'active') throw new PromotionUnavailable(u.promotionId, 'not_active', `Promotion ${q.name} is ${q.status}.`);
      if (q.totalLimit != null && q.redemptions >= q.totalLimit) throw new PromotionUnavailable(u.promotionId, 'total_limit_reached', `Promotion ${q.name} has been used its ${q.totalLimit} times.`);
      throw new PromotionUnavailable(u.promotionId, 'budget_exhausted', `Promotion ${q.name} has ${(q.budget ?? 0) - q.spent} cents of budget left, not ${u.amount}.`);
    }
    const id = newId('redemption');
    await tx.insert(redemptions).values({ id, promotionId: u.promotionId, couponCode: u.couponCode?.toUpperCase() ?? null, customerId: input.customerId ?? null, reference: input.reference, amount: u.amount, kind: 'redeem' });
    await emit(tx, {
      type: 'promotion.redeemed',
      aggregateType: 'promotion',
      aggregateId: u.promotionId,
      customerId: input.customerId ?? null,
      actor,
      data: { redemptionId: id, reference: input.reference, couponCode: u.couponCode?.toUpperCase() ?? null, amount: u.amount, redemptions: counted.rows[0].redemptions, spent: Number(counted.rows[0].spent) },
    });
  }
}

/** Gives back what an order used (cancelled or fully returned): counters, coupon uses and budget. */
export async function reverseRedemptions(tx: Tx, actor: Actor, reference: string) {
  const open = await tx.execute<{ promotion_id: string; coupon_code: string | null; customer_id: string | null; amount: number }>(sql`
    select promotion_id, coupon_code, customer_id, sum(case when kind = 'redeem' then amount else -amount end)::bigint as amount
    from promotion_redemptions where reference = ${reference}
    group by 1, 2, 3 having sum(case when kind = 'redeem' then 1 else -1 end) > 0`);
  for (const r of open.rows) {
    await tx.execute(sql`update promotions set redemptions = greatest(0, redemptions - 1), spent = greatest(0, spent - ${r.amount}), updated_at = now() where id = ${r.promotion_id}`);
    if (r.coupon_code) await tx.execute(sql`update coupons set used = greatest(0, used - 1) where code = ${r.coupon_code}`);
    await tx.insert(redemptions).values({ id: newId('redemption'), promotionId: r.promotion_id, couponCode: r.coupon_code, customerId: r.customer_id, reference, amount: -Number(r.amount), kind: 'reverse' });
    await emit(tx, { type: 'promotion.redemption_reversed', aggregateType: 'promotion', aggregateId: r.promotion_id, customerId: r.customer_id, actor, data: { reference, couponCode: r.coupon_code, amount: Number(r.amount) } });
  }
  return open.rows.length;
}

// ---------------------------------------------------------------- coupon codes

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I

export function randomCode(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

export async function addCoupon(db: Db, promotionId: string, input: { code: string; maxUses?: number | null; expiresAt?: string | null }) {
  const [p] = await db.select({ id: promotions.id }).from(promotions).where(eq(promotions.id, promotionId));
  if (!p) throw notFound('promotion', promotionId);
  const code = input.code.trim().toUpperCase();
  const [c] = await db
    .insert(coupons)
    .values({ code, promotionId, maxUses: input.maxUses === undefined ? 1 : input.maxUses, expiresAt: input.expiresAt ? new Date(input.expiresAt) : null })
    .onConflictDoNothing()
    .returning();
  if (!c) throw conflict(`Code ${code} exists already.`, 'code_taken');
  return c;
}

/** A batch of unique random codes (e.g. for a mailing); collisions are regenerated. */
export async function generateCoupons(db: Db, promotionId: string, input: { count: number; prefix?: string; length?: number; maxUses?: number | null; expiresAt?: string | null }) {
  const [p] = await db.select({ id: promotions.id }).from(promotions).where(eq(promotions.id, promotionId));
  if (!p) throw notFound('promotion', promotionId);
  const batchId = newId('couponBatch');
  const prefix = (input.prefix ?? '').toUpperCase();
  const made: string[] = [];
  for (let attempt = 0; made.length < input.count && attempt < 10; attempt++) {
    const want = input.count - made.length;
    const candidates = [...new Set(Array.from({ length: want }, () => prefix + randomCode(input.length ?? 8)))];
    for (let i = 0; i < candidates.length; i += 1000) {
      const rows = await db
        .insert(coupons)
        .values(candidates.slice(i, i + 1000).map((code) => ({ code, promotionId, batchId, maxUses: input.maxUses === undefined ? 1 : input.maxUses, expiresAt: input.expiresAt ? new Date(input.expiresAt) : null })))
        .onConflictDoNothing()
        .returning({ code: coupons.code });
      made.push(...rows.map((r) => r.code));
    }
  }
  return { batchId, codes: made };
}

export async function findCoupons(db: Executor, codes: string[]) {
  if (!codes.length) return [];
  return db.select().from(coupons).where(sql`${coupons.code} in ${codes.map((c) => c.toUpperCase())}`);
}

