// The promotion engine's vocabulary: what goes in (cart lines, context, promotion definitions) and
// what comes out (a priced cart that explains itself). Pure data, no behaviour.
// Money is always integer cents, VAT included (B2C prices in the Benelux).

export type Channel = 'web' | 'app' | 'pos' | 'kiosk' | 'scan_go';

export interface CartLine {
  lineId: string;
  sku: string;
  productId: string;
  categoryIds: string[];
  /** Cents incl. VAT, after price-list resolution. */
  unitPrice: number;
  /** Integer > 0. */
  quantity: number;
}

export interface CouponInfo {
  promotionId: string;
  code: string;
  /** null: unlimited. */
  maxUses: number | null;
  used: number;
  expiresAt?: Date;
  batchId?: string;
}

export interface UsageSnapshot {
  /** Redemptions so far per promotion (all customers). */
  totalByPromotion: Record<string, number>;
  /** This customer's redemptions per promotion. */
  byCustomer: Record<string, number>;
  /** Cents of discount given so far per promotion. */
  budgetSpentByPromotion: Record<string, number>;
}

export interface PricingContext {
  now: Date;
  channel: Channel;
  storeId?: string;
  customerId?: string;
  /** E.g. loyalty tiers 'silver', 'gold'. */
  customerGroups: string[];
  isMember: boolean;
  /** Codes the shopper entered (compared upper-case). */
  couponCodes: string[];
  /** Cents, 0 if none. */
  shippingCost: number;
  usage: UsageSnapshot;
  /** The entered codes as found in storage, keyed by upper-case code; unknown codes are absent. */
  coupons: Record<string, CouponInfo>;
}

/**
 * Which cart lines qualify. A line qualifies when it matches any of the lists (its SKU, its product
 * or one of its categories), or always when `all` is set.
 */
export interface Target {
  all?: true;
  skus?: readonly string[];
  productIds?: readonly string[];
  categoryIds?: readonly string[];
}

export interface BundleComponent {
  target: Target;
  quantity: number;
  /** Shown in explanations ("Add 1 more Socks …"). */
  label?: string;
}

export type Rule =
  /** E.g. 20 % off qualifying items. Percent with at most two decimals, 0 < p ≤ 100. */
  | { kind: 'percent_off_items'; percent: number }
  /** Cents off every qualifying unit (never below 0). */
  | { kind: 'amount_off_items'; amountPerUnit: number }
  /** Percent off the order after item discounts; minSubtotal counts the target's lines at shelf price. */
  | { kind: 'percent_off_order'; percent: number; minSubtotal?: number }
  /** Spend €50 get €10: { amount: 1000, minSubtotal: 5000 }. */
  | { kind: 'amount_off_order'; amount: number; minSubtotal?: number }
  /**
   * Buy `buy`, get `get` at `getPercentOff` % off (100 = free). Without getTarget the group is the
   * target's units and the cheapest ones are discounted; with getTarget the discounted units come
   * from that target (the cheapest ones) and the bought units from the main target.
   */
  | { kind: 'buy_x_get_y'; buy: number; get: number; getPercentOff: number; getTarget?: Target }
  /** 3 for 2: { quantity: 3, payFor: 2 }. 3 for €10: { quantity: 3, forPrice: 1000 }. Exactly one of payFor / forPrice. */
  | { kind: 'multi_buy'; quantity: number; payFor?: number; forPrice?: number }
  /** One of each component (times its quantity) together for bundlePrice. */
  | { kind: 'bundle'; components: BundleComponent[]; bundlePrice: number }
  /** Shipping cost waived; minSubtotal counts the target's lines at shelf price. */
  | { kind: 'free_shipping'; minSubtotal?: number };

export type RuleKind = Rule['kind'];

export interface Promotion {
  id: string;
  name: string;
  status: 'active' | 'draft' | 'archived';
  /** Higher first. */
  priority: number;
  stacking: 'exclusive' | 'combinable';
  startsAt?: Date;
  endsAt?: Date;
  channels?: readonly Channel[];
  storeIds?: readonly string[];
  memberOnly?: boolean;
  /** Only for customers in one of these groups (loyalty tiers). */
  customerGroups?: readonly string[];
  /** A personal offer for this one customer. */
  customerId?: string;
  requiresCoupon?: boolean;
  limits?: { total?: number; perCustomer?: number; /** cents */ budget?: number };
  /** Required for item rules; order-level rules and free shipping default to the whole cart (their target only sets which lines count towards minSubtotal); bundles use their components' targets. */
  target?: Target;
  rule: Rule;
}

export type NotAppliedReason =
  | 'not_started'
  | 'expired'
  | 'wrong_channel'
  | 'wrong_store'
  | 'members_only'
  | 'tier_only'
  | 'personal_offer'
  | 'coupon_required'
  | 'coupon_expired'
  | 'coupon_used_up'
  | 'total_limit_reached'
  | 'customer_limit_reached'
  | 'budget_exhausted'
  | 'no_qualifying_items'
  | 'needs_more_items'
  | 'below_min_subtotal'
  /** It qualified, but would take nothing off (items already at or below the offer price, no shipping cost, …). */
  | 'no_saving'
  /** A combinable offer left out because an exclusive one gave the customer more. */
  | 'excluded_by_exclusive'
  /** An exclusive offer that lost: another exclusive offer, or the combinable ones together, gave more. */
  | 'not_better';

export interface Adjustment {
  promotionId: string;
  name: string;
  /** 'order': this line's share of an order-level discount. */
  level: 'item' | 'order';
  /** Negative cents. */
  amount: number;
  description: string;
}

export interface PricedLine {
  lineId: string;
  sku: string;
  unitPrice: number;
  quantity: number;
  /** unitPrice × quantity. */
  subtotal: number;
  /** Item discounts first, then shares of order discounts, each in the order they were applied. */
  adjustments: Adjustment[];
  /** subtotal + Σ adjustments, never below 0. */
  total: number;
}

export interface OrderAdjustment {
  promotionId: string;
  name: string;
  /** Negative cents. */
  amount: number;
  description: string;
}

export interface AppliedPromotion {
  promotionId: string;
  name: string;
  /** Positive cents of discount given (items, order share and shipping together). */
  amount: number;
  couponCode?: string;
  /** E.g. why the discount is smaller than the rule says (budget cap). */
  note?: string;
}

export interface NotApplied {
  promotionId: string;
  name: string;
  reason: NotAppliedReason;
  /** What the reason is made of (amounts in cents, moments in ISO 8601, the offer's terms); see messages.ts. */
  params: Record<string, unknown>;
  /** The reason in words (English from the engine; the API answers in the request's language). */
  message: string;
  /** The cart lines this promotion looked at (empty when none qualified). */
  lineIds: string[];
}

export interface CouponOutcome {
  code: string;
  promotionId?: string;
  applied: boolean;
  reason?: NotAppliedReason | 'coupon_unknown' | 'promotion_inactive' | 'not_needed' | 'duplicate';
  /** The parameters of the reason (or of `coupon_applied` when it applied). */
  params: Record<string, unknown>;
  message: string;
}

/** What checkout must record (see usage.ts recordRedemptions): one redemption per applied promotion. */
export interface UsageToRecord {
  customerId?: string;
  redemptions: { promotionId: string; couponCode?: string; /** positive cents, counts against the budget */ amount: number }[];
}

export interface PricedCart {
  /** In the order the cart gave them. */
  lines: PricedLine[];
  orderAdjustments: OrderAdjustment[];
  shipping: { cost: number; /** positive cents */ discount: number; total: number };
  /** Σ line subtotals (shelf prices). */
  subtotal: number;
  /** Positive cents taken off items by item-level promotions. */
  itemDiscountTotal: number;
  /** Positive cents taken off by order-level promotions (also allocated onto the lines). */
  orderDiscountTotal: number;
  /** Positive cents: item + order + shipping discounts; total = subtotal + shipping.cost − discountTotal. */
  discountTotal: number;
  /** Σ line totals + shipping total; never below 0. */
  total: number;
  applied: AppliedPromotion[];
  notApplied: NotApplied[];
  coupons: CouponOutcome[];
  usage: UsageToRecord;
}
