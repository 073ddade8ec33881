/*
 * Winkel promotion engine: a pure function from (cart lines, compiled promotions, context) to a
 * priced cart that explains itself. No I/O; the caller reads usage counters and coupons first and
 * records the returned `usage` at checkout (usage.ts).
 *
 * THE RULES, in the order the engine follows them
 *
 * 1. Candidates. `compilePromotions` indexes the active promotions by SKU, product id and category
 *    id of their targets (and keeps a list of whole-cart targets), once. For a cart, the candidates
 *    are the promotions whose targets touch at least one line, the whole-cart ones, and those whose
 *    coupon code was entered. Promotions that cannot touch the cart are not mentioned at all; every
 *    candidate either applies or appears in `notApplied` with a reason and a plain-English message.
 *    Draft and archived promotions are never candidates.
 *
 * 2. Eligibility, checked in this order, the first failure is the reason reported: schedule
 *    (startsAt ≤ now < endsAt), channel, store, personal offer (customerId), members only, tier
 *    (customerGroups), coupon (a code for this promotion was entered, is not expired, has uses
 *    left; of several codes for one promotion the first valid one in alphabetical order is used),
 *    total usage limit, this customer's limit, budget left (> 0). An anonymous cart has no
 *    redemptions of its own, so per-customer limits only bite once the customer is known (checkout
 *    records them again under a lock).
 *
 * 3. Qualification, from shelf prices (the unit prices given, before any discount), so that one
 *    offer never makes another one lose its qualification:
 *    - spend thresholds (minSubtotal) count the shelf value of the target's lines (the whole cart by
 *      default): "Spend €50" means €50 of goods at their ticket price;
 *    - multi-buy and buy-X-get-Y discount the CHEAPEST qualifying units: with n full groups, the
 *      n × (free per group) cheapest units (ties: lineId). Zero-priced units never count;
 *    - "n for €F" deals and bundles choose the MOST EXPENSIVE units for each group/bundle (that is
 *      where a fixed price saves something), and a group that would not save anything is skipped;
 *      the saving of a group is spread over its units in proportion to their prices (largest
 *      remainder).
 *
 * 4. Stacking. Every exclusive candidate is evaluated alone on the cart. All combinable candidates
 *    are evaluated together as one stack. The customer gets the better of the two: the best
 *    exclusive promotion (largest discount incl. shipping; ties: higher priority, then lower id) or
 *    the stack. On a tie between them the exclusive one wins (one redemption instead of several, so
 *    fewer limits and budgets used). An exclusive winner applies alone, without free shipping or
 *    anything else. Losing exclusives are reported 'not_better'; combinables left out because an
 *    exclusive won are reported 'excluded_by_exclusive'.
 *
 * 5. Order of application inside the stack: all item-level promotions (percent/amount off items,
 *    buy X get Y, multi-buy, bundle) in priority order (higher first, then id), then order-level
 *    promotions in priority order, then free shipping. Each promotion works on what is left:
 *    - percent off items: round(p × line's remaining total) per line;
 *    - amount off items: amount × quantity per line, at most the line's remaining total;
 *    - deals (buy X get Y, multi-buy, bundle) plan their per-line saving at shelf prices (rule 3);
 *      when an earlier promotion already lowered a line, the saving shrinks in proportion
 *      (saving × remaining / subtotal), so a deal never gives more than it would on a fresh line;
 *    - percent off order: round(p × remaining order total); amount off order: the amount, at most
 *      the remaining order total. An order-level promotion's target only decides which lines count
 *      towards its threshold ("spend €40 on LEGO, get €5 off your order"); the discount is on the
 *      whole order. Order-level discounts never touch shipping;
 *    - free shipping: shipping discount = shipping cost (once).
 *    Nothing goes below 0: no line, no order, no shipping.
 *
 * 6. Budgets. A promotion's discount is capped at its remaining budget (budget − spent). Item
 *    discounts are then handed out line by line in lineId order until the budget is used; the
 *    adjustment and `applied[].note` say so.
 *
 * 7. Rounding. Every division rounds half away from zero to the cent (amounts are non-negative, so
 *    in practice half up). An order-level discount is allocated onto the lines in proportion to
 *    their remaining totals with the largest-remainder method (ties: lineId), so the shares sum
 *    exactly to the discount and no share exceeds its line; refunds of a partial return can use the
 *    shares as they are.
 *
 * 8. Determinism. Lines are processed in lineId order (they must be unique) and output in the
 *    order given; promotions in priority order (desc) then id; `applied` lists them in the order
 *    they were applied (rule 5), `notApplied` in priority order. The same input gives the same
 *    output, whatever the order of lines, promotions or coupon codes.
 *
 * 9. Money. All amounts are integer cents incl. VAT. Adjustments carry negative amounts (they are
 *    added to prices); summaries (`discountTotal`, `applied[].amount`, `usage`, shipping discount)
 *    are positive amounts of discount. total = subtotal + shipping cost − discountTotal.
 *
 * 10. Speed. compilePromotions does the validation, sorting, Sets and the target index once; a
 *    cart then touches only its candidates (pricing work is linear in candidates × lines, plus the
 *    units of deal lines). Measured: a 20-line cart against 1,000 active promotions prices in about
 *    0.2 ms (median) when ~120 of them are candidates.
 *
 * Why these choices: every step above is a map that lowers amounts and preserves their order (a
 * lower input never gives a higher output), so adding a promotion can never raise the total a
 * customer pays — the property tests check this on random carts and promotion sets.
 */
import { describeOffer, offerTerms, reasonMessage, type Missing, type OfferTerms, type ReasonParams } from './messages.js';
import { allocateLargestRemainder, formatEuro, formatPercent, mulDivRound } from './money.js';
import type {
  Adjustment,
  AppliedPromotion,
  CartLine,
  CouponOutcome,
  NotApplied,
  NotAppliedReason,
  OrderAdjustment,
  PricedCart,
  PricedLine,
  PricingContext,
  Promotion,
  Rule,
  Target,
} from './types.js';

export type * from './types.js';

// ------------------------------------------------------------------------------------ compile

interface CompiledTarget {
  all: boolean;
  skus: Set<string> | null;
  productIds: Set<string> | null;
  categoryIds: Set<string> | null;
}

type Phase = 'item' | 'order' | 'shipping';

interface CompiledPromotion {
  promotion: Promotion;
  /** Position in priority order (priority desc, id asc). */
  rank: number;
  phase: Phase;
  /** Slot 0: the target (whole cart for order rules without one); buy_x_get_y: slot 1 = getTarget; bundle: one slot per component. */
  slots: CompiledTarget[];
  /** Percent of the rule in basis points (2000 = 20 %), 0 when the rule has none. */
  bp: number;
  startsAt: number;
  endsAt: number;
  channels: Set<string> | null;
  storeIds: Set<string> | null;
  groups: Set<string> | null;
  /** The rule's terms, for messages in any language. */
  offer: OfferTerms;
  /** "3 for 2", "€10.00 off your order", … (English, for adjustment descriptions) */
  summary: string;
  /** The schedule refusals, worded once. */
  notStarted?: Refusal;
  expired?: Refusal;
}

interface Hit {
  rank: number;
  slot: number;
}

export interface CompiledPromotions {
  /** Active, valid promotions in priority order. */
  readonly promotions: readonly CompiledPromotion[];
  readonly byId: ReadonlyMap<string, CompiledPromotion>;
  readonly bySku: ReadonlyMap<string, readonly Hit[]>;
  readonly byProduct: ReadonlyMap<string, readonly Hit[]>;
  readonly byCategory: ReadonlyMap<string, readonly Hit[]>;
  /** Slots that match every line. */
  readonly always: readonly Hit[];
  /** Draft and archived promotions, to explain an entered code. */
  readonly inactive: ReadonlyMap<string, Promotion>;
  /** Promotions left out because their definition is invalid (validated on write, so rare). */
  readonly invalid: readonly { promotionId: string; problems: string[] }[];
}

const isPosInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
const isCents = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isPercent = (n: unknown): n is number =>
  typeof n === 'number' && n > 0 && n <= 100 && Math.abs(n * 100 - Math.round(n * 100)) < 1e-9;

function targetProblems(t: Target | undefined, where: string): string[] {
  if (!t || typeof t !== 'object') return [`${where}: a target is required`];
  const lists = [t.skus, t.productIds, t.categoryIds];
  if (lists.some((l) => l !== undefined && (!Array.isArray(l) || l.some((x) => typeof x !== 'string')))) {
    return [`${where}: skus, productIds and categoryIds are lists of ids`];
  }
  if (t.all !== true && !lists.some((l) => l && l.length > 0)) return [`${where}: names no SKU, product or category (use all: true for everything)`];
  return [];
}

/** Problems with a promotion definition; empty when it is valid. For the write path as well. */
export function validatePromotion(p: Promotion): string[] {
  const out: string[] = [];
  if (typeof p.id !== 'string' || !p.id) out.push('id is required');
  if (typeof p.name !== 'string' || !p.name) out.push('name is required');
  if (!['active', 'draft', 'archived'].includes(p.status)) out.push('status must be active, draft or archived');
  if (typeof p.priority !== 'number' || !Number.isFinite(p.priority)) out.push('priority must be a number');
  if (p.stacking !== 'exclusive' && p.stacking !== 'combinable') out.push('stacking must be exclusive or combinable');
  for (const [k, d] of [['startsAt', p.startsAt], ['endsAt', p.endsAt]] as const) {
    if (d !== undefined && !(d instanceof Date && !Number.isNaN(d.getTime()))) out.push(`${k} must be a valid date`);
  }
  if (p.startsAt && p.endsAt && p.startsAt.getTime() >= p.endsAt.getTime()) out.push('endsAt must be after startsAt');
  for (const [k, l] of [['channels', p.channels], ['storeIds', p.storeIds], ['customerGroups', p.customerGroups]] as const) {
    if (l !== undefined && (!Array.isArray(l) || l.length === 0)) out.push(`${k}, when given, must list at least one value`);
  }
  if (p.limits) {
    for (const k of ['total', 'perCustomer', 'budget'] as const) {
      const v = p.limits[k];
      if (v !== undefined && !isCents(v)) out.push(`limits.${k} must be a whole number ≥ 0`);
    }
  }
  const r = p.rule as Rule | undefined;
  if (!r || typeof r !== 'object') return [...out, 'rule is required'];
  const itemRule = r.kind !== 'percent_off_order' && r.kind !== 'amount_off_order' && r.kind !== 'free_shipping' && r.kind !== 'bundle';
  if (itemRule) out.push(...targetProblems(p.target, 'target'));
  else if (p.target !== undefined) out.push(...targetProblems(p.target, 'target'));
  switch (r.kind) {
    case 'percent_off_items':
      if (!isPercent(r.percent)) out.push('percent must be > 0 and ≤ 100, with at most two decimals');
      break;
    case 'amount_off_items':
      if (!isPosInt(r.amountPerUnit)) out.push('amountPerUnit must be whole cents > 0');
      break;
    case 'percent_off_order':
      if (!isPercent(r.percent)) out.push('percent must be > 0 and ≤ 100, with at most two decimals');
      if (r.minSubtotal !== undefined && !isCents(r.minSubtotal)) out.push('minSubtotal must be whole cents ≥ 0');
      break;
    case 'amount_off_order':
      if (!isPosInt(r.amount)) out.push('amount must be whole cents > 0');
      if (r.minSubtotal !== undefined && !isCents(r.minSubtotal)) out.push('minSubtotal must be whole cents ≥ 0');
      break;
    case 'free_shipping':
      if (r.minSubtotal !== undefined && !isCents(r.minSubtotal)) out.push('minSubtotal must be whole cents ≥ 0');
      break;
    case 'buy_x_get_y':
      if (!isPosInt(r.buy) || !isPosInt(r.get)) out.push('buy and get must be whole numbers > 0');
      if (!isPercent(r.getPercentOff)) out.push('getPercentOff must be > 0 and ≤ 100');
      if (r.getTarget !== undefined) out.push(...targetProblems(r.getTarget, 'getTarget'));
      break;
    case 'multi_buy':
      if (!isPosInt(r.quantity) || r.quantity < 2) out.push('quantity must be a whole number ≥ 2');
      if ((r.payFor === undefined) === (r.forPrice === undefined)) out.push('give exactly one of payFor and forPrice');
      if (r.payFor !== undefined && (!isPosInt(r.payFor) || r.payFor >= r.quantity)) out.push('payFor must be ≥ 1 and below quantity');
      if (r.forPrice !== undefined && !isCents(r.forPrice)) out.push('forPrice must be whole cents ≥ 0');
      break;
    case 'bundle':
      if (!Array.isArray(r.components) || r.components.length === 0) out.push('a bundle needs at least one component');
      else
        r.components.forEach((c, i) => {
          if (!isPosInt(c.quantity)) out.push(`components[${i}].quantity must be a whole number > 0`);
          out.push(...targetProblems(c.target, `components[${i}].target`));
        });
      if (!isCents(r.bundlePrice)) out.push('bundlePrice must be whole cents ≥ 0');
      break;
    default:
      out.push(`unknown rule kind ${(r as { kind: unknown }).kind}`);
  }
  return out;
}

const WHOLE_CART: Target = { all: true };

function compileTarget(t: Target): CompiledTarget {
  const set = (l: readonly string[] | undefined) => (l && l.length ? new Set(l) : null);
  return { all: t.all === true, skus: set(t.skus), productIds: set(t.productIds), categoryIds: set(t.categoryIds) };
}

const byPriority = (a: Promotion, b: Promotion) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Validates and indexes promotions once; price many carts against the result. */
export function compilePromotions(promotions: readonly Promotion[]): CompiledPromotions {
  const invalid: { promotionId: string; problems: string[] }[] = [];
  const inactive = new Map<string, Promotion>();
  const active: Promotion[] = [];
  for (const p of promotions) {
    const problems = validatePromotion(p);
    if (problems.length) invalid.push({ promotionId: String(p?.id), problems });
    else if (p.status !== 'active') inactive.set(p.id, p);
    else active.push(p);
  }
  active.sort(byPriority);
  const list: CompiledPromotion[] = [];
  const byId = new Map<string, CompiledPromotion>();
  const bySku = new Map<string, Hit[]>();
  const byProduct = new Map<string, Hit[]>();
  const byCategory = new Map<string, Hit[]>();
  const always: Hit[] = [];
  const add = (m: Map<string, Hit[]>, key: string, hit: Hit) => {
    const l = m.get(key);
    if (l) l.push(hit);
    else m.set(key, [hit]);
  };
  for (const p of active) {
    if (byId.has(p.id)) {
      invalid.push({ promotionId: p.id, problems: ['duplicate id'] });
      continue;
    }
    const rule = p.rule;
    const phase: Phase = rule.kind === 'percent_off_order' || rule.kind === 'amount_off_order' ? 'order' : rule.kind === 'free_shipping' ? 'shipping' : 'item';
    const targets: Target[] =
      rule.kind === 'bundle'
        ? rule.components.map((c) => c.target)
        : rule.kind === 'buy_x_get_y' && rule.getTarget
          ? [p.target ?? WHOLE_CART, rule.getTarget]
          : [p.target ?? WHOLE_CART];
    const percent = rule.kind === 'percent_off_items' || rule.kind === 'percent_off_order' ? rule.percent : rule.kind === 'buy_x_get_y' ? rule.getPercentOff : 0;
    const cp: CompiledPromotion = {
      promotion: p,
      rank: list.length,
      phase,
      slots: targets.map(compileTarget),
      bp: Math.round(percent * 100),
      startsAt: p.startsAt ? p.startsAt.getTime() : -Infinity,
      endsAt: p.endsAt ? p.endsAt.getTime() : Infinity,
      channels: p.channels ? new Set(p.channels) : null,
      storeIds: p.storeIds ? new Set(p.storeIds) : null,
      groups: p.customerGroups ? new Set(p.customerGroups) : null,
      offer: offerTerms(rule),
      summary: '',
    };
    cp.summary = describeOffer(cp.offer);
    if (p.startsAt) cp.notStarted = refuse('not_started', { startsAt: p.startsAt.toISOString() });
    if (p.endsAt) cp.expired = refuse('expired', { endsAt: p.endsAt.toISOString() });
    list.push(cp);
    byId.set(p.id, cp);
    cp.slots.forEach((t, slot) => {
      const hit = { rank: cp.rank, slot };
      if (t.all) return void always.push(hit);
      for (const k of t.skus ?? []) add(bySku, k, hit);
      for (const k of t.productIds ?? []) add(byProduct, k, hit);
      for (const k of t.categoryIds ?? []) add(byCategory, k, hit);
    });
  }
  return { promotions: list, byId, bySku, byProduct, byCategory, always, inactive, invalid };
}

// ------------------------------------------------------------------------------------ the cart

interface Cart {
  n: number;
  /** Lines in lineId order; every index below is into this ("canonical") order. */
  lines: CartLine[];
  ids: string[];
  price: number[];
  qty: number[];
  /** Shelf total per line. */
  sub: number[];
  subtotal: number;
  shippingCost: number;
  /** All indexes, ascending. */
  all: number[];
  /** Lines with a price above 0, cheapest first / most expensive first (ties: lineId). */
  asc: number[];
  desc: number[];
}

function prepareCart(lines: readonly CartLine[], shippingCost: number): Cart {
  if (!isCents(shippingCost)) throw new TypeError('shippingCost must be whole cents ≥ 0');
  const sorted = [...lines].sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0));
  const n = sorted.length;
  for (let i = 0; i < n; i++) {
    const l = sorted[i];
    if (typeof l.lineId !== 'string' || (i > 0 && sorted[i - 1].lineId === l.lineId)) throw new TypeError(`line ids must be unique strings (${l.lineId})`);
    if (!isCents(l.unitPrice)) throw new TypeError(`line ${l.lineId}: unitPrice must be whole cents ≥ 0`);
    if (!isPosInt(l.quantity)) throw new TypeError(`line ${l.lineId}: quantity must be a whole number > 0`);
  }
  const price = sorted.map((l) => l.unitPrice);
  const sub = sorted.map((l) => l.unitPrice * l.quantity);
  if (sub.some((s) => !Number.isSafeInteger(s))) throw new RangeError('line total out of range');
  const all = Array.from({ length: n }, (_, i) => i);
  const priced = all.filter((i) => price[i] > 0);
  return {
    n,
    lines: sorted,
    ids: sorted.map((l) => l.lineId),
    price,
    qty: sorted.map((l) => l.quantity),
    sub,
    subtotal: sub.reduce((a, b) => a + b, 0),
    shippingCost,
    all,
    asc: [...priced].sort((a, b) => price[a] - price[b] || a - b),
    desc: [...priced].sort((a, b) => price[b] - price[a] || a - b),
  };
}

// ------------------------------------------------------------------------------------ candidates

interface Candidate {
  cp: CompiledPromotion;
  /** Per slot: canonical line indexes that match, ascending. */
  matches: number[][];
  couponCode?: string;
  /** Cents of budget left; Infinity without a budget. */
  budgetLeft: number;
  plan?: Plan;
  /** Why it did not apply, once known. */
  refusal?: Refusal;
  /** Exclusive candidates: the discount it gives on its own. */
  alone?: number;
}

function gatherCandidates(compiled: CompiledPromotions, cart: Cart, couponPromotionIds: Iterable<string>): Candidate[] {
  // Indexed by rank, so that reading them back in order needs no sort.
  const byRank: (Candidate | undefined)[] = new Array(compiled.promotions.length);
  const entry = (rank: number): Candidate => {
    let c = byRank[rank];
    if (!c) {
      const cp = compiled.promotions[rank];
      c = { cp, matches: cp.slots.length === 1 ? [[]] : cp.slots.map(() => []), budgetLeft: Infinity };
      byRank[rank] = c;
    }
    return c;
  };
  const visit = (hits: readonly Hit[] | undefined, i: number) => {
    if (!hits) return;
    for (const h of hits) {
      const m = entry(h.rank).matches[h.slot];
      if (m[m.length - 1] !== i) m.push(i);
    }
  };
  for (let i = 0; i < cart.n; i++) {
    const l = cart.lines[i];
    visit(compiled.bySku.get(l.sku), i);
    visit(compiled.byProduct.get(l.productId), i);
    for (const c of l.categoryIds) visit(compiled.byCategory.get(c), i);
  }
  for (const h of compiled.always) entry(h.rank).matches[h.slot] = cart.all;
  for (const id of couponPromotionIds) {
    const cp = compiled.byId.get(id);
    if (cp) entry(cp.rank);
  }
  const out: Candidate[] = [];
  for (const c of byRank) if (c) out.push(c);
  return out;
}

// ------------------------------------------------------------------------------------ eligibility

interface Refusal {
  reason: NotAppliedReason;
  /** What the message is made of (messages.ts words it in English or Dutch). */
  params: Record<string, unknown>;
  message: string;
}

/** A refusal with its parameters, worded in English; the API re-words it in the request's language. */
function refuse<K extends NotAppliedReason>(reason: K, params: ReasonParams[K]): Refusal {
  return { reason, params: params as Record<string, unknown>, message: reasonMessage(reason, params) };
}

function checkEligibility(c: Candidate, ctx: PricingContext, now: number, codesByPromotion: Map<string, string[]>): Refusal | null {
  const { cp } = c;
  const p = cp.promotion;
  if (now < cp.startsAt) return cp.notStarted!;
  if (now >= cp.endsAt) return cp.expired!;
  if (cp.channels && !cp.channels.has(ctx.channel)) return refuse('wrong_channel', { channels: [...cp.channels], channel: ctx.channel });
  if (cp.storeIds && !(ctx.storeId && cp.storeIds.has(ctx.storeId))) return refuse('wrong_store', { storeIds: [...cp.storeIds], storeId: ctx.storeId ?? null });
  if (p.customerId !== undefined && p.customerId !== ctx.customerId) return refuse('personal_offer', { signedIn: !!ctx.customerId });
  if (p.memberOnly && !ctx.isMember) return refuse('members_only', {});
  if (cp.groups && !ctx.customerGroups.some((g) => cp.groups!.has(g))) return refuse('tier_only', { customerGroups: [...cp.groups] });
  if (p.requiresCoupon) {
    const codes = codesByPromotion.get(p.id);
    if (!codes?.length) return refuse('coupon_required', { offer: cp.offer });
    let refusal: Refusal | null = null;
    for (const code of codes) {
      const coupon = ctx.coupons[code];
      if (coupon.expiresAt && coupon.expiresAt.getTime() <= now) refusal ??= refuse('coupon_expired', { code, expiresAt: coupon.expiresAt.toISOString() });
      else if (coupon.maxUses !== null && coupon.used >= coupon.maxUses) {
        refusal ??= refuse('coupon_used_up', { code, used: coupon.used, maxUses: coupon.maxUses });
      } else {
        c.couponCode = code;
        break;
      }
    }
    if (!c.couponCode) return refusal;
  }
  const limits = p.limits;
  if (limits?.total !== undefined) {
    const used = ctx.usage.totalByPromotion[p.id] ?? 0;
    if (used >= limits.total) return refuse('total_limit_reached', { used, limit: limits.total });
  }
  if (limits?.perCustomer !== undefined) {
    const used = ctx.usage.byCustomer[p.id] ?? 0;
    if (used >= limits.perCustomer) return refuse('customer_limit_reached', { used, limit: limits.perCustomer });
  }
  if (limits?.budget !== undefined) {
    c.budgetLeft = limits.budget - (ctx.usage.budgetSpentByPromotion[p.id] ?? 0);
    if (c.budgetLeft <= 0) return refuse('budget_exhausted', { budget: limits.budget });
  }
  return null;
}


// ------------------------------------------------------------------------------------ plans

/** A discount on one line: planned at shelf prices, or as applied. */
interface Part {
  line: number;
  amount: number;
  note: string;
}

type Plan =
  | { kind: 'percent'; lines: number[]; bp: number }
  | { kind: 'amount'; lines: number[]; perUnit: number }
  | { kind: 'fixed'; parts: Part[] }
  | { kind: 'order_percent'; bp: number }
  | { kind: 'order_amount'; amount: number }
  | { kind: 'shipping' };

type Planned = { plan: Plan } | Refusal;

/** The matched lines with a price, in the cart's cheapest-first or most-expensive-first order. */
function inPriceOrder(cart: Cart, matched: number[], cheapestFirst: boolean): number[] {
  const order = cheapestFirst ? cart.asc : cart.desc;
  if (matched === cart.all) return order;
  // Both lists are short; a membership array beats a Set here.
  const mark: boolean[] = new Array(cart.n).fill(false);
  for (const i of matched) mark[i] = true;
  const out: number[] = [];
  for (const i of order) if (mark[i]) out.push(i);
  return out;
}

function unitCount(cart: Cart, lines: number[]): number {
  let u = 0;
  for (const i of lines) u += cart.qty[i];
  return u;
}

/** How many of the `take` first units (in the given order) each line gives. */
function firstUnits(cart: Cart, ordered: number[], take: number): number[] {
  const counts: number[] = new Array(cart.n).fill(0);
  for (const i of ordered) {
    if (take <= 0) break;
    const k = Math.min(cart.qty[i], take);
    counts[i] = k;
    take -= k;
  }
  return counts;
}

function partsFromCounts(cart: Cart, counts: number[], bp: number, note: (k: number) => string): Part[] {
  const parts: Part[] = [];
  for (let i = 0; i < cart.n; i++) {
    if (!counts[i]) continue;
    const amount = mulDivRound(counts[i] * cart.price[i], bp, 10000);
    if (amount > 0) parts.push({ line: i, amount, note: note(counts[i]) });
  }
  return parts;
}

/** Units set aside for one group (a "n for €F" group or one bundle): lines and counts. */
class Group {
  lines: number[] = [];
  counts: number[] = [];
  value = 0;
  add(line: number, k: number, price: number) {
    const at = this.lines.indexOf(line);
    if (at >= 0) this.counts[at] += k;
    else {
      this.lines.push(line);
      this.counts.push(k);
    }
    this.value += k * price;
  }
  countOf(line: number) {
    const at = this.lines.indexOf(line);
    return at >= 0 ? this.counts[at] : 0;
  }
  /** Spreads `saving` over the group's lines by shelf value (largest remainder) into `acc`. */
  spread(cart: Cart, saving: number, acc: number[]) {
    const shares = allocateLargestRemainder(
      saving,
      this.lines.map((l, i) => this.counts[i] * cart.price[l]),
      this.lines,
    );
    this.lines.forEach((l, i) => (acc[l] += shares[i]));
  }
}

function partsFromAcc(acc: number[], note: string): Part[] {
  const parts: Part[] = [];
  for (let i = 0; i < acc.length; i++) if (acc[i] > 0) parts.push({ line: i, amount: acc[i], note });
  return parts;
}

const noItems: Refusal = refuse('no_qualifying_items', {});
const addMore = (n: number, offer: OfferTerms, kind: 'item' | 'offer_item' = 'item'): Refusal => refuse('needs_more_items', { missing: [{ count: n, kind }], offer });
const noSaving = (offer: OfferTerms): Refusal => refuse('no_saving', { situation: 'already_cheaper', offer });

function planFor(c: Candidate, cart: Cart): Planned {
  const { cp } = c;
  const rule = cp.promotion.rule;
  const main = c.matches[0];
  switch (rule.kind) {
    case 'percent_off_items':
    case 'amount_off_items': {
      const lines = main === cart.all && cart.asc.length === cart.n ? main : main.filter((i) => cart.sub[i] > 0);
      if (!lines.length) return noItems;
      return { plan: rule.kind === 'percent_off_items' ? { kind: 'percent', lines, bp: cp.bp } : { kind: 'amount', lines, perUnit: rule.amountPerUnit } };
    }
    case 'percent_off_order':
    case 'amount_off_order':
    case 'free_shipping': {
      if (!main.length) return noItems;
      let base = 0;
      if (main === cart.all) base = cart.subtotal;
      else for (const i of main) base += cart.sub[i];
      const min = rule.minSubtotal ?? 0;
      if (base < min) return refuse('below_min_subtotal', { amount: min - base, onQualifyingItems: !cp.slots[0].all, offer: cp.offer });
      if (rule.kind === 'free_shipping') return { plan: { kind: 'shipping' } };
      return { plan: rule.kind === 'percent_off_order' ? { kind: 'order_percent', bp: cp.bp } : { kind: 'order_amount', amount: rule.amount } };
    }
    case 'multi_buy': {
      const n = rule.quantity;
      if (rule.payFor !== undefined) {
        const asc = inPriceOrder(cart, main, true);
        const units = unitCount(cart, asc);
        if (!units) return noItems;
        if (units < n) return addMore(n - units, cp.offer);
        const free = Math.floor(units / n) * (n - rule.payFor);
        return { plan: { kind: 'fixed', parts: partsFromCounts(cart, firstUnits(cart, asc, free), 10000, (k) => `${cp.summary}: ${k} free`) } };
      }
      // n for €F: groups of the most expensive units; a group that would cost less than F is skipped.
      const forPrice = rule.forPrice!;
      const desc = inPriceOrder(cart, main, false);
      const units = unitCount(cart, desc);
      if (!units) return noItems;
      if (units < n) return addMore(n - units, cp.offer);
      const acc: number[] = new Array(cart.n).fill(0);
      let group = new Group();
      let inGroup = 0;
      for (const i of desc) {
        let left = cart.qty[i];
        while (left > 0) {
          const k = Math.min(left, n - inGroup);
          group.add(i, k, cart.price[i]);
          inGroup += k;
          left -= k;
          if (inGroup === n) {
            if (group.value > forPrice) group.spread(cart, group.value - forPrice, acc);
            group = new Group();
            inGroup = 0;
            // Whole groups of this one line all save the same; add them at once.
            const whole = Math.floor(left / n);
            if (whole > 0) {
              const value = n * cart.price[i];
              if (value > forPrice) acc[i] += whole * (value - forPrice);
              left -= whole * n;
            }
          }
        }
      }
      const parts = partsFromAcc(acc, cp.summary);
      return parts.length ? { plan: { kind: 'fixed', parts } } : noSaving(cp.offer);
    }
    case 'buy_x_get_y': {
      const { buy, get } = rule;
      const off = cp.bp === 10000 ? 'free' : `at ${formatPercent(rule.getPercentOff)} off`;
      const note = (k: number) => `${cp.summary}: ${k} ${off}`;
      if (!rule.getTarget) {
        const asc = inPriceOrder(cart, main, true);
        const units = unitCount(cart, asc);
        if (!units) return noItems;
        if (units < buy + get) return addMore(buy + get - units, cp.offer);
        const discounted = Math.floor(units / (buy + get)) * get;
        return { plan: { kind: 'fixed', parts: partsFromCounts(cart, firstUnits(cart, asc, discounted), cp.bp, note) } };
      }
      // Separate "get" items: the cheapest of them are discounted; the bought units come from the
      // main target and cannot be the discounted ones.
      const buyLines = inPriceOrder(cart, main, true);
      const getLines = inPriceOrder(cart, c.matches[1], true);
      const buyUnits = unitCount(cart, buyLines);
      const getUnits = unitCount(cart, getLines);
      if (!buyUnits && !getUnits) return noItems;
      const inMain: boolean[] = new Array(cart.n).fill(false);
      for (const i of buyLines) inMain[i] = true;
      const buyLeft = (counts: number[]) => {
        let left = buyUnits;
        for (const i of getLines) if (inMain[i]) left -= counts[i];
        return left;
      };
      // The most applications a such that the a·get cheapest "get" units leave a·buy units to buy
      // (feasible for a means feasible for a − 1, so a binary search finds it).
      let lo = 0;
      let hi = Math.min(Math.floor(buyUnits / buy), Math.floor(getUnits / get));
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (buyLeft(firstUnits(cart, getLines, mid * get)) >= mid * buy) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) return { plan: { kind: 'fixed', parts: partsFromCounts(cart, firstUnits(cart, getLines, lo * get), cp.bp, note) } };
      if (getUnits < get) return addMore(get - getUnits, cp.offer, 'offer_item');
      return addMore(buy - buyLeft(firstUnits(cart, getLines, get)), cp.offer);
    }
    case 'bundle': {
      // Each bundle takes, component by component, the most expensive units still free.
      const comps = rule.components.map((comp, s) => ({ comp, lines: inPriceOrder(cart, c.matches[s], false) }));
      if (comps.every((x) => !x.lines.length)) return noItems;
      const used: number[] = new Array(cart.n).fill(0);
      const acc: number[] = new Array(cart.n).fill(0);
      let bundles = 0;
      for (;;) {
        const group = new Group();
        const short: Missing[] = [];
        comps.forEach(({ comp, lines }, s) => {
          let need = comp.quantity;
          for (const i of lines) {
            if (!need) break;
            const k = Math.min(cart.qty[i] - used[i] - group.countOf(i), need);
            if (k <= 0) continue;
            group.add(i, k, cart.price[i]);
            need -= k;
          }
          if (need) short.push(comp.label !== undefined ? { count: need, kind: 'bundle_part', part: s + 1, label: comp.label } : { count: need, kind: 'bundle_part', part: s + 1 });
        });
        if (short.length || group.value <= rule.bundlePrice) {
          if (bundles > 0) break;
          return short.length ? refuse('needs_more_items', { missing: short, offer: cp.offer }) : noSaving(cp.offer);
        }
        group.spread(cart, group.value - rule.bundlePrice, acc);
        group.lines.forEach((l, i) => (used[l] += group.counts[i]));
        bundles++;
      }
      return { plan: { kind: 'fixed', parts: partsFromAcc(acc, bundles === 1 ? cp.summary : `${cp.summary} (${bundles}×)`) } };
    }
  }
}

// ------------------------------------------------------------------------------------ applying

interface Effect {
  cand: Candidate;
  /** Positive cents per canonical line: item discounts, or (once allocated) shares of an order discount. */
  parts: Part[];
  order: number;
  shipping: number;
  total: number;
  /** The discount before the budget cap, when the cap bit. */
  cappedFrom?: number;
}

interface Outcome {
  effects: Effect[];
  total: number;
  /** Line totals after the item discounts (order discounts are allocated from here). */
  afterItems: number[];
}

/**
 * Applies candidates (in application order: items, order, shipping) one after the other to a
 * fresh cart. Order discounts depend only on the remaining order total, so they are kept as
 * amounts here and spread over the lines only for the outcome that is chosen (allocateOrder).
 */
function apply(cands: Candidate[], cart: Cart): Outcome {
  const R = cart.sub.slice();
  let remaining = cart.subtotal;
  let shippingLeft = cart.shippingCost;
  const effects: Effect[] = [];
  let total = 0;
  for (const cand of cands) {
    const plan = cand.plan!;
    const effect: Effect = { cand, parts: [], order: 0, shipping: 0, total: 0 };
    const cap = cand.budgetLeft;
    let d = 0;
    if (plan.kind === 'percent' || plan.kind === 'amount' || plan.kind === 'fixed') {
      const parts = effect.parts;
      if (plan.kind === 'percent') {
        for (const j of plan.lines) {
          const a = mulDivRound(R[j], plan.bp, 10000);
          if (a > 0) parts.push({ line: j, amount: a, note: cand.cp.summary });
        }
      } else if (plan.kind === 'amount') {
        for (const j of plan.lines) {
          const a = Math.min(R[j], plan.perUnit * cart.qty[j]);
          if (a > 0) parts.push({ line: j, amount: a, note: cand.cp.summary });
        }
      } else {
        for (const p of plan.parts) {
          const a = R[p.line] === cart.sub[p.line] ? p.amount : mulDivRound(p.amount, R[p.line], cart.sub[p.line]);
          if (a > 0) parts.push({ line: p.line, amount: a, note: p.note });
        }
      }
      for (const p of parts) d += p.amount;
      if (d > cap) {
        // Budget: lines in lineId order until it is used up.
        effect.cappedFrom = d;
        let left = cap;
        for (const p of parts) {
          p.amount = Math.min(p.amount, left);
          left -= p.amount;
        }
        effect.parts = parts.filter((p) => p.amount > 0);
        d = cap;
      }
      for (const p of effect.parts) R[p.line] -= p.amount;
      remaining -= d;
    } else if (plan.kind === 'order_percent' || plan.kind === 'order_amount') {
      d = plan.kind === 'order_percent' ? mulDivRound(remaining, plan.bp, 10000) : Math.min(plan.amount, remaining);
      if (d > cap) {
        effect.cappedFrom = d;
        d = cap;
      }
      remaining -= d;
      effect.order = d;
    } else {
      d = shippingLeft;
      if (d > cap) {
        effect.cappedFrom = d;
        d = cap;
      }
      shippingLeft -= d;
      effect.shipping = d;
    }
    effect.total = d;
    total += d;
    effects.push(effect);
  }
  return { effects, total, afterItems: R };
}

/** What one candidate alone would take off a fresh cart; the same figure apply([c]) gives, without the bookkeeping. */
function discountAlone(c: Candidate, cart: Cart): number {
  const plan = c.plan!;
  let d = 0;
  switch (plan.kind) {
    case 'percent':
      for (const j of plan.lines) d += mulDivRound(cart.sub[j], plan.bp, 10000);
      break;
    case 'amount':
      for (const j of plan.lines) d += Math.min(cart.sub[j], plan.perUnit * cart.qty[j]);
      break;
    case 'fixed':
      for (const p of plan.parts) d += p.amount;
      break;
    case 'order_percent':
      d = mulDivRound(cart.subtotal, plan.bp, 10000);
      break;
    case 'order_amount':
      d = Math.min(plan.amount, cart.subtotal);
      break;
    case 'shipping':
      d = cart.shippingCost;
  }
  return Math.min(d, c.budgetLeft);
}

/** Spreads each order discount of the chosen outcome over the lines, in proportion to what is left of them. */
function allocateOrder(outcome: Outcome, cart: Cart) {
  const R = outcome.afterItems;
  for (const e of outcome.effects) {
    if (e.cand.cp.phase !== 'order' || e.order === 0) continue;
    const shares = allocateLargestRemainder(e.order, R, cart.all);
    const note = `${e.cand.cp.summary} (share of the order discount)`;
    for (let j = 0; j < cart.n; j++) {
      if (shares[j] > 0) {
        R[j] -= shares[j];
        e.parts.push({ line: j, amount: shares[j], note });
      }
    }
  }
}

function nothingLeft(c: Candidate, cart: Cart): Refusal {
  if (c.cp.phase === 'shipping') return refuse('no_saving', { situation: cart.shippingCost === 0 ? 'no_shipping_cost' : 'shipping_free' });
  if (c.cp.phase === 'order') return refuse('no_saving', { situation: 'order_nothing_left' });
  return refuse('no_saving', { situation: 'fully_discounted' });
}

// ------------------------------------------------------------------------------------ pricing

function lineIdsOf(c: Candidate, cart: Cart): string[] {
  if (c.matches.length === 1) return c.matches[0] === cart.all ? cart.ids.slice() : c.matches[0].map((i) => cart.ids[i]);
  const mark: boolean[] = new Array(cart.n).fill(false);
  for (const m of c.matches) for (const i of m) mark[i] = true;
  const out: string[] = [];
  for (let i = 0; i < cart.n; i++) if (mark[i]) out.push(cart.ids[i]);
  return out;
}

/**
 * Prices a cart. `promotions` should be compiled once with compilePromotions (a plain list is
 * compiled on the spot, which is fine for tests and one-offs).
 */
export function priceCart(lines: readonly CartLine[], promotions: CompiledPromotions | readonly Promotion[], ctx: PricingContext): PricedCart {
  const compiled = isCompiled(promotions) ? promotions : compilePromotions(promotions);
  const cart = prepareCart(lines, ctx.shippingCost);
  const now = ctx.now.getTime();

  // Entered codes, upper-case, once each, sorted so that the first valid one is chosen the same way every time.
  const codes = [...new Set(ctx.couponCodes.map((c) => c.trim().toUpperCase()).filter(Boolean))].sort();
  const codesByPromotion = new Map<string, string[]>();
  for (const code of codes) {
    const coupon = ctx.coupons[code];
    if (!coupon) continue;
    const l = codesByPromotion.get(coupon.promotionId);
    if (l) l.push(code);
    else codesByPromotion.set(coupon.promotionId, [code]);
  }

  const candidates = gatherCandidates(compiled, cart, codesByPromotion.keys());
  const exclusives: Candidate[] = [];
  // Combinable ones per phase; candidates come in rank order, so each list is in priority order.
  const phases: Record<Phase, Candidate[]> = { item: [], order: [], shipping: [] };
  for (const c of candidates) {
    const no = checkEligibility(c, ctx, now, codesByPromotion);
    if (no) {
      c.refusal = no;
      continue;
    }
    const planned = planFor(c, cart);
    if ('reason' in planned) {
      c.refusal = planned;
      continue;
    }
    c.plan = planned.plan;
    (c.cp.promotion.stacking === 'exclusive' ? exclusives : phases[c.cp.phase]).push(c);
  }

  // ---- stacking: the best exclusive promotion alone, or all combinable ones together
  const stack = [...phases.item, ...phases.order, ...phases.shipping];
  const stacked = apply(stack, cart);
  let winner: Candidate | null = null;
  let winnerAmount = 0;
  for (const c of exclusives) {
    const d = (c.alone = discountAlone(c, cart));
    if (d > winnerAmount) {
      winner = c;
      winnerAmount = d;
    }
  }
  if (winner && winnerAmount < stacked.total) winner = null;
  const chosen = winner ? apply([winner], cart) : stacked;
  allocateOrder(chosen, cart);

  for (const c of exclusives) {
    if (c === winner) continue;
    const mine = c.alone!;
    if (mine === 0) c.refusal = nothingLeft(c, cart);
    else if (winner) c.refusal = refuse('not_better', { winner: winner.cp.promotion.name, winnerAmount, amount: mine });
    else c.refusal = refuse('not_better', { othersAmount: stacked.total, amount: mine });
  }
  if (winner) {
    const excluded = refuse('excluded_by_exclusive', { winner: winner.cp.promotion.name, winnerAmount, combinedAmount: stacked.total });
    for (const c of stack) c.refusal = excluded;
  }

  // ---- the priced cart
  const adjustments: Adjustment[][] = cart.lines.map(() => []);
  const orderAdjustments: OrderAdjustment[] = [];
  const applied: AppliedPromotion[] = [];
  let itemDiscount = 0;
  let orderDiscount = 0;
  let shippingDiscount = 0;
  for (const e of chosen.effects) {
    const p = e.cand.cp.promotion;
    if (e.total === 0) {
      e.cand.refusal = nothingLeft(e.cand, cart);
      continue;
    }
    const capped = e.cappedFrom !== undefined ? ` (capped by the offer's remaining budget)` : '';
    const level = e.cand.cp.phase === 'order' ? 'order' : 'item';
    for (const part of e.parts) adjustments[part.line].push({ promotionId: p.id, name: p.name, level, amount: -part.amount, description: part.note + capped });
    if (e.cand.cp.phase === 'order') {
      orderAdjustments.push({ promotionId: p.id, name: p.name, amount: -e.order, description: e.cand.cp.summary + capped });
      orderDiscount += e.order;
    } else if (e.cand.cp.phase === 'item') itemDiscount += e.total;
    shippingDiscount += e.shipping;
    const a: AppliedPromotion = { promotionId: p.id, name: p.name, amount: e.total };
    if (e.cand.couponCode) a.couponCode = e.cand.couponCode;
    if (e.cappedFrom !== undefined) a.note = `Capped at the remaining budget of ${formatEuro(e.cand.budgetLeft)} (the offer would give ${formatEuro(e.cappedFrom)}).`;
    applied.push(a);
  }

  const indexOf = new Map(cart.ids.map((id, i) => [id, i]));
  let linesTotal = 0;
  const pricedLines: PricedLine[] = lines.map((l) => {
    const i = indexOf.get(l.lineId)!;
    const adj = adjustments[i];
    let total = cart.sub[i];
    for (const a of adj) total += a.amount;
    linesTotal += total;
    return { lineId: l.lineId, sku: l.sku, unitPrice: l.unitPrice, quantity: l.quantity, subtotal: cart.sub[i], adjustments: adj, total };
  });

  const notApplied: NotApplied[] = [];
  for (const c of candidates) {
    const r = c.refusal;
    if (r) notApplied.push({ promotionId: c.cp.promotion.id, name: c.cp.promotion.name, reason: r.reason, params: r.params, message: r.message, lineIds: lineIdsOf(c, cart) });
  }

  // ---- what happened to each entered code
  const coupons: CouponOutcome[] = [];
  if (codes.length) {
    const byPromotionId = new Map(candidates.map((c) => [c.cp.promotion.id, c]));
    const appliedIds = new Set(applied.map((a) => a.promotionId));
    for (const code of codes) coupons.push(couponOutcome(code, ctx, now, byPromotionId, appliedIds));
  }

  const discountTotal = itemDiscount + orderDiscount + shippingDiscount;
  const shippingTotal = cart.shippingCost - shippingDiscount;
  return {
    lines: pricedLines,
    orderAdjustments,
    shipping: { cost: cart.shippingCost, discount: shippingDiscount, total: shippingTotal },
    subtotal: cart.subtotal,
    itemDiscountTotal: itemDiscount,
    orderDiscountTotal: orderDiscount,
    discountTotal,
    total: linesTotal + shippingTotal,
    applied,
    notApplied,
    coupons,
    usage: {
      ...(ctx.customerId !== undefined ? { customerId: ctx.customerId } : {}),
      redemptions: applied.map((a) => (a.couponCode ? { promotionId: a.promotionId, couponCode: a.couponCode, amount: a.amount } : { promotionId: a.promotionId, amount: a.amount })),
    },
  };
}

function couponOutcome(code: string, ctx: PricingContext, now: number, byPromotionId: Map<string, Candidate>, appliedIds: Set<string>): CouponOutcome {
  const out = <K extends CouponOutcomeKey>(promotionId: string | undefined, applied: boolean, reason: K, params: ReasonParams[K]): CouponOutcome => ({
    code,
    ...(promotionId !== undefined ? { promotionId } : {}),
    applied,
    ...(reason !== 'coupon_applied' ? { reason: reason as Exclude<K, 'coupon_applied'> } : {}),
    params: params as Record<string, unknown>,
    message: reasonMessage(reason, params),
  });
  const refused = (promotionId: string, r: Refusal | undefined): CouponOutcome =>
    r ? { code, promotionId, applied: false, reason: r.reason, params: r.params, message: r.message } : { code, promotionId, applied: false, params: {}, message: '' };
  const coupon = ctx.coupons[code];
  if (!coupon) return out(undefined, false, 'coupon_unknown', { code });
  const promotionId = coupon.promotionId;
  const c = byPromotionId.get(promotionId);
  if (!c) return out(promotionId, false, 'promotion_inactive', { code });
  const p = c.cp.promotion;
  const r = c.refusal;
  if (!p.requiresCoupon) {
    if (appliedIds.has(promotionId)) return out(promotionId, false, 'not_needed', { promotion: p.name });
    return refused(promotionId, r);
  }
  if (c.couponCode && c.couponCode !== code) {
    // Another code for the same offer was used; say what was wrong with this one, if anything.
    if (coupon.expiresAt && coupon.expiresAt.getTime() <= now) return out(promotionId, false, 'coupon_expired', { code, expiresAt: coupon.expiresAt.toISOString() });
    if (coupon.maxUses !== null && coupon.used >= coupon.maxUses) return out(promotionId, false, 'coupon_used_up', { code, used: coupon.used, maxUses: coupon.maxUses });
    return out(promotionId, false, 'duplicate', { usedCode: c.couponCode, promotion: p.name });
  }
  if (appliedIds.has(promotionId)) return out(promotionId, true, 'coupon_applied', { promotion: p.name });
  return refused(promotionId, r);
}

type CouponOutcomeKey = 'coupon_unknown' | 'promotion_inactive' | 'not_needed' | 'duplicate' | 'coupon_expired' | 'coupon_used_up' | 'coupon_applied';

function isCompiled(p: CompiledPromotions | readonly Promotion[]): p is CompiledPromotions {
  return !Array.isArray(p);
}
