import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePromotions, priceCart } from './engine.js';
import type { CartLine, Channel, CouponInfo, PricedCart, PricingContext, Promotion, Rule, Target } from './types.js';

// Small id pools so random carts and random promotions actually meet.
const SKUS = ['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'];
const PRODUCTS = ['P0', 'P1', 'P2', 'P3'];
const CATEGORIES = ['C0', 'C1', 'C2', 'C3'];
const CHANNELS: Channel[] = ['web', 'app', 'pos', 'kiosk', 'scan_go'];
const NOW = new Date('2025-06-15T12:00:00Z');
const DAY = 86_400_000;

const cartArb: fc.Arbitrary<CartLine[]> = fc
  .array(
    fc.record({
      sku: fc.constantFrom(...SKUS),
      productId: fc.constantFrom(...PRODUCTS),
      categoryIds: fc.subarray(CATEGORIES, { maxLength: 2 }),
      unitPrice: fc.integer({ min: 1, max: 100_000 }),
      quantity: fc.integer({ min: 1, max: 10 }),
    }),
    { minLength: 1, maxLength: 20 },
  )
  .map((ls) => ls.map((l, i) => ({ lineId: `L${String(i).padStart(2, '0')}`, ...l })));

const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.constant<Target>({ all: true }),
  fc.record({ skus: fc.subarray(SKUS, { minLength: 1, maxLength: 3 }) }),
  fc.record({ productIds: fc.subarray(PRODUCTS, { minLength: 1, maxLength: 2 }) }),
  fc.record({ categoryIds: fc.subarray(CATEGORIES, { minLength: 1, maxLength: 2 }) }),
);

const percentArb = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10_000 }).map((bp) => bp / 100));
const centsArb = fc.integer({ min: 1, max: 50_000 });

const ruleArb: fc.Arbitrary<Rule> = fc.oneof(
  percentArb.map((percent): Rule => ({ kind: 'percent_off_items', percent })),
  centsArb.map((amountPerUnit): Rule => ({ kind: 'amount_off_items', amountPerUnit })),
  fc.record({ percent: percentArb, minSubtotal: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }) }).map((r): Rule => ({ kind: 'percent_off_order', ...r })),
  fc.record({ amount: centsArb, minSubtotal: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }) }).map((r): Rule => ({ kind: 'amount_off_order', ...r })),
  fc.record({ minSubtotal: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }) }).map((r): Rule => ({ kind: 'free_shipping', ...r })),
  fc
    .record({ buy: fc.integer({ min: 1, max: 3 }), get: fc.integer({ min: 1, max: 2 }), getPercentOff: fc.oneof(fc.constant(100), percentArb), getTarget: fc.option(targetArb, { nil: undefined }) })
    .map((r): Rule => ({ kind: 'buy_x_get_y', ...r })),
  fc
    .integer({ min: 2, max: 5 })
    .chain((quantity) =>
      fc.oneof(
        fc.integer({ min: 1, max: quantity - 1 }).map((payFor): Rule => ({ kind: 'multi_buy', quantity, payFor })),
        fc.integer({ min: 0, max: 200_000 }).map((forPrice): Rule => ({ kind: 'multi_buy', quantity, forPrice })),
      ),
    ),
  fc
    .record({
      components: fc.array(fc.record({ target: targetArb, quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 }),
      bundlePrice: fc.integer({ min: 0, max: 200_000 }),
    })
    .map((r): Rule => ({ kind: 'bundle', ...r })),
);

/** Mostly absent, so that most random promotions can apply. */
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });

/** A promotion without its id (ids are given by position, so sets never clash). */
const promotionArb = fc.record({
  priority: fc.integer({ min: 0, max: 5 }),
  stacking: fc.constantFrom<Promotion['stacking']>('exclusive', 'combinable', 'combinable'),
  status: fc.constantFrom<Promotion['status']>('active', 'active', 'active', 'active', 'draft'),
  target: targetArb,
  rule: ruleArb,
  startsAt: maybe(fc.integer({ min: -30, max: 30 }).map((d) => new Date(NOW.getTime() + d * DAY))),
  endsAt: maybe(fc.integer({ min: 31, max: 60 }).map((d) => new Date(NOW.getTime() + d * DAY - 45 * DAY))),
  channels: maybe(fc.subarray(CHANNELS, { minLength: 1 })),
  memberOnly: maybe(fc.boolean()),
  customerGroups: maybe(fc.subarray(['silver', 'gold'], { minLength: 1 })),
  requiresCoupon: maybe(fc.boolean()),
  limits: maybe(
    fc.record({
      total: maybe(fc.integer({ min: 0, max: 5 })),
      perCustomer: maybe(fc.integer({ min: 0, max: 2 })),
      budget: maybe(fc.integer({ min: 0, max: 20_000 })),
    }),
  ),
});

type PromotionSpec = Omit<Promotion, 'id' | 'name'>;

function withIds(specs: PromotionSpec[], prefix = 'PR'): Promotion[] {
  return specs.map((s, i) => {
    const p: Promotion = { id: `${prefix}${i}`, name: `Promotion ${prefix}${i}`, ...s };
    // fast-check's option() leaves keys present with undefined; the engine accepts that, but keep them clean.
    for (const k of Object.keys(p) as (keyof Promotion)[]) if (p[k] === undefined) delete p[k];
    return p;
  });
}

const ctxArb: fc.Arbitrary<PricingContext> = fc
  .record({
    channel: fc.constantFrom(...CHANNELS),
    isMember: fc.boolean(),
    customerGroups: fc.subarray(['silver', 'gold']),
    customerId: maybe(fc.constant('cus_1')),
    shippingCost: fc.integer({ min: 0, max: 1_000 }),
    coupons: fc.array(
      fc.record({
        promotion: fc.integer({ min: 0, max: 9 }),
        maxUses: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        used: fc.integer({ min: 0, max: 3 }),
        expired: fc.boolean(),
        entered: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    usage: fc.array(fc.record({ promotion: fc.integer({ min: 0, max: 9 }), total: fc.nat(6), mine: fc.nat(2), spent: fc.nat(25_000) }), { maxLength: 6 }),
  })
  .map((r) => {
    const coupons: Record<string, CouponInfo> = {};
    const couponCodes: string[] = [];
    r.coupons.forEach((c, i) => {
      const code = `CODE${i}`;
      coupons[code] = { promotionId: `PR${c.promotion}`, code, maxUses: c.maxUses, used: c.used, ...(c.expired ? { expiresAt: new Date(NOW.getTime() - DAY) } : {}) };
      if (c.entered) couponCodes.push(code);
    });
    couponCodes.push('UNKNOWN');
    const usage: PricingContext['usage'] = { totalByPromotion: {}, byCustomer: {}, budgetSpentByPromotion: {} };
    for (const u of r.usage) {
      usage.totalByPromotion[`PR${u.promotion}`] = u.total;
      usage.byCustomer[`PR${u.promotion}`] = u.mine;
      usage.budgetSpentByPromotion[`PR${u.promotion}`] = u.spent;
    }
    return {
      now: NOW,
      channel: r.channel,
      isMember: r.isMember,
      customerGroups: r.customerGroups,
      ...(r.customerId ? { customerId: r.customerId } : {}),
      shippingCost: r.shippingCost,
      couponCodes,
      coupons,
      usage,
    };
  });

const promotionsArb = fc.array(promotionArb, { minLength: 0, maxLength: 10 }).map((s) => withIds(s));

/** Every number in the priced cart, except the explanations' params (they also hold percentages such as 12.5). */
function allNumbers(x: unknown, out: number[] = []): number[] {
  if (typeof x === 'number') out.push(x);
  else if (Array.isArray(x)) for (const v of x) allNumbers(v, out);
  else if (x && typeof x === 'object' && !(x instanceof Date)) for (const [k, v] of Object.entries(x)) if (k !== 'params') allNumbers(v, out);
  return out;
}

// PROPERTY_RUNS=20000 for a longer hunt.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);

describe('promotion engine properties', () => {
  it('no line total, shipping total or order total is ever negative', () => {
    fc.assert(
      fc.property(cartArb, promotionsArb, ctxArb, (lines, promotions, ctx) => {
        const cart = priceCart(lines, promotions, ctx);
        for (const l of cart.lines) {
          expect(l.total).toBeGreaterThanOrEqual(0);
          expect(l.total).toBeLessThanOrEqual(l.subtotal);
          for (const a of l.adjustments) expect(a.amount).toBeLessThan(0);
        }
        expect(cart.shipping.total).toBeGreaterThanOrEqual(0);
        expect(cart.total).toBeGreaterThanOrEqual(0);
        expect(cart.total).toBeLessThanOrEqual(cart.subtotal + cart.shipping.cost);
      }),
      { numRuns: RUNS },
    );
  });

  it('adding a promotion never raises the total', () => {
    fc.assert(
      fc.property(cartArb, promotionsArb, promotionArb, ctxArb, (lines, promotions, extraSpec, ctx) => {
        const [extra] = withIds([extraSpec], 'EXTRA');
        const without = priceCart(lines, promotions, ctx);
        const withIt = priceCart(lines, [...promotions, extra], ctx);
        expect(withIt.total).toBeLessThanOrEqual(without.total);
      }),
      { numRuns: RUNS },
    );
  });

  it('pricing the same cart twice, or with lines and promotions shuffled, gives the same result', () => {
    fc.assert(
      fc.property(cartArb, promotionsArb, ctxArb, fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 40, maxLength: 40 }), (lines, promotions, ctx, keys) => {
        const shuffle = <T>(xs: T[]) => xs.map((x, i) => [keys[i % keys.length] + i * 1e-9, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
        const compiled = compilePromotions(promotions);
        const one = priceCart(lines, compiled, ctx);
        const again = priceCart(lines, compiled, ctx);
        expect(again).toEqual(one);
        const shuffled = priceCart(shuffle(lines), shuffle(promotions), { ...ctx, couponCodes: shuffle(ctx.couponCodes) });
        const byLine = (c: PricedCart) => Object.fromEntries(c.lines.map((l) => [l.lineId, l]));
        expect(byLine(shuffled)).toEqual(byLine(one));
        expect({ ...shuffled, lines: null }).toEqual({ ...one, lines: null });
      }),
      { numRuns: RUNS },
    );
  });

  it('order discounts allocated onto lines sum exactly to the order discount, and the receipt adds up', () => {
    fc.assert(
      fc.property(cartArb, promotionsArb, ctxArb, (lines, promotions, ctx) => {
        const cart = priceCart(lines, promotions, ctx);
        let orderTotal = 0;
        for (const o of cart.orderAdjustments) {
          const shares = cart.lines.flatMap((l) => l.adjustments.filter((a) => a.level === 'order' && a.promotionId === o.promotionId));
          expect(shares.reduce((s, a) => s + a.amount, 0)).toBe(o.amount);
          orderTotal -= o.amount;
        }
        expect(orderTotal).toBe(cart.orderDiscountTotal);
        for (const l of cart.lines) expect(l.total).toBe(l.subtotal + l.adjustments.reduce((s, a) => s + a.amount, 0));
        expect(cart.total).toBe(cart.lines.reduce((s, l) => s + l.total, 0) + cart.shipping.total);
        expect(cart.total).toBe(cart.subtotal + cart.shipping.cost - cart.discountTotal);
        expect(cart.applied.reduce((s, a) => s + a.amount, 0)).toBe(cart.discountTotal);
        expect(cart.usage.redemptions.map((r) => r.amount)).toEqual(cart.applied.map((a) => a.amount));
      }),
      { numRuns: RUNS },
    );
  });

  it('every amount is a whole number of cents', () => {
    fc.assert(
      fc.property(cartArb, promotionsArb, ctxArb, (lines, promotions, ctx) => {
        const cart = priceCart(lines, promotions, ctx);
        for (const n of allNumbers(cart)) expect(Number.isSafeInteger(n)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('every active promotion that touches the cart is either applied or explained, never both', () => {
    fc.assert(
      fc.property(cartArb, promotionsArb, ctxArb, (lines, promotions, ctx) => {
        const cart = priceCart(lines, promotions, ctx);
        const applied = new Set(cart.applied.map((a) => a.promotionId));
        for (const n of cart.notApplied) {
          expect(applied.has(n.promotionId)).toBe(false);
          expect(n.message.length).toBeGreaterThan(0);
        }
        const explained = new Set([...applied, ...cart.notApplied.map((n) => n.promotionId)]);
        const invalid = new Set(compilePromotions(promotions).invalid.map((x) => x.promotionId));
        for (const p of promotions) {
          if (p.status !== 'active' || invalid.has(p.id)) continue;
          const touches = lines.some((l) => {
            const targets = p.rule.kind === 'bundle' ? p.rule.components.map((c) => c.target) : [p.target!, ...(p.rule.kind === 'buy_x_get_y' && p.rule.getTarget ? [p.rule.getTarget] : [])];
            return targets.some((t) => t.all || t.skus?.includes(l.sku) || t.productIds?.includes(l.productId) || t.categoryIds?.some((c) => l.categoryIds.includes(c)));
          });
          if (touches) expect(explained.has(p.id)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
