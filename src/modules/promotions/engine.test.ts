import { describe, expect, it } from 'vitest';
import { compilePromotions, priceCart, validatePromotion } from './engine.js';
import { allocateLargestRemainder, mulDivRound } from './money.js';
import type { CartLine, PricedCart, PricingContext, Promotion } from './types.js';

// ---------------------------------------------------------------- helpers

const NOW = new Date('2025-06-15T12:00:00Z');

function line(lineId: string, sku: string, unitPrice: number, quantity = 1, categoryIds: string[] = []): CartLine {
  return { lineId, sku, productId: `prod_${sku}`, categoryIds, unitPrice, quantity };
}

function ctx(over: Partial<PricingContext> = {}): PricingContext {
  return {
    now: NOW,
    channel: 'web',
    customerGroups: [],
    isMember: false,
    couponCodes: [],
    shippingCost: 0,
    usage: { totalByPromotion: {}, byCustomer: {}, budgetSpentByPromotion: {} },
    coupons: {},
    ...over,
  };
}

function promo(over: Partial<Promotion> & Pick<Promotion, 'id' | 'rule'>): Promotion {
  return { name: over.id, status: 'active', priority: 0, stacking: 'combinable', ...over };
}

const mugs: Promotion['target'] = { categoryIds: ['mugs'] };

function line_(cart: PricedCart, lineId: string) {
  const l = cart.lines.find((x) => x.lineId === lineId);
  if (!l) throw new Error(`no line ${lineId}`);
  return l;
}

function why(cart: PricedCart, promotionId: string) {
  const n = cart.notApplied.find((x) => x.promotionId === promotionId);
  if (!n) throw new Error(`${promotionId} is not in notApplied: ${JSON.stringify(cart.applied)}`);
  return n;
}

/** Totals add up the way the receipt shows them. */
function expectConsistent(cart: PricedCart) {
  const lines = cart.lines.reduce((s, l) => s + l.total, 0);
  expect(cart.total).toBe(lines + cart.shipping.total);
  expect(cart.total).toBe(cart.subtotal + cart.shipping.cost - cart.discountTotal);
  for (const l of cart.lines) expect(l.total).toBe(l.subtotal + l.adjustments.reduce((s, a) => s + a.amount, 0));
  for (const o of cart.orderAdjustments) {
    const shares = cart.lines.flatMap((l) => l.adjustments.filter((a) => a.level === 'order' && a.promotionId === o.promotionId));
    expect(shares.reduce((s, a) => s + a.amount, 0)).toBe(o.amount);
  }
  expect(cart.applied.reduce((s, a) => s + a.amount, 0)).toBe(cart.discountTotal);
}

// ---------------------------------------------------------------- rule kinds

describe('item discounts', () => {
  it('20% off mugs takes 20% off every mug line and leaves other lines alone', () => {
    const cart = priceCart(
      [line('l1', 'MUG-RED', 1250, 2, ['mugs']), line('l2', 'PLATE', 900, 1, ['plates'])],
      [promo({ id: 'pct', target: mugs, rule: { kind: 'percent_off_items', percent: 20 } })],
      ctx(),
    );
    expect(line_(cart, 'l1').total).toBe(2000);
    expect(line_(cart, 'l1').adjustments).toEqual([{ promotionId: 'pct', name: 'pct', level: 'item', amount: -500, description: '20% off' }]);
    expect(line_(cart, 'l2').total).toBe(900);
    expect(cart.total).toBe(2900);
    expectConsistent(cart);
  });

  it('a percentage rounds half away from zero to the cent (10% of €10.05 is €1.01)', () => {
    const cart = priceCart([line('l1', 'A', 1005)], [promo({ id: 'p', target: { all: true }, rule: { kind: 'percent_off_items', percent: 10 } })], ctx());
    expect(cart.discountTotal).toBe(101);
    expect(mulDivRound(1005, 1000, 10000)).toBe(101);
    expect(mulDivRound(1004, 1000, 10000)).toBe(100);
  });

  it('€1 off each unit, but never below zero', () => {
    const cart = priceCart(
      [line('l1', 'A', 300, 3), line('l2', 'B', 50, 2)],
      [promo({ id: 'amt', target: { skus: ['A', 'B'] }, rule: { kind: 'amount_off_items', amountPerUnit: 100 } })],
      ctx(),
    );
    expect(line_(cart, 'l1').total).toBe(600);
    expect(line_(cart, 'l2').total).toBe(0);
    expect(cart.discountTotal).toBe(400);
    expectConsistent(cart);
  });
});

describe('multi-buy', () => {
  it('3 for 2 on mugs charges the cheapest free', () => {
    const cart = priceCart(
      [line('l1', 'MUG-BIG', 1500, 1, ['mugs']), line('l2', 'MUG-SMALL', 800, 1, ['mugs']), line('l3', 'MUG-MID', 1000, 1, ['mugs'])],
      [promo({ id: '3for2', name: '3 for 2 on mugs', target: mugs, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } })],
      ctx(),
    );
    expect(line_(cart, 'l2').total).toBe(0);
    expect(line_(cart, 'l2').adjustments[0].description).toBe('3 for 2: 1 free');
    expect(line_(cart, 'l1').total).toBe(1500);
    expect(line_(cart, 'l3').total).toBe(1000);
    expect(cart.applied).toEqual([{ promotionId: '3for2', name: '3 for 2 on mugs', amount: 800 }]);
  });

  it('3 for 2 with six mugs gives the two cheapest free, and counts units within a line', () => {
    const cart = priceCart(
      [line('l1', 'MUG-A', 1000, 4, ['mugs']), line('l2', 'MUG-B', 600, 2, ['mugs'])],
      [promo({ id: '3for2', target: mugs, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } })],
      ctx(),
    );
    expect(line_(cart, 'l2').total).toBe(0);
    expect(cart.discountTotal).toBe(1200);
  });

  it('3 for 2 with two mugs says one more is needed', () => {
    const cart = priceCart(
      [line('l1', 'MUG', 1000, 2, ['mugs'])],
      [promo({ id: '3for2', target: mugs, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } })],
      ctx(),
    );
    expect(why(cart, '3for2')).toMatchObject({ reason: 'needs_more_items', message: 'Add 1 more item to get 3 for 2.', lineIds: ['l1'] });
    expect(cart.total).toBe(2000);
  });

  it('3 for €10 charges €10 for the three most expensive and spreads the saving exactly', () => {
    const cart = priceCart(
      [line('l1', 'WINE-A', 499, 1, ['wine']), line('l2', 'WINE-B', 399, 2, ['wine']), line('l3', 'WINE-C', 150, 1, ['wine'])],
      [promo({ id: '3for10', target: { categoryIds: ['wine'] }, rule: { kind: 'multi_buy', quantity: 3, forPrice: 1000 } })],
      ctx(),
    );
    // group: 499 + 399 + 399 = 1297 → saving 297; the 150 wine stays at full price.
    expect(cart.discountTotal).toBe(297);
    expect(line_(cart, 'l1').total + line_(cart, 'l2').total).toBe(1000);
    expect(line_(cart, 'l3').total).toBe(150);
    expectConsistent(cart);
  });

  it('2 for €5 on seven units of one line: three groups, the seventh at full price', () => {
    const cart = priceCart([line('l1', 'SOAP', 300, 7)], [promo({ id: '2for5', target: { skus: ['SOAP'] }, rule: { kind: 'multi_buy', quantity: 2, forPrice: 500 } })], ctx());
    expect(cart.discountTotal).toBe(300);
    expect(cart.total).toBe(3 * 500 + 300);
  });

  it('a deal after a percentage on the same items gives the proportional saving, never more', () => {
    const cart = priceCart(
      [line('l1', 'MUG', 1000, 3, ['mugs'])],
      [
        promo({ id: 'half', priority: 2, target: mugs, rule: { kind: 'percent_off_items', percent: 50 } }),
        promo({ id: '3for2', priority: 1, target: mugs, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } }),
      ],
      ctx(),
    );
    // 3000 → 1500 after 50%; the 3 for 2 planned 1000 at shelf price and gives 1000 × 1500/3000
    expect(cart.lines[0].adjustments.map((a) => a.amount)).toEqual([-1500, -500]);
    expect(cart.total).toBe(1000);
  });

  it('3 for €10 on items that already cost less than €10 saves nothing and says so', () => {
    const cart = priceCart(
      [line('l1', 'GUM', 100, 3, ['sweets'])],
      [promo({ id: '3for10', target: { categoryIds: ['sweets'] }, rule: { kind: 'multi_buy', quantity: 3, forPrice: 1000 } })],
      ctx(),
    );
    expect(why(cart, '3for10')).toMatchObject({ reason: 'no_saving', message: 'These items already cost less than 3 for €10.00.' });
  });
});

describe('buy X get Y', () => {
  it('buy 2 get 1 free discounts the cheapest of the group', () => {
    const cart = priceCart(
      [line('l1', 'SOCK-A', 700, 2, ['socks']), line('l2', 'SOCK-B', 500, 1, ['socks'])],
      [promo({ id: 'b2g1', target: { categoryIds: ['socks'] }, rule: { kind: 'buy_x_get_y', buy: 2, get: 1, getPercentOff: 100 } })],
      ctx(),
    );
    expect(line_(cart, 'l2').total).toBe(0);
    expect(line_(cart, 'l2').adjustments[0].description).toBe('buy 2, get 1 free: 1 free');
    expect(cart.total).toBe(1400);
  });

  it('second at half price (buy 1 get 1 at 50% off)', () => {
    const cart = priceCart(
      [line('l1', 'SHIRT-A', 2999, 1), line('l2', 'SHIRT-B', 1999, 1)],
      [promo({ id: 'half', target: { skus: ['SHIRT-A', 'SHIRT-B'] }, rule: { kind: 'buy_x_get_y', buy: 1, get: 1, getPercentOff: 50 } })],
      ctx(),
    );
    // 50% of 19.99 = 9.995 → €10.00 (half away from zero)
    expect(line_(cart, 'l2').total).toBe(999);
    expect(line_(cart, 'l1').total).toBe(2999);
  });

  it('buy 2 shirts get a tie free: the tie comes from its own target', () => {
    const promotions = [promo({ id: 'tie', target: { categoryIds: ['shirts'] }, rule: { kind: 'buy_x_get_y', buy: 2, get: 1, getPercentOff: 100, getTarget: { categoryIds: ['ties'] } } })];
    const full = priceCart([line('l1', 'SHIRT', 3000, 2, ['shirts']), line('l2', 'TIE', 1500, 1, ['ties'])], promotions, ctx());
    expect(line_(full, 'l2').total).toBe(0);
    expect(line_(full, 'l1').total).toBe(6000);

    const noTie = priceCart([line('l1', 'SHIRT', 3000, 2, ['shirts'])], promotions, ctx());
    expect(why(noTie, 'tie')).toMatchObject({ reason: 'needs_more_items', message: 'Add 1 more offer item to get buy 2, get 1 free.' });

    const oneShirt = priceCart([line('l1', 'SHIRT', 3000, 1, ['shirts']), line('l2', 'TIE', 1500, 1, ['ties'])], promotions, ctx());
    expect(why(oneShirt, 'tie')).toMatchObject({ reason: 'needs_more_items', message: 'Add 1 more item to get buy 2, get 1 free.' });
  });
});

describe('bundles', () => {
  const bundle = promo({
    id: 'bundle',
    name: 'Breakfast set',
    rule: {
      kind: 'bundle',
      bundlePrice: 2500,
      components: [
        { target: { categoryIds: ['mugs'] }, quantity: 2, label: 'mug' },
        { target: { categoryIds: ['plates'] }, quantity: 1, label: 'plate' },
      ],
    },
  });

  it('2 mugs + a plate for €25 charges exactly €25 for the set', () => {
    const cart = priceCart(
      [line('l1', 'MUG', 1200, 3, ['mugs']), line('l2', 'PLATE', 1100, 1, ['plates'])],
      [bundle],
      ctx(),
    );
    // set value 1200·2 + 1100 = 3500 → saving 1000, spread 2400:1100 → 686 + 314
    expect(cart.discountTotal).toBe(1000);
    expect(line_(cart, 'l1').adjustments[0].amount).toBe(-686);
    expect(line_(cart, 'l2').adjustments[0].amount).toBe(-314);
    expect(line_(cart, 'l1').adjustments[0].description).toBe('2 × mug + plate for €25.00');
    expectConsistent(cart);
  });

  it('an incomplete set says what is missing', () => {
    const cart = priceCart([line('l1', 'MUG', 1200, 1, ['mugs'])], [bundle], ctx());
    expect(why(cart, 'bundle')).toMatchObject({ reason: 'needs_more_items', message: 'Add 1 more mug and 1 more plate to get 2 × mug + plate for €25.00.' });
  });
});

describe('order discounts', () => {
  const spend50 = promo({ id: 'spend50', name: 'Spend €50 get €10', rule: { kind: 'amount_off_order', amount: 1000, minSubtotal: 5000 } });

  it('spend €50 get €10 explains how much more to spend', () => {
    const cart = priceCart([line('l1', 'A', 3750)], [spend50], ctx());
    expect(why(cart, 'spend50')).toMatchObject({ reason: 'below_min_subtotal', message: 'Spend €12.50 more to get €10.00 off your order.' });
    expect(cart.total).toBe(3750);
  });

  it('spend €50 get €10 allocates the €10 over the lines so the shares sum exactly', () => {
    const cart = priceCart([line('l1', 'A', 2000), line('l2', 'B', 2000), line('l3', 'C', 2000)], [spend50], ctx());
    const shares = cart.lines.map((l) => l.adjustments[0].amount);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(-1000);
    expect(shares).toEqual([-334, -333, -333]); // the leftover cent goes to the first line (tie on remainders)
    expect(cart.orderAdjustments).toEqual([{ promotionId: 'spend50', name: 'Spend €50 get €10', amount: -1000, description: '€10.00 off your order' }]);
    expect(cart.lines[0].adjustments[0].level).toBe('order');
    expect(cart.total).toBe(5000);
    expectConsistent(cart);
  });

  it('the spend threshold counts shelf prices, so an item discount does not take it away', () => {
    const cart = priceCart(
      [line('l1', 'A', 5000)],
      [promo({ id: 'pct', target: { skus: ['A'] }, rule: { kind: 'percent_off_items', percent: 10 } }), spend50],
      ctx(),
    );
    expect(cart.total).toBe(5000 - 500 - 1000);
  });

  it('an order percentage applies to what is left after item discounts', () => {
    const cart = priceCart(
      [line('l1', 'A', 10000), line('l2', 'B', 5000)],
      [
        promo({ id: 'items', priority: 1, target: { skus: ['A'] }, rule: { kind: 'percent_off_items', percent: 20 } }),
        promo({ id: 'order', priority: 5, rule: { kind: 'percent_off_order', percent: 10 } }),
      ],
      ctx(),
    );
    // items first even though the order promotion has the higher priority: 10000 → 8000, then 10% of 13000
    expect(cart.itemDiscountTotal).toBe(2000);
    expect(cart.orderDiscountTotal).toBe(1300);
    expect(cart.total).toBe(11700);
    expect(cart.applied.map((a) => a.promotionId)).toEqual(['items', 'order']);
    expectConsistent(cart);
  });

  it('a spend threshold on one category counts only that category', () => {
    const lego = promo({ id: 'lego', target: { categoryIds: ['lego'] }, rule: { kind: 'amount_off_order', amount: 500, minSubtotal: 4000 } });
    const cart = priceCart([line('l1', 'LEGO', 3000, 1, ['lego']), line('l2', 'BOOK', 2500, 1, ['books'])], [lego], ctx());
    expect(why(cart, 'lego')).toMatchObject({ reason: 'below_min_subtotal', message: 'Spend €10.00 more on qualifying items to get €5.00 off your order.' });
  });

  it('an amount off bigger than the order takes the order to zero, not below', () => {
    const cart = priceCart([line('l1', 'A', 700)], [promo({ id: 'big', rule: { kind: 'amount_off_order', amount: 1000 } })], ctx({ shippingCost: 495 }));
    expect(cart.lines[0].total).toBe(0);
    expect(cart.total).toBe(495);
    expect(cart.applied[0].amount).toBe(700);
  });
});

describe('free shipping', () => {
  const free = promo({ id: 'ship', rule: { kind: 'free_shipping', minSubtotal: 2500 } });

  it('waives the shipping cost above the threshold', () => {
    const cart = priceCart([line('l1', 'A', 3000)], [free], ctx({ shippingCost: 495 }));
    expect(cart.shipping).toEqual({ cost: 495, discount: 495, total: 0 });
    expect(cart.total).toBe(3000);
    expectConsistent(cart);
  });

  it('below the threshold it says how much more to spend', () => {
    const cart = priceCart([line('l1', 'A', 2000)], [free], ctx({ shippingCost: 495 }));
    expect(why(cart, 'ship')).toMatchObject({ reason: 'below_min_subtotal', message: 'Spend €5.00 more to get free shipping.' });
  });

  it('with nothing to ship there is no saving', () => {
    const cart = priceCart([line('l1', 'A', 3000)], [free], ctx({ shippingCost: 0 }));
    expect(why(cart, 'ship')).toMatchObject({ reason: 'no_saving', message: 'There is no shipping cost to waive.' });
  });
});

// ---------------------------------------------------------------- eligibility

describe('why a promotion did not apply', () => {
  const cartLines = [line('l1', 'A', 2000, 1, ['cat'])];
  const base = { target: { categoryIds: ['cat'] }, rule: { kind: 'percent_off_items', percent: 10 } } as const;

  it('not started yet, and expired', () => {
    const cart = priceCart(
      cartLines,
      [promo({ id: 'soon', ...base, startsAt: new Date('2025-07-01T00:00:00Z') }), promo({ id: 'gone', ...base, endsAt: new Date('2025-06-01T00:00:00Z') })],
      ctx(),
    );
    expect(why(cart, 'soon')).toMatchObject({ reason: 'not_started', message: 'This offer starts on 2025-07-01 00:00 UTC.' });
    expect(why(cart, 'gone')).toMatchObject({ reason: 'expired', message: 'This offer ended on 2025-06-01 00:00 UTC.' });
  });

  it('wrong channel and wrong store', () => {
    const promotions = [promo({ id: 'app', ...base, channels: ['app'] }), promo({ id: 'store', ...base, storeIds: ['st_ams', 'st_ant'] })];
    const cart = priceCart(cartLines, promotions, ctx({ channel: 'pos', storeId: 'st_utr' }));
    expect(why(cart, 'app')).toMatchObject({ reason: 'wrong_channel', message: 'Only valid on app, not on pos.' });
    expect(why(cart, 'store')).toMatchObject({ reason: 'wrong_store', message: 'Not valid in store st_utr; only in st_ams, st_ant.' });
    const inStore = priceCart(cartLines, promotions, ctx({ channel: 'app', storeId: 'st_ant' }));
    expect(inStore.applied.map((a) => a.promotionId)).toEqual(['app', 'store']);
  });

  it('members only, tier only and personal offers', () => {
    const promotions = [
      promo({ id: 'member', ...base, memberOnly: true }),
      promo({ id: 'gold', ...base, customerGroups: ['gold', 'platinum'] }),
      promo({ id: 'mine', ...base, customerId: 'cus_1' }),
    ];
    const anon = priceCart(cartLines, promotions, ctx());
    expect(why(anon, 'member')).toMatchObject({ reason: 'members_only' });
    expect(why(anon, 'gold')).toMatchObject({ reason: 'tier_only', message: 'Only for gold, platinum customers.' });
    expect(why(anon, 'mine')).toMatchObject({ reason: 'personal_offer', message: 'This is a personal offer; sign in to use it.' });
    const someoneElse = priceCart(cartLines, promotions, ctx({ customerId: 'cus_2', isMember: true, customerGroups: ['silver'] }));
    expect(why(someoneElse, 'mine').message).toBe('This is a personal offer for another customer.');
    expect(why(someoneElse, 'gold').reason).toBe('tier_only');
    const goldOwner = priceCart(cartLines, promotions, ctx({ customerId: 'cus_1', isMember: true, customerGroups: ['gold'] }));
    expect(goldOwner.applied.map((a) => a.promotionId)).toEqual(['gold', 'member', 'mine']);
    expect(goldOwner.notApplied).toEqual([]);
  });

  it('limits: total uses, this customer, budget', () => {
    const promotions = [
      promo({ id: 'total', ...base, limits: { total: 500 } }),
      promo({ id: 'once', ...base, limits: { perCustomer: 1 } }),
      promo({ id: 'budget', ...base, limits: { budget: 50000 } }),
    ];
    const cart = priceCart(
      cartLines,
      promotions,
      ctx({ customerId: 'cus_1', usage: { totalByPromotion: { total: 500 }, byCustomer: { once: 1 }, budgetSpentByPromotion: { budget: 50000 } } }),
    );
    expect(why(cart, 'total')).toMatchObject({ reason: 'total_limit_reached', message: 'This offer has been used 500 of 500 times and is no longer available.' });
    expect(why(cart, 'once')).toMatchObject({ reason: 'customer_limit_reached', message: 'You have used this offer 1 of 1 time.' });
    expect(why(cart, 'budget')).toMatchObject({ reason: 'budget_exhausted', message: "This offer's budget of €500.00 has been spent." });
    expect(cart.applied).toEqual([]);
  });

  it('budget cap limits the discount and says so', () => {
    const cart = priceCart(
      [line('l1', 'A', 2000, 1, ['cat']), line('l2', 'B', 3000, 1, ['cat'])],
      [promo({ id: 'budget', ...base, rule: { kind: 'percent_off_items', percent: 50 }, limits: { budget: 100000 } })],
      ctx({ usage: { totalByPromotion: {}, byCustomer: {}, budgetSpentByPromotion: { budget: 98800 } } }),
    );
    // the rule gives 1000 + 1500 = 2500, only 1200 is left in the budget: lines in lineId order
    expect(cart.discountTotal).toBe(1200);
    expect(line_(cart, 'l1').adjustments[0]).toMatchObject({ amount: -1000, description: "50% off (capped by the offer's remaining budget)" });
    expect(line_(cart, 'l2').adjustments[0].amount).toBe(-200);
    expect(cart.applied[0]).toMatchObject({ amount: 1200, note: 'Capped at the remaining budget of €12.00 (the offer would give €25.00).' });
    expect(cart.usage.redemptions).toEqual([{ promotionId: 'budget', amount: 1200 }]);
  });

  it('no qualifying items: a code entered for an offer on other products', () => {
    const cart = priceCart(
      cartLines,
      [promo({ id: 'shoes', requiresCoupon: true, target: { categoryIds: ['shoes'] }, rule: { kind: 'percent_off_items', percent: 15 } })],
      ctx({ couponCodes: ['SHOES15'], coupons: { SHOES15: { promotionId: 'shoes', code: 'SHOES15', maxUses: null, used: 0 } } }),
    );
    expect(why(cart, 'shoes')).toMatchObject({ reason: 'no_qualifying_items', message: 'None of the items in the cart qualify for this offer.', lineIds: [] });
    expect(cart.coupons).toEqual([{ code: 'SHOES15', promotionId: 'shoes', applied: false, reason: 'no_qualifying_items', params: {}, message: 'None of the items in the cart qualify for this offer.' }]);
  });

  it('no saving: items already free after an earlier promotion', () => {
    const cart = priceCart(
      [line('l1', 'A', 500, 1, ['cat'])],
      [
        promo({ id: 'first', priority: 2, ...base, rule: { kind: 'amount_off_items', amountPerUnit: 1000 } }),
        promo({ id: 'second', priority: 1, ...base }),
      ],
      ctx(),
    );
    expect(why(cart, 'second')).toMatchObject({ reason: 'no_saving', message: 'The qualifying items are already fully discounted.' });
    expect(cart.total).toBe(0);
  });

  it('draft and archived promotions are not candidates at all', () => {
    const cart = priceCart(cartLines, [promo({ id: 'draft', status: 'draft', ...base }), promo({ id: 'old', status: 'archived', ...base })], ctx());
    expect(cart.applied).toEqual([]);
    expect(cart.notApplied).toEqual([]);
  });

  it('promotions for other products are not mentioned', () => {
    const cart = priceCart(cartLines, [promo({ id: 'other', target: { skus: ['ZZZ'] }, rule: { kind: 'percent_off_items', percent: 10 } })], ctx());
    expect(cart.notApplied).toEqual([]);
  });
});

// ---------------------------------------------------------------- coupons

describe('coupons', () => {
  const welcome = promo({ id: 'welcome', name: 'Welcome €5', requiresCoupon: true, rule: { kind: 'amount_off_order', amount: 500 } });
  const cartLines = [line('l1', 'A', 3000)];

  it('without the code the offer asks for it', () => {
    const cart = priceCart(cartLines, [welcome], ctx());
    expect(why(cart, 'welcome')).toMatchObject({ reason: 'coupon_required', message: 'Enter a coupon code to get €5.00 off your order.' });
  });

  it('a valid code applies, in any case, and is reported for recording', () => {
    const cart = priceCart(
      cartLines,
      [welcome],
      ctx({ customerId: 'cus_9', couponCodes: ['welcome-ab12'], coupons: { 'WELCOME-AB12': { promotionId: 'welcome', code: 'WELCOME-AB12', maxUses: 1, used: 0, batchId: 'b1' } } }),
    );
    expect(cart.total).toBe(2500);
    expect(cart.applied).toEqual([{ promotionId: 'welcome', name: 'Welcome €5', amount: 500, couponCode: 'WELCOME-AB12' }]);
    expect(cart.usage).toEqual({ customerId: 'cus_9', redemptions: [{ promotionId: 'welcome', couponCode: 'WELCOME-AB12', amount: 500 }] });
    expect(cart.coupons).toEqual([{ code: 'WELCOME-AB12', promotionId: 'welcome', applied: true, params: { promotion: 'Welcome €5' }, message: '“Welcome €5” applied.' }]);
  });

  it('single-use coupon already used is refused', () => {
    const cart = priceCart(cartLines, [welcome], ctx({ couponCodes: ['W1'], coupons: { W1: { promotionId: 'welcome', code: 'W1', maxUses: 1, used: 1 } } }));
    expect(why(cart, 'welcome')).toMatchObject({ reason: 'coupon_used_up', message: 'Coupon W1 has already been used.' });
    expect(cart.total).toBe(3000);
  });

  it('a multi-use coupon with uses left works; one that ran out says how often it was used', () => {
    const ok = priceCart(cartLines, [welcome], ctx({ couponCodes: ['TEAM'], coupons: { TEAM: { promotionId: 'welcome', code: 'TEAM', maxUses: 100, used: 99 } } }));
    expect(ok.total).toBe(2500);
    const out = priceCart(cartLines, [welcome], ctx({ couponCodes: ['TEAM'], coupons: { TEAM: { promotionId: 'welcome', code: 'TEAM', maxUses: 100, used: 100 } } }));
    expect(why(out, 'welcome').message).toBe('Coupon TEAM has been used 100 of 100 times.');
  });

  it('an expired coupon is refused', () => {
    const cart = priceCart(
      cartLines,
      [welcome],
      ctx({ couponCodes: ['OLD'], coupons: { OLD: { promotionId: 'welcome', code: 'OLD', maxUses: null, used: 0, expiresAt: new Date('2025-06-01T00:00:00Z') } } }),
    );
    expect(why(cart, 'welcome')).toMatchObject({ reason: 'coupon_expired', message: 'Coupon OLD expired on 2025-06-01 00:00 UTC.' });
  });

  it('unknown codes and codes of inactive offers are explained', () => {
    const cart = priceCart(
      cartLines,
      [welcome, promo({ id: 'draft', status: 'draft', requiresCoupon: true, rule: { kind: 'amount_off_order', amount: 100 } })],
      ctx({ couponCodes: ['NOPE', 'DRAFT'], coupons: { DRAFT: { promotionId: 'draft', code: 'DRAFT', maxUses: null, used: 0 } } }),
    );
    expect(cart.coupons).toEqual([
      { code: 'DRAFT', promotionId: 'draft', applied: false, reason: 'promotion_inactive', params: { code: 'DRAFT' }, message: 'Code DRAFT belongs to an offer that is not running.' },
      { code: 'NOPE', applied: false, reason: 'coupon_unknown', params: { code: 'NOPE' }, message: 'Code NOPE is not known.' },
    ]);
  });
});

// ---------------------------------------------------------------- stacking

describe('stacking', () => {
  const cartLines = [line('l1', 'A', 10000, 1, ['cat'])];
  const target = { categoryIds: ['cat'] };

  it('exclusive 30% beats combinable 10% + 5%', () => {
    const cart = priceCart(
      cartLines,
      [
        promo({ id: 'c10', priority: 9, target, rule: { kind: 'percent_off_items', percent: 10 } }),
        promo({ id: 'c5', priority: 8, rule: { kind: 'percent_off_order', percent: 5 } }),
        promo({ id: 'x30', name: 'Summer 30%', priority: 1, stacking: 'exclusive', target, rule: { kind: 'percent_off_items', percent: 30 } }),
      ],
      ctx(),
    );
    expect(cart.applied.map((a) => a.promotionId)).toEqual(['x30']);
    expect(cart.total).toBe(7000);
    // 10% then 5% of the rest = 1000 + 450
    expect(why(cart, 'c10')).toMatchObject({ reason: 'excluded_by_exclusive', message: 'Cannot be combined with “Summer 30%”, which saves you more (€30.00 against €14.50 for the combinable offers together).' });
    expect(why(cart, 'c5').reason).toBe('excluded_by_exclusive');
  });

  it('combinable offers together beat a weaker exclusive one', () => {
    const cart = priceCart(
      cartLines,
      [
        promo({ id: 'c10', target, rule: { kind: 'percent_off_items', percent: 10 } }),
        promo({ id: 'c8', rule: { kind: 'percent_off_order', percent: 8 } }),
        promo({ id: 'x15', stacking: 'exclusive', priority: 100, target, rule: { kind: 'percent_off_items', percent: 15 } }),
      ],
      ctx(),
    );
    expect(cart.applied.map((a) => a.promotionId)).toEqual(['c10', 'c8']);
    expect(why(cart, 'x15')).toMatchObject({ reason: 'not_better', message: 'The other offers together save you more (€17.20 against €15.00).' });
  });

  it('of two exclusive offers the better one wins; on a tie the higher priority', () => {
    const x20 = promo({ id: 'x20', name: '20% off', stacking: 'exclusive', target, rule: { kind: 'percent_off_items', percent: 20 } });
    const x25 = promo({ id: 'x25', name: '€25 off', stacking: 'exclusive', rule: { kind: 'amount_off_order', amount: 2500 } });
    const cart = priceCart(cartLines, [x20, x25], ctx());
    expect(cart.applied.map((a) => a.promotionId)).toEqual(['x25']);
    expect(why(cart, 'x20')).toMatchObject({ reason: 'not_better', message: '“€25 off” saves you more (€25.00 against €20.00).' });

    const tieA = promo({ id: 'a', priority: 1, stacking: 'exclusive', target, rule: { kind: 'percent_off_items', percent: 20 } });
    const tieB = promo({ id: 'b', priority: 2, stacking: 'exclusive', rule: { kind: 'amount_off_order', amount: 2000 } });
    expect(priceCart(cartLines, [tieA, tieB], ctx()).applied.map((a) => a.promotionId)).toEqual(['b']);
  });

  it('combinable offers stack in priority order', () => {
    const cart = priceCart(
      cartLines,
      [
        promo({ id: 'low', priority: 1, target, rule: { kind: 'amount_off_items', amountPerUnit: 1000 } }),
        promo({ id: 'high', priority: 2, target, rule: { kind: 'percent_off_items', percent: 50 } }),
      ],
      ctx(),
    );
    // 50% of 10000 first, then €10 off: 10000 − 5000 − 1000
    expect(cart.lines[0].adjustments.map((a) => [a.promotionId, a.amount])).toEqual([
      ['high', -5000],
      ['low', -1000],
    ]);
    expect(cart.total).toBe(4000);
  });
});

// ---------------------------------------------------------------- determinism and the rest

describe('determinism and inputs', () => {
  const promotions = [
    promo({ id: 'p1', target: { categoryIds: ['mugs'] }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } }),
    promo({ id: 'p2', rule: { kind: 'amount_off_order', amount: 1001 } }),
  ];
  const cartLines = [line('a', 'M1', 999, 2, ['mugs']), line('b', 'M2', 999, 1, ['mugs']), line('c', 'X', 1234, 1)];

  it('same cart in another line order gives the same adjustments per line', () => {
    const one = priceCart(cartLines, promotions, ctx());
    const two = priceCart([...cartLines].reverse(), [...promotions].reverse(), ctx());
    const byLine = (c: PricedCart) => Object.fromEntries(c.lines.map((l) => [l.lineId, l]));
    expect(byLine(two)).toEqual(byLine(one));
    expect(two.total).toBe(one.total);
    expect(two.lines.map((l) => l.lineId)).toEqual(['c', 'b', 'a']);
  });

  it('a compiled set prices like the plain list', () => {
    expect(priceCart(cartLines, compilePromotions(promotions), ctx())).toEqual(priceCart(cartLines, promotions, ctx()));
  });

  it('refuses impossible carts', () => {
    expect(() => priceCart([line('a', 'X', 10.5)], [], ctx())).toThrow(/whole cents/);
    expect(() => priceCart([line('a', 'X', 100, 0)], [], ctx())).toThrow(/quantity/);
    expect(() => priceCart([line('a', 'X', 100), line('a', 'Y', 100)], [], ctx())).toThrow(/unique/);
  });

  it('invalid definitions are reported and left out', () => {
    expect(validatePromotion(promo({ id: 'bad', rule: { kind: 'percent_off_items', percent: 120 } }))).toEqual([
      'target: a target is required',
      'percent must be > 0 and ≤ 100, with at most two decimals',
    ]);
    expect(validatePromotion(promo({ id: 'mb', target: { all: true }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2, forPrice: 100 } }))).toEqual(['give exactly one of payFor and forPrice']);
    const compiled = compilePromotions([promo({ id: 'bad', rule: { kind: 'amount_off_order', amount: -5 } })]);
    expect(compiled.invalid).toEqual([{ promotionId: 'bad', problems: ['amount must be whole cents > 0'] }]);
    expect(compiled.promotions).toEqual([]);
  });

  it('largest remainder: parts sum exactly and never exceed their weight', () => {
    expect(allocateLargestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateLargestRemainder(7, [5, 2])).toEqual([5, 2]);
    expect(allocateLargestRemainder(10, [0, 3, 3])).toEqual([0, 5, 5]);
    const huge = allocateLargestRemainder(9_000_000_000, [4_000_000_000_000, 5_000_000_000_000, 1]);
    expect(huge.reduce((a, b) => a + b, 0)).toBe(9_000_000_000);
  });
});
