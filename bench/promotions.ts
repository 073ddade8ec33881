// Promotions: pricing a 20-line cart against 1,000 active promotions, in process; reference: the
// same cart priced with no promotions at all, in the same run.
import { compilePromotions, priceCart } from '../src/modules/promotions/index.js';
import type { CartLine, PricingContext, Promotion, Rule } from '../src/modules/promotions/index.js';
import type { Benchmark } from './lib/bench.js';
import type { Section } from './lib/results.js';
import { percentile } from './lib/stats.js';

const COMMAND = 'npm run bench -- promotions';

/** A small deterministic generator, so every run prices the same promotions. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeWorkload(promotionCount = 1000, lineCount = 20) {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const skus = Array.from({ length: 4000 }, (_, i) => `SKU${i}`);
  const categories = Array.from({ length: 60 }, (_, i) => `cat_${i}`);
  const rules: Array<() => Rule> = [
    () => ({ kind: 'percent_off_items', percent: pick([5, 10, 15, 20, 25, 30]) }),
    () => ({ kind: 'amount_off_items', amountPerUnit: pick([50, 100, 200]) }),
    () => ({ kind: 'multi_buy', quantity: 3, payFor: 2 }),
    () => ({ kind: 'multi_buy', quantity: 3, forPrice: 1000 }),
    () => ({ kind: 'buy_x_get_y', buy: 1, get: 1, getPercentOff: 50 }),
    () => ({ kind: 'amount_off_order', amount: 1000, minSubtotal: 5000 }),
    () => ({ kind: 'percent_off_order', percent: 10, minSubtotal: 10000 }),
    () => ({ kind: 'free_shipping', minSubtotal: 3000 }),
  ];
  const promotions: Promotion[] = Array.from({ length: promotionCount }, (_, i) => {
    const rule = pick(rules)();
    const orderLevel = rule.kind === 'amount_off_order' || rule.kind === 'percent_off_order' || rule.kind === 'free_shipping';
    return {
      id: `pro_${String(i).padStart(5, '0')}`,
      name: `Promotion ${i}`,
      status: 'active',
      priority: Math.floor(r() * 100),
      stacking: r() < 0.2 ? 'exclusive' : 'combinable',
      channels: r() < 0.3 ? ['web'] : undefined,
      target: orderLevel ? undefined : r() < 0.5 ? { categoryIds: [pick(categories)] } : { skus: Array.from({ length: 1 + Math.floor(r() * 20) }, () => pick(skus)) },
      rule,
    } as Promotion;
  });
  const lines: CartLine[] = Array.from({ length: lineCount }, (_, i) => ({
    lineId: `line_${String(i).padStart(2, '0')}`,
    sku: pick(skus),
    productId: `prd_${i}`,
    categoryIds: [pick(categories)],
    unitPrice: 100 + Math.floor(r() * 5000),
    quantity: 1 + Math.floor(r() * 4),
  }));
  const ctx: PricingContext = { now: new Date(), channel: 'web', customerGroups: [], isMember: false, couponCodes: [], shippingCost: 495, usage: { totalByPromotion: {}, byCustomer: {}, budgetSpentByPromotion: {} }, coupons: {} };
  return { promotions, lines, ctx };
}

function timeRuns(n: number, fn: () => void) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function promotionsBench(): Promise<Section> {
  const { promotions, lines, ctx } = makeWorkload();
  const compileStart = performance.now();
  const compiled = compilePromotions(promotions);
  const compileMs = performance.now() - compileStart;
  const none = compilePromotions([]);
  const sample = priceCart(lines, compiled, ctx);
  // Warm up the JIT, then measure.
  timeRuns(500, () => priceCart(lines, compiled, ctx));
  timeRuns(500, () => priceCart(lines, none, ctx));
  const runs = 5000;
  const withPromos = timeRuns(runs, () => priceCart(lines, compiled, ctx));
  const bare = timeRuns(runs, () => priceCart(lines, none, ctx));
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const median = round(percentile(withPromos, 50));
  const p99 = round(percentile(withPromos, 99));
  const refMedian = round(percentile(bare, 50));
  const date = new Date().toISOString();
  return {
    title: 'Promotions',
    intro: `A 20-line cart priced by the promotion engine against 1,000 active promotions (random rules over 60 categories and 4,000 SKUs: percent and amount off, 3 for 2, 3 for €10, second at half price, spend thresholds, free shipping; a fifth exclusive), ${runs.toLocaleString('en-US')} times after a warm-up, in process. Reference: the same cart priced with no promotions. This cart met ${sample.applied.length} applicable and ${sample.notApplied.length} not-applicable candidates. Compiling the 1,000 promotions (done once per change) took ${round(compileMs)} ms.`,
    figures: {
      'promotions.price_cart_median': { value: median, unit: 'ms', reference: refMedian, referenceLabel: 'ms without promotions', ratio: round(median / refMedian), goal: 'median < 1 ms', met: median < 1, command: COMMAND, date, detail: `p90 ${round(percentile(withPromos, 90))} ms` },
      'promotions.price_cart_p99': { value: p99, unit: 'ms', reference: round(percentile(bare, 99)), referenceLabel: 'ms without promotions', ratio: round(p99 / percentile(bare, 99)), goal: 'p99 < 5 ms', met: p99 < 5, command: COMMAND, date, detail: `max ${round(withPromos[withPromos.length - 1])} ms` },
    },
  };
}

export const promotions: Benchmark = { name: 'promotions', summary: 'pricing a 20-line cart against 1,000 promotions, in process', run: promotionsBench };
