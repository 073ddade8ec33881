// Every reason the engine can give has words in both languages, built from its params alone.
import { describe, expect, it } from 'vitest';
import { describeOffer, langOf, localiseExplanations, messageFor, reasonMessage, type MessageKey, type ReasonParams } from './messages.js';

const offer = { kind: 'amount_off_order', amount: 1000 } as const;
const SAMPLES: { [K in MessageKey]: ReasonParams[K][] } = {
  not_started: [{ startsAt: '2025-07-01T00:00:00.000Z' }],
  expired: [{ endsAt: '2025-06-01T09:30:00.000Z' }],
  wrong_channel: [{ channels: ['app'], channel: 'pos' }],
  wrong_store: [{ storeIds: ['st_ams'], storeId: 'st_utr' }, { storeIds: ['st_ams'], storeId: null }],
  personal_offer: [{ signedIn: true }, { signedIn: false }],
  members_only: [{}],
  tier_only: [{ customerGroups: ['gold'] }],
  coupon_required: [{ offer }],
  coupon_expired: [{ code: 'OLD', expiresAt: '2025-06-01T00:00:00.000Z' }],
  coupon_used_up: [{ code: 'W1', used: 1, maxUses: 1 }, { code: 'TEAM', used: 100, maxUses: 100 }],
  total_limit_reached: [{ used: 5, limit: 5 }],
  customer_limit_reached: [{ used: 1, limit: 1 }],
  budget_exhausted: [{ budget: 50000 }],
  no_qualifying_items: [{}],
  needs_more_items: [{ missing: [{ count: 2, kind: 'item' }], offer }, { missing: [{ count: 1, kind: 'bundle_part', part: 1, label: 'mug' }, { count: 1, kind: 'bundle_part', part: 2 }], offer }],
  below_min_subtotal: [{ amount: 1250, onQualifyingItems: true, offer }],
  no_saving: [{ situation: 'already_cheaper', offer }, { situation: 'no_shipping_cost' }, { situation: 'shipping_free' }, { situation: 'order_nothing_left' }, { situation: 'fully_discounted' }],
  not_better: [{ winner: 'Summer', winnerAmount: 3000, amount: 1000 }, { othersAmount: 1720, amount: 1500 }],
  excluded_by_exclusive: [{ winner: 'Summer', winnerAmount: 3000, combinedAmount: 1450 }],
  coupon_unknown: [{ code: 'NOPE' }],
  promotion_inactive: [{ code: 'DRAFT' }],
  not_needed: [{ promotion: '3 for 2' }],
  duplicate: [{ usedCode: 'A1', promotion: 'Welcome' }],
  coupon_applied: [{ promotion: 'Welcome' }],
};

describe('promotion messages', () => {
  it('words every reason in English and in Dutch, differently', () => {
    for (const [key, samples] of Object.entries(SAMPLES) as [MessageKey, never[]][]) {
      for (const params of samples) {
        const en = reasonMessage(key, params, 'en');
        const nl = reasonMessage(key, params, 'nl');
        expect(en.length, key).toBeGreaterThan(5);
        expect(nl.length, key).toBeGreaterThan(5);
        expect(nl, key).not.toBe(en);
      }
    }
  });

  it('formats money, percentages and moments the Dutch way', () => {
    expect(reasonMessage('below_min_subtotal', { amount: 1250, onQualifyingItems: false, offer: { kind: 'percent_off_order', percent: 12.5 } }, 'nl')).toBe('Besteed nog € 12,50 om 12,5% korting op je bestelling te krijgen.');
    expect(reasonMessage('coupon_expired', { code: 'OLD', expiresAt: '2025-06-01T09:30:00.000Z' }, 'nl')).toBe('Kortingscode OLD is verlopen op 01-06-2025 09:30 UTC.');
    expect(reasonMessage('coupon_expired', { code: 'OLD', expiresAt: '2025-06-01T09:30:00.000Z' }, 'en')).toBe('Coupon OLD expired on 2025-06-01 09:30 UTC.');
    expect(describeOffer({ kind: 'bundle', bundlePrice: 2500, components: [{ quantity: 2, label: 'mok' }, { quantity: 1, label: 'bord' }] }, 'nl')).toBe('2 × mok + bord voor € 25,00');
    expect(describeOffer({ kind: 'buy_x_get_y', buy: 2, get: 1, getPercentOff: 50 }, 'nl')).toBe('koop 2, krijg 1 met 50% korting');
  });

  it('picks the language from Accept-Language: nl when preferred, otherwise en', () => {
    expect(langOf('nl-NL,nl;q=0.9,en;q=0.8')).toBe('nl');
    expect(langOf('nl-BE')).toBe('nl');
    expect(langOf('en-GB,nl;q=0.5')).toBe('en');
    expect(langOf('fr-FR, nl;q=0.7, en;q=0.5')).toBe('nl');
    expect(langOf('de')).toBe('en');
    expect(langOf(undefined)).toBe('en');
    expect(langOf('nl;q=0')).toBe('en');
  });

  it('falls back to the given text for keys or params it does not know, and re-words a priced cart', () => {
    expect(messageFor('something_new', {}, 'nl', 'as given')).toBe('as given');
    expect(messageFor('coupon_unknown', null, 'nl', 'as given')).toBe('as given');
    const cart = {
      notApplied: [{ reason: 'members_only', params: {}, message: 'Only for loyalty members; join to get this offer.' }],
      coupons: [{ applied: true, params: { promotion: 'Welcome' }, message: '“Welcome” applied.' }],
    };
    expect(localiseExplanations(cart, 'en')).toBe(cart);
    const nl = localiseExplanations(cart, 'nl');
    expect(nl.notApplied[0].message).toMatch(/^Alleen voor leden/);
    expect(nl.coupons[0].message).toBe('“Welcome” toegepast.');
  });
});
