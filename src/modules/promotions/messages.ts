// The words of the promotion engine, in English and Dutch. The engine decides *why* an offer did not
// apply (a stable reason code plus the numbers behind it); this file only turns that into a
// sentence, so the API can answer in the shopper's language and the engine stays language-free.
// Pure functions, no I/O.
import { formatEuro, formatPercent } from './money.js';
import type { Rule } from './types.js';

export type Lang = 'en' | 'nl';

/** A rule's terms without its targets: enough to name the offer ("3 for 2", "€10.00 off your order"). */
export type OfferTerms =
  | { kind: 'percent_off_items'; percent: number }
  | { kind: 'amount_off_items'; amountPerUnit: number }
  | { kind: 'percent_off_order'; percent: number }
  | { kind: 'amount_off_order'; amount: number }
  | { kind: 'free_shipping' }
  | { kind: 'buy_x_get_y'; buy: number; get: number; getPercentOff: number }
  | { kind: 'multi_buy'; quantity: number; payFor?: number; forPrice?: number }
  | { kind: 'bundle'; bundlePrice: number; components: { quantity: number; label?: string }[] };

export function offerTerms(rule: Rule): OfferTerms {
  switch (rule.kind) {
    case 'percent_off_items':
    case 'percent_off_order':
      return { kind: rule.kind, percent: rule.percent };
    case 'amount_off_items':
      return { kind: rule.kind, amountPerUnit: rule.amountPerUnit };
    case 'amount_off_order':
      return { kind: rule.kind, amount: rule.amount };
    case 'free_shipping':
      return { kind: rule.kind };
    case 'buy_x_get_y':
      return { kind: rule.kind, buy: rule.buy, get: rule.get, getPercentOff: rule.getPercentOff };
    case 'multi_buy':
      return rule.payFor !== undefined ? { kind: rule.kind, quantity: rule.quantity, payFor: rule.payFor } : { kind: rule.kind, quantity: rule.quantity, forPrice: rule.forPrice ?? 0 };
    case 'bundle':
      return { kind: rule.kind, bundlePrice: rule.bundlePrice, components: rule.components.map((c) => (c.label !== undefined ? { quantity: c.quantity, label: c.label } : { quantity: c.quantity })) };
  }
}

/** One missing piece in "Add … to get …". */
export type Missing = { count: number; kind: 'item' | 'offer_item' } | { count: number; kind: 'bundle_part'; part: number; label?: string };

/**
 * The parameters of each reason. Money in cents, moments as ISO 8601 strings, `offer` the offer's
 * terms; everything a client needs to word the reason itself.
 */
export interface ReasonParams {
  not_started: { startsAt: string };
  expired: { endsAt: string };
  wrong_channel: { channels: string[]; channel: string };
  wrong_store: { storeIds: string[]; storeId: string | null };
  personal_offer: { signedIn: boolean };
  members_only: Record<string, never>;
  tier_only: { customerGroups: string[] };
  coupon_required: { offer: OfferTerms };
  coupon_expired: { code: string; expiresAt: string };
  coupon_used_up: { code: string; used: number; maxUses: number };
  total_limit_reached: { used: number; limit: number };
  customer_limit_reached: { used: number; limit: number };
  budget_exhausted: { budget: number };
  no_qualifying_items: Record<string, never>;
  needs_more_items: { missing: Missing[]; offer: OfferTerms };
  below_min_subtotal: { amount: number; onQualifyingItems: boolean; offer: OfferTerms };
  /** already_cheaper: a fixed-price deal costs more than the items; the others: nothing left to take off. */
  no_saving: { situation: 'already_cheaper'; offer: OfferTerms } | { situation: 'no_shipping_cost' | 'shipping_free' | 'order_nothing_left' | 'fully_discounted' };
  /** winner: the exclusive offer that won; without it the combinable offers together gave more. */
  not_better: { winner: string; winnerAmount: number; amount: number } | { othersAmount: number; amount: number };
  excluded_by_exclusive: { winner: string; winnerAmount: number; combinedAmount: number };
  coupon_unknown: { code: string };
  promotion_inactive: { code: string };
  not_needed: { promotion: string };
  duplicate: { usedCode: string; promotion: string };
  /** Not a refusal: the message of a code that worked. */
  coupon_applied: { promotion: string };
}

export type MessageKey = keyof ReasonParams;

// ------------------------------------------------------------------------------------ formatting

const money = (cents: number, lang: Lang) => {
  if (lang === 'en') return formatEuro(cents);
  // € 12,50 — the Dutch way, with the amount still exact to the cent.
  return `€ ${formatEuro(cents).replace('€', '').replace('.', ',')}`.replace('€ -', '-€ ');
};
const percent = (p: number, lang: Lang) => (lang === 'en' ? formatPercent(p) : formatPercent(p).replace('.', ','));
const moment = (iso: string, lang: Lang) => {
  const [date, time] = new Date(iso).toISOString().slice(0, 16).split('T');
  if (lang === 'en') return `${date} ${time} UTC`;
  const [y, m, d] = date.split('-');
  return `${d}-${m}-${y} ${time} UTC`;
};
const listOf = (xs: readonly string[], lang: Lang, max = 5) => {
  if (xs.length <= max) return xs.join(', ');
  return `${xs.slice(0, max).join(', ')} ${lang === 'en' ? 'and' : 'en'} ${xs.length - max} ${lang === 'en' ? 'more' : 'meer'}`;
};

/** The offer in a few words: "3 for 2", "20% off your order" / "3 voor de prijs van 2". */
export function describeOffer(o: OfferTerms, lang: Lang = 'en'): string {
  const en = lang === 'en';
  switch (o.kind) {
    case 'percent_off_items':
      return en ? `${percent(o.percent, lang)} off` : `${percent(o.percent, lang)} korting`;
    case 'amount_off_items':
      return en ? `${money(o.amountPerUnit, lang)} off each item` : `${money(o.amountPerUnit, lang)} korting per artikel`;
    case 'percent_off_order':
      return en ? `${percent(o.percent, lang)} off your order` : `${percent(o.percent, lang)} korting op je bestelling`;
    case 'amount_off_order':
      return en ? `${money(o.amount, lang)} off your order` : `${money(o.amount, lang)} korting op je bestelling`;
    case 'free_shipping':
      return en ? 'free shipping' : 'gratis verzending';
    case 'buy_x_get_y':
      if (o.getPercentOff === 100) return en ? `buy ${o.buy}, get ${o.get} free` : `koop ${o.buy}, krijg ${o.get} gratis`;
      return en ? `buy ${o.buy}, get ${o.get} at ${percent(o.getPercentOff, lang)} off` : `koop ${o.buy}, krijg ${o.get} met ${percent(o.getPercentOff, lang)} korting`;
    case 'multi_buy':
      if (o.payFor !== undefined) return en ? `${o.quantity} for ${o.payFor}` : `${o.quantity} voor de prijs van ${o.payFor}`;
      return en ? `${o.quantity} for ${money(o.forPrice ?? 0, lang)}` : `${o.quantity} voor ${money(o.forPrice ?? 0, lang)}`;
    case 'bundle': {
      const price = money(o.bundlePrice, lang);
      if (!o.components.every((c) => c.label)) return en ? `the bundle for ${price}` : `de bundel voor ${price}`;
      const labels = o.components.map((c) => (c.quantity > 1 ? `${c.quantity} × ${c.label}` : c.label));
      return `${labels.join(' + ')} ${en ? 'for' : 'voor'} ${price}`;
    }
  }
}

function missingPiece(m: Missing, lang: Lang): string {
  const one = m.count === 1;
  if (lang === 'en') {
    if (m.kind !== 'bundle_part') return m.kind === 'item' ? `${m.count} more ${one ? 'item' : 'items'}` : `${m.count} more ${one ? 'offer item' : 'offer items'}`;
    return `${m.count} more ${m.label ?? `item${one ? '' : 's'} for part ${m.part} of the bundle`}`;
  }
  if (m.kind !== 'bundle_part') return m.kind === 'item' ? `nog ${m.count} ${one ? 'artikel' : 'artikelen'}` : `nog ${m.count} ${one ? 'actieartikel' : 'actieartikelen'}`;
  return `nog ${m.count} ${m.label ?? `${one ? 'artikel' : 'artikelen'} voor deel ${m.part} van de bundel`}`;
}

type Renderer<K extends MessageKey> = (p: ReasonParams[K], lang: Lang) => string;
const en = (lang: Lang) => lang === 'en';

const RENDER: { [K in MessageKey]: Renderer<K> } = {
  not_started: (p, l) => (en(l) ? `This offer starts on ${moment(p.startsAt, l)}.` : `Deze actie begint op ${moment(p.startsAt, l)}.`),
  expired: (p, l) => (en(l) ? `This offer ended on ${moment(p.endsAt, l)}.` : `Deze actie is afgelopen op ${moment(p.endsAt, l)}.`),
  wrong_channel: (p, l) => (en(l) ? `Only valid on ${listOf(p.channels, l)}, not on ${p.channel}.` : `Alleen geldig via ${listOf(p.channels, l)}, niet via ${p.channel}.`),
  wrong_store: (p, l) => {
    if (p.storeId) return en(l) ? `Not valid in store ${p.storeId}; only in ${listOf(p.storeIds, l)}.` : `Niet geldig in winkel ${p.storeId}; alleen in ${listOf(p.storeIds, l)}.`;
    return en(l) ? `Only valid in store ${listOf(p.storeIds, l)}.` : `Alleen geldig in winkel ${listOf(p.storeIds, l)}.`;
  },
  personal_offer: (p, l) => {
    if (p.signedIn) return en(l) ? 'This is a personal offer for another customer.' : 'Dit is een persoonlijke aanbieding voor een andere klant.';
    return en(l) ? 'This is a personal offer; sign in to use it.' : 'Dit is een persoonlijke aanbieding; log in om hem te gebruiken.';
  },
  members_only: (_p, l) => (en(l) ? 'Only for loyalty members; join to get this offer.' : 'Alleen voor leden van het spaarprogramma; word lid om deze aanbieding te krijgen.'),
  tier_only: (p, l) => (en(l) ? `Only for ${listOf(p.customerGroups, l)} customers.` : `Alleen voor klanten met status ${listOf(p.customerGroups, l)}.`),
  coupon_required: (p, l) => (en(l) ? `Enter a coupon code to get ${describeOffer(p.offer, l)}.` : `Vul een kortingscode in om ${describeOffer(p.offer, l)} te krijgen.`),
  coupon_expired: (p, l) => (en(l) ? `Coupon ${p.code} expired on ${moment(p.expiresAt, l)}.` : `Kortingscode ${p.code} is verlopen op ${moment(p.expiresAt, l)}.`),
  coupon_used_up: (p, l) => {
    if (p.maxUses === 1) return en(l) ? `Coupon ${p.code} has already been used.` : `Kortingscode ${p.code} is al gebruikt.`;
    return en(l) ? `Coupon ${p.code} has been used ${p.used} of ${p.maxUses} times.` : `Kortingscode ${p.code} is ${p.used} van de ${p.maxUses} keer gebruikt.`;
  },
  total_limit_reached: (p, l) =>
    en(l) ? `This offer has been used ${p.used} of ${p.limit} times and is no longer available.` : `Deze actie is ${p.used} van de ${p.limit} keer gebruikt en is niet meer beschikbaar.`,
  customer_limit_reached: (p, l) => (en(l) ? `You have used this offer ${p.used} of ${p.limit} ${p.limit === 1 ? 'time' : 'times'}.` : `Je hebt deze actie ${p.used} van de ${p.limit} keer gebruikt.`),
  budget_exhausted: (p, l) => (en(l) ? `This offer's budget of ${money(p.budget, l)} has been spent.` : `Het budget van deze actie (${money(p.budget, l)}) is op.`),
  no_qualifying_items: (_p, l) => (en(l) ? 'None of the items in the cart qualify for this offer.' : 'Geen van de artikelen in de winkelmand doet mee aan deze actie.'),
  needs_more_items: (p, l) => {
    const pieces = p.missing.map((m) => missingPiece(m, l));
    return en(l) ? `Add ${pieces.join(' and ')} to get ${describeOffer(p.offer, l)}.` : `Voeg ${pieces.join(' en ')} toe om ${describeOffer(p.offer, l)} te krijgen.`;
  },
  below_min_subtotal: (p, l) => {
    if (en(l)) return `Spend ${money(p.amount, l)} more${p.onQualifyingItems ? ' on qualifying items' : ''} to get ${describeOffer(p.offer, l)}.`;
    return `Besteed nog ${money(p.amount, l)}${p.onQualifyingItems ? ' aan artikelen die meedoen' : ''} om ${describeOffer(p.offer, l)} te krijgen.`;
  },
  no_saving: (p, l) => {
    switch (p.situation) {
      case 'already_cheaper':
        return en(l) ? `These items already cost less than ${describeOffer(p.offer, l)}.` : `Deze artikelen kosten al minder dan ${describeOffer(p.offer, l)}.`;
      case 'no_shipping_cost':
        return en(l) ? 'There is no shipping cost to waive.' : 'Er zijn geen verzendkosten om kwijt te schelden.';
      case 'shipping_free':
        return en(l) ? 'Shipping is already free.' : 'De verzending is al gratis.';
      case 'order_nothing_left':
        return en(l) ? 'Nothing is left to take off the order.' : 'Er valt niets meer van de bestelling af te halen.';
      case 'fully_discounted':
        return en(l) ? 'The qualifying items are already fully discounted.' : 'De artikelen die meedoen zijn al volledig afgeprijsd.';
    }
  },
  not_better: (p, l) => {
    if ('winner' in p) return en(l) ? `“${p.winner}” saves you more (${money(p.winnerAmount, l)} against ${money(p.amount, l)}).` : `“${p.winner}” levert je meer op (${money(p.winnerAmount, l)} tegenover ${money(p.amount, l)}).`;
    return en(l) ? `The other offers together save you more (${money(p.othersAmount, l)} against ${money(p.amount, l)}).` : `De andere acties samen leveren je meer op (${money(p.othersAmount, l)} tegenover ${money(p.amount, l)}).`;
  },
  excluded_by_exclusive: (p, l) =>
    en(l)
      ? `Cannot be combined with “${p.winner}”, which saves you more (${money(p.winnerAmount, l)} against ${money(p.combinedAmount, l)} for the combinable offers together).`
      : `Niet te combineren met “${p.winner}”, die je meer oplevert (${money(p.winnerAmount, l)} tegenover ${money(p.combinedAmount, l)} voor de combineerbare acties samen).`,
  coupon_unknown: (p, l) => (en(l) ? `Code ${p.code} is not known.` : `Code ${p.code} is onbekend.`),
  promotion_inactive: (p, l) => (en(l) ? `Code ${p.code} belongs to an offer that is not running.` : `Code ${p.code} hoort bij een actie die niet loopt.`),
  not_needed: (p, l) => (en(l) ? `“${p.promotion}” applies without a code.` : `“${p.promotion}” geldt ook zonder code.`),
  duplicate: (p, l) => (en(l) ? `Code ${p.usedCode} is used for “${p.promotion}”; one code per offer.` : `Code ${p.usedCode} wordt al gebruikt voor “${p.promotion}”; één code per actie.`),
  coupon_applied: (p, l) => (en(l) ? `“${p.promotion}” applied.` : `“${p.promotion}” toegepast.`),
};

/** The sentence for a reason (or `coupon_applied`) in a language. */
export function reasonMessage<K extends MessageKey>(key: K, params: ReasonParams[K], lang: Lang = 'en'): string {
  return (RENDER[key] as Renderer<K>)(params, lang);
}

/** Any key and params as they come back from storage or the wire; unknown keys fall back to `fallback`. */
export function messageFor(key: string | undefined, params: unknown, lang: Lang, fallback: string): string {
  if (!key || !(key in RENDER) || typeof params !== 'object' || params === null) return fallback;
  try {
    // Params of unknown shape: a renderer that cannot read them throws, and the fallback is used.
    return reasonMessage(key as MessageKey, params as ReasonParams[MessageKey], lang);
  } catch {
    return fallback;
  }
}

/** The language a request asks for: nl when Accept-Language prefers Dutch, else en. */
export function langOf(acceptLanguage: string | string[] | undefined): Lang {
  const header = (Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '')).toLowerCase();
  // The first of nl/en by preference weight; ties keep header order.
  let best: { lang: Lang; q: number; i: number } | null = null;
  header.split(',').forEach((part, i) => {
    const [tag, ...rest] = part.trim().split(';');
    const lang = tag.startsWith('nl') ? 'nl' : tag.startsWith('en') ? 'en' : null;
    if (!lang) return;
    const qp = rest.map((r) => r.trim()).find((r) => r.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) return;
    if (!best || q > best.q) best = { lang, q, i };
  });
  return (best as { lang: Lang } | null)?.lang ?? 'en';
}

/**
 * A priced cart's explanations re-worded in `lang` (English is what the engine wrote already).
 * Other modules that show a priced cart (carts, checkout) can use this too.
 */
export function localiseExplanations<T extends { notApplied: ReadonlyArray<{ reason: string; params: unknown; message: string }>; coupons: ReadonlyArray<{ applied: boolean; reason?: string; params: unknown; message: string }> }>(
  cart: T,
  lang: Lang,
): T {
  if (lang === 'en') return cart;
  return {
    ...cart,
    notApplied: cart.notApplied.map((n) => ({ ...n, message: messageFor(n.reason, n.params, lang, n.message) })),
    coupons: cart.coupons.map((c) => ({ ...c, message: messageFor(c.reason ?? (c.applied ? 'coupon_applied' : undefined), c.params, lang, c.message) })),
  };
}
