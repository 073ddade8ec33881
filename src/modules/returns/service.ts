// Returns anywhere: any order, bought in any channel, comes back at any store or by mail.
//
// A return is authorised online (status `requested`, an RMA the customer or staff creates) and
// later received, or made directly at a store (created and received in one step). Receiving it
// inspects every line (restock, damaged, quarantine → stock movements at the receiving location),
// computes the refund and pays it out: to the original tenders (last charged first) or as store
// credit on a new gift card; with an exchange, the new goods are paid from the refund first.
//
// The refund rule (docs/commerce.md, Returns): refund = what was paid for the goods − what the
// goods the customer keeps cost when priced again at the order's unit prices with the promotions
// that applied to the order − what earlier returns of the order already credited. A 3-for-2 of
// which one item comes back is thus refunded what the customer saves no longer, not a third of it.
// Shipping comes back only when nothing at all is kept.
import { and, desc, eq, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../../platform/config.js';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, conflict, forbidden, notFound, Problem, type FieldError, type JsonPointer } from '../../platform/errors.js';
import { emit, lockAggregate, type EventData, type NewEvent } from '../../platform/events/outbox.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { categoryPaths, getProduct, variantsForPricing } from '../catalog/index.js';
import { addExchangeLinesInTx, EXCHANGE_FULFILMENT, orderPromotions, priceKept, type OrderView, captureOrderPaymentsInTx, chargeOrderInTx, refundOrderPaymentsInTx, locationsOfOrder, getOrder } from '../commerce/index.js';
import { orderPayments, paymentSummary, planRefund, tenderPositions, type PaymentProviders, type PaymentRow, type RefundPortion, issueGiftCardInTx, sourceOf, type Tender } from '../payments/index.js';
import { applyMovement, getLocation, reserveInTx } from '../inventory/index.js';
import { quoteCart, type PromotionCache } from '../promotions/index.js';
import { returnLines, returns } from './schema.js';

export type ReturnRow = typeof returns.$inferSelect;
export type ReturnLineRow = typeof returnLines.$inferSelect;
export type Reason = ReturnLineRow['reason'];
export type Outcome = NonNullable<ReturnLineRow['outcome']>;

export const REASONS: Reason[] = ['changed_mind', 'wrong_size', 'defective', 'not_as_described', 'arrived_late', 'wrong_item', 'other'];

export interface ReturnPolicy {
  windowDays: number;
  /** Category ids whose products (and those of their subcategories) cannot be returned. */
  excludedCategoryIds: string[];
}

export function policyFrom(config: Pick<Config, 'returnWindowDays' | 'returnExcludedCategories'>): ReturnPolicy {
  return { windowDays: config.returnWindowDays, excludedCategoryIds: config.returnExcludedCategories.split(',').map((s) => s.trim()).filter(Boolean) };
}

export interface ReturnDeps {
  providers: PaymentProviders;
  policy: ReturnPolicy;
  promotionCache: PromotionCache;
}

export interface ReturnLineInput {
  orderLineId: string;
  quantity: number;
  reason: Reason;
  outcome?: Outcome;
  note?: string;
}

export interface ExchangeInput {
  sku?: string;
  variantId?: string;
  quantity: number;
}

export interface CreateReturnInput {
  orderId: string;
  method: 'in_store' | 'mail';
  lines: ReturnLineInput[];
  refundMethod?: 'original' | 'store_credit';
  /** Receiving store: with it (and an outcome on every line) the return is received at once. */
  locationId?: string;
  exchange?: ExchangeInput[];
  /** Pays an exchange that costs more than the refund. */
  payment?: Tender;
  note?: string;
}

const problem = (status: number, code: string, detail: string, field?: JsonPointer, extra?: Record<string, unknown>) =>
  new Problem({ status, code, title: status === 422 ? 'The request cannot be processed' : 'Conflict', detail, errors: field ? [{ field, message: detail }] : undefined, extra });

/** Quantities of each order line in returns that are not cancelled (requested ones hold their goods too). */
async function returnedSoFar(db: Executor, orderId: string, onlyStatus?: Array<ReturnRow['status']>, excludeReturnId?: string) {
  const where: SQL[] = [eq(returns.orderId, orderId), ne(returns.status, 'cancelled')];
  if (onlyStatus) where.push(inArray(returns.status, onlyStatus));
  if (excludeReturnId) where.push(ne(returns.id, excludeReturnId));
  const rows = await db
    .select({ orderLineId: returnLines.orderLineId, quantity: sql<number>`sum(${returnLines.quantity})::int` })
    .from(returnLines)
    .innerJoin(returns, eq(returns.id, returnLines.returnId))
    .where(and(...where))
    .groupBy(returnLines.orderLineId);
  return new Map(rows.map((r) => [r.orderLineId, r.quantity]));
}

/**
 * What a store needs to take a return of an order, from any store or channel: its lines with what
 * can still come back, and nothing about the person or the payments (GET /v1/returns/order-lookup).
 */
export async function returnableOrder(db: Executor, order: OrderView) {
  const earlier = await returnedSoFar(db, order.id);
  return {
    id: order.id,
    channel: order.channel,
    storeId: order.storeId,
    status: order.status,
    currency: order.currency,
    total: order.total,
    createdAt: order.createdAt.toISOString(),
    lines: order.lines.map((l) => ({
      id: l.id,
      variantId: l.variantId,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      total: l.total,
      status: l.status,
      returnable: l.status === 'fulfilled' ? Math.max(0, l.quantity - (earlier.get(l.id) ?? 0)) : 0,
    })),
  };
}

/** Checks a return against the order and the policy; 422/409 naming the line that fails. */
export async function checkReturnable(db: Executor, policy: ReturnPolicy, order: OrderView, lines: ReturnLineInput[], now = new Date(), excludeReturnId?: string) {
  if (order.status === 'cancelled') throw problem(409, 'order_cancelled', `Order ${order.id} is cancelled; there is nothing to return.`);
  if (!lines.length) throw badRequest('Name at least one line to return.', [{ field: '/lines', message: 'at least one' }]);
  const ageDays = (now.getTime() - order.createdAt.getTime()) / 86_400_000;
  if (ageDays > policy.windowDays) {
    throw problem(422, 'return_window_closed', `Order ${order.id} was placed ${Math.floor(ageDays)} days ago; goods can be returned within ${policy.windowDays} days.`, '/orderId', { windowDays: policy.windowDays });
  }
  const earlier = await returnedSoFar(db, order.id, undefined, excludeReturnId);
  const seen = new Set<string>();
  const variants = await variantsForPricing(db, lines.map((l) => ({ variantId: order.lines.find((x) => x.id === l.orderLineId)?.variantId ?? 'none' })));
  const excluded = new Set(policy.excludedCategoryIds);
  const paths = excluded.size ? await categoryPaths(db, [...new Set(variants.map((v) => v?.categoryId).filter((c): c is string => !!c))]) : new Map<string, string[]>();
  for (const [i, l] of lines.entries()) {
    const field = `/lines/${i}` as const;
    const line = order.lines.find((x) => x.id === l.orderLineId);
    if (!line) throw problem(422, 'unknown_order_line', `Order ${order.id} has no line ${l.orderLineId}.`, `${field}/orderLineId`);
    if (seen.has(line.id)) throw problem(422, 'duplicate_line', `Line ${line.id} is named twice; give its total quantity once.`, `${field}/orderLineId`);
    seen.add(line.id);
    if (line.status === 'cancelled') throw problem(409, 'line_cancelled', `Line ${line.id} (${line.sku}) was cancelled; there is nothing to return.`, field);
    if (line.status !== 'fulfilled') throw problem(409, 'line_not_fulfilled', `Line ${line.id} (${line.sku}) has not reached the customer yet; cancel it instead (POST /v1/orders/${order.id}/lines/${line.id}/cancel).`, field);
    const left = line.quantity - (earlier.get(line.id) ?? 0);
    if (l.quantity > left) throw problem(422, 'quantity_exceeds_returnable', `Only ${left} of ${line.quantity} × ${line.sku} can still be returned.`, `${field}/quantity`, { returnable: left });
    const v = variants[i];
    if (v) {
      const product = await getProduct(db, v.productId).catch(() => null);
      const attrs = (product?.attributes ?? {}) as Record<string, unknown>;
      if (attrs.returnable === false) throw problem(422, 'not_returnable', `${line.sku} cannot be returned (the product is marked not returnable).`, field);
      const cats = v.categoryId ? (paths.get(v.categoryId) ?? [v.categoryId]) : [];
      const hit = cats.find((c) => excluded.has(c));
      if (hit) throw problem(422, 'not_returnable', `${line.sku} cannot be returned: products of category ${hit} are excluded by the return policy.`, field);
    }
  }
}

/**
 * Money of a return: the credit due for the goods coming back (see the rule at the top), the
 * shipping refunded when nothing is kept, and the split over the tenders.
 */
export async function computeRefund(db: Executor, order: OrderView, lines: Array<{ orderLineId: string; quantity: number }>, excludeReturnId?: string) {
  const active = order.lines.filter((l) => l.status !== 'cancelled');
  const returnedBefore = await returnedSoFar(db, order.id, ['received', 'refunded'], excludeReturnId);
  const now = new Map(lines.map((l) => [l.orderLineId, l.quantity]));
  const keptBefore = active.map((l) => ({ orderLineId: l.id, quantity: l.quantity - (returnedBefore.get(l.id) ?? 0) }));
  const keptAfter = keptBefore.map((k) => ({ ...k, quantity: k.quantity - (now.get(k.orderLineId) ?? 0) }));
  const promotions = await orderPromotions(db, order);
  const paidForGoods = active.reduce((s, l) => s + l.total, 0);
  // What the customer had kept before this return was worth the same rule's way: the difference
  // between the two pricings is this return's credit, so successive partial returns add up to
  // exactly what one return of everything would give.
  const before = returnedBefore.size ? await priceKept(db, order, keptBefore, promotions) : { total: paidForGoods };
  const after = await priceKept(db, order, keptAfter, promotions);
  const goods = Math.max(0, before.total - after.total);
  const nothingKept = keptAfter.every((k) => k.quantity === 0);
  const shipping = nothingKept ? order.shippingTotal : 0;
  return { goods, shipping, total: goods + shipping, paidForGoods, keptValueBefore: before.total, keptValueAfter: after.total };
}

/** What capturing `amount` (first tender first) would add to the ledger, for previews. */
function simulateCapture(rows: PaymentRow[], amount: number): PaymentRow[] {
  const out = [...rows];
  let left = amount;
  for (const p of tenderPositions(rows)) {
    if (left === 0) break;
    const take = Math.min(left, p.capturable);
    if (take > 0) out.push({ ...p.authorisation, id: `sim_${p.authorisation.id}`, kind: 'capture', status: 'succeeded', amount: take, parentId: p.authorisation.id });
    left -= take;
  }
  return out;
}

async function priceExchange(db: Executor, cache: PromotionCache, order: OrderView, locationId: string, items: ExchangeInput[]) {
  if (!items.length) return { total: 0, lines: [] as Array<{ variantId: string; sku: string; quantity: number; unitPrice: number; total: number; adjustments: Awaited<ReturnType<typeof quoteCart>>['lines'][number]['adjustments']; taxClass: string }> };
  const quote = await quoteCart(db, cache, { channel: 'pos', storeId: locationId, customerId: order.customerId ?? undefined, country: order.country as 'NL' | 'BE', currency: order.currency, lines: items.map((i) => ({ sku: i.sku, variantId: i.variantId, quantity: i.quantity })) });
  const found = await variantsForPricing(db, items.map((i) => ({ sku: i.sku, variantId: i.variantId })));
  return {
    total: quote.lines.reduce((s, l) => s + l.total, 0),
    lines: quote.lines.map((l, i) => ({ variantId: found[i]!.id, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total, adjustments: l.adjustments, taxClass: found[i]!.taxClass })),
  };
}

export interface RefundPlan {
  goods: number;
  shipping: number;
  /** Credit due for what comes back. */
  due: number;
  exchangeTotal: number;
  /** due − exchange when positive: paid out to the tenders or as store credit. */
  payout: number;
  /** exchange − due when positive: to be paid by the customer. */
  toPay: number;
  refundMethod: 'original' | 'store_credit';
  split: RefundPortion[];
  keptValueBefore: number;
  keptValueAfter: number;
  paidForGoods: number;
}

/** The whole money side of a return, without changing anything. */
export async function planReturnMoney(db: Executor, deps: Pick<ReturnDeps, 'promotionCache'>, order: OrderView, lines: Array<{ orderLineId: string; quantity: number }>, opts: { refundMethod?: 'original' | 'store_credit'; exchange?: ExchangeInput[]; locationId?: string; excludeReturnId?: string }) {
  const r0 = await computeRefund(db, order, lines, opts.excludeReturnId);
  // An exchange keeps the customer's purchase going: the delivery's shipping is not given back.
  const r = opts.exchange?.length ? { ...r0, shipping: 0, total: r0.goods } : r0;
  const exchange = opts.exchange?.length ? await priceExchange(db, deps.promotionCache, order, opts.locationId!, opts.exchange) : { total: 0, lines: [] };
  const payout = Math.max(0, r.total - exchange.total);
  const toPay = Math.max(0, exchange.total - r.total);
  const refundMethod = opts.refundMethod ?? 'original';
  const rows = await orderPayments(db, order.id);
  const s = paymentSummary(rows);
  const shortfall = Math.max(0, payout - s.refundable);
  if (shortfall > s.capturable) throw problem(409, 'refund_exceeds_payments', `The order's payments can give back ${s.refundable + s.capturable} cents; this return is due ${payout}.`);
  // Goods come back only after they reached the customer. When the whole order has, the sale is
  // complete and everything authorised is captured first, so that the refund then follows the
  // tenders' order (last charged, first refunded) instead of whichever happened to be captured.
  const allFulfilled = order.lines.every((l) => l.status !== 'reserved');
  const captureFirst = payout > 0 ? (allFulfilled ? s.capturable : shortfall) : 0;
  const split = payout > 0 && refundMethod === 'original' ? planRefund(simulateCapture(rows, captureFirst), payout) : [];
  const plan: RefundPlan = { goods: r.goods, shipping: r.shipping, due: r.total, exchangeTotal: exchange.total, payout, toPay, refundMethod, split, keptValueBefore: r.keptValueBefore, keptValueAfter: r.keptValueAfter, paidForGoods: r.paidForGoods };
  return { plan, exchangeLines: exchange.lines, captureFirst };
}

// ---------------------------------------------------------------- views

export async function getReturn(db: Executor, id: string) {
  const [r] = await db.select().from(returns).where(eq(returns.id, id));
  if (!r) throw notFound('return', id);
  const lines = await db.select().from(returnLines).where(eq(returnLines.returnId, id)).orderBy(returnLines.id);
  return { ...r, lines };
}
export type ReturnView = Awaited<ReturnType<typeof getReturn>>;

/** What a received return's jsonb columns hold (receiveReturnInTx writes them). */
type StoredRefund = RefundPlan & { giftCardId: string | null };
type StoredExchange = Awaited<ReturnType<typeof planReturnMoney>>['exchangeLines'];

export function publicReturn(r: ReturnView) {
  return {
    id: r.id,
    orderId: r.orderId,
    customerId: r.customerId,
    orderChannel: r.orderChannel,
    method: r.method,
    locationId: r.locationId,
    status: r.status,
    refundMethod: r.refundMethod,
    refundTotal: r.refundTotal,
    // jsonb columns read back untyped (drizzle types them `unknown`).
    refund: r.refund as StoredRefund | null,
    exchange: r.exchange as StoredExchange | null,
    note: r.note,
    lines: r.lines.map((l) => ({ id: l.id, orderLineId: l.orderLineId, variantId: l.variantId, sku: l.sku, quantity: l.quantity, reason: l.reason, outcome: l.outcome, note: l.note })),
    storeIds: r.storeIds,
    createdAt: r.createdAt.toISOString(),
    receivedAt: r.receivedAt?.toISOString() ?? null,
    version: r.version,
  };
}

/** `storeIds`: only returns that belong to one of these stores (a caller's store scope); `[]` finds none. */
export async function listReturns(db: Executor, q: { limit: number; cursor?: string; status?: ReturnRow['status']; orderId?: string; locationId?: string; customerId?: string; storeIds?: readonly string[] }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (q.storeIds) where.push(q.storeIds.length ? sql`${returns.storeIds} && ${sql.param([...q.storeIds])}::text[]` : sql`false`);
  if (after) where.push(lt(returns.id, after));
  if (q.status) where.push(eq(returns.status, q.status));
  if (q.orderId) where.push(eq(returns.orderId, q.orderId));
  if (q.locationId) where.push(eq(returns.locationId, q.locationId));
  if (q.customerId) where.push(eq(returns.customerId, q.customerId));
  const rows = await db.select({ id: returns.id }).from(returns).where(where.length ? and(...where) : undefined).orderBy(desc(returns.id)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: await Promise.all(page.data.map(async (r) => publicReturn(await getReturn(db, r.id)))) };
}

// ---------------------------------------------------------------- changes

// Every return event names its order (so it reaches the customer who placed it, guest or not) and
// how the goods come back; `locationId` once they are handed in, so a return at a store counts as
// a store visit on the customer's timeline.
type ReturnEventType = `return.${'requested' | 'received' | 'refunded' | 'cancelled'}`;
function event<T extends ReturnEventType>(type: T, r: { id: string; orderId: string; customerId: string | null; method: 'in_store' | 'mail' }, ctx: RequestContext, data: Omit<EventData<T>, 'returnId' | 'orderId' | 'method'>): NewEvent<T> {
  // The spread of a generic payload is not seen as EventData<T> by the compiler; `data` is typed above.
  return { type, aggregateType: 'return', aggregateId: r.id, customerId: r.customerId, actor: ctx.actor, data: { returnId: r.id, orderId: r.orderId, method: r.method, ...data } } as unknown as NewEvent<T>;
}

/**
 * Creates a return. Customers create return authorisations for their own orders; staff also
 * receive at once at a store (`locationId` and an outcome per line), which refunds in the same
 * transaction.
 */
export async function createReturn(db: Db, deps: ReturnDeps, ctx: RequestContext, input: CreateReturnInput, who: { customerId?: string } = {}) {
  const direct = !!input.locationId;
  if (direct && input.lines.some((l) => !l.outcome)) throw badRequest('A return received at a store needs an inspection outcome on every line.', input.lines.map((l, i): FieldError | null => (l.outcome ? null : { field: `/lines/${i}/outcome`, message: 'restock, damaged or quarantine' })).filter((e) => e !== null));
  if (!direct && input.exchange?.length) throw badRequest('Exchanges are made at a store, when the goods come back: give `locationId`.', [{ field: '/locationId', message: 'required for an exchange' }]);
  if (who.customerId && direct) throw forbidden('A customer authorises a return; a store receives it.');
  const order = await getOrder(db, input.orderId);
  if (who.customerId && order.customerId !== who.customerId) throw notFound('order', input.orderId);
  await checkReturnable(db, deps.policy, order, input.lines);
  if (direct) {
    const loc = await getLocation(db, input.locationId!);
    if (loc.status !== 'active' || loc.type === 'supplier') throw badRequest(`${loc.name} cannot receive returns.`, [{ field: '/locationId', message: 'an active store or warehouse' }]);
  }
  const id = newId('return');
  let storeCreditCode: string | null = null;
  await db.transaction(async (tx) => {
    await lockAggregate(tx, 'order', order.id);
    // Checked again under the order's lock: two returns of the same goods cannot both pass.
    await checkReturnable(tx, deps.policy, await getOrder(tx, order.id), input.lines);
    const storeIds = [...new Set([...locationsOfOrder(order), ...(input.locationId ? [input.locationId] : [])])];
    await tx.insert(returns).values({ id, orderId: order.id, customerId: order.customerId, orderChannel: order.channel, method: input.method, status: 'requested', refundMethod: input.refundMethod ?? 'original', note: input.note ?? null, createdBy: ctx.actor, storeIds });
    await tx.insert(returnLines).values(
      input.lines.map((l) => {
        const ol = order.lines.find((x) => x.id === l.orderLineId)!;
        return { id: newId('returnLine'), returnId: id, orderLineId: ol.id, variantId: ol.variantId, sku: ol.sku, quantity: l.quantity, reason: l.reason, note: l.note ?? null };
      }),
    );
    const r = { id, orderId: order.id, customerId: order.customerId, method: input.method };
    await emit(tx, event('return.requested', r, ctx, { ...(direct ? { locationId: input.locationId } : {}), orderChannel: order.channel, lines: input.lines.map((l) => ({ orderLineId: l.orderLineId, quantity: l.quantity, reason: l.reason })) }));
    await recordAudit(tx, ctx, { action: 'return.create', resourceType: 'return', resourceId: id, after: { ...input } });
    if (direct) {
      const created = await getReturn(tx, id);
      ({ storeCreditCode } = await receiveInTx(tx, deps, ctx, created, { locationId: input.locationId!, outcomes: created.lines.map((l, i) => ({ returnLineId: l.id, outcome: input.lines[i].outcome! })), exchange: input.exchange, payment: input.payment }));
    }
  });
  return { ret: await getReturn(db, id), storeCreditCode };
}

export interface ReceiveInput {
  locationId: string;
  outcomes: Array<{ returnLineId: string; outcome: Outcome; note?: string }>;
  refundMethod?: 'original' | 'store_credit';
  exchange?: ExchangeInput[];
  payment?: Tender;
}

export async function receiveReturn(db: Db, deps: ReturnDeps, ctx: RequestContext, id: string, input: ReceiveInput) {
  const loc = await getLocation(db, input.locationId);
  if (loc.status !== 'active' || loc.type === 'supplier') throw badRequest(`${loc.name} cannot receive returns.`, [{ field: '/locationId', message: 'an active store or warehouse' }]);
  const { storeCreditCode } = await db.transaction(async (tx) => {
    const r0 = await getReturn(tx, id);
    await lockAggregate(tx, 'order', r0.orderId);
    const r = await getReturn(tx, id);
    if (r.status !== 'requested') throw conflict(`Return ${id} is ${r.status}.`, 'return_not_open', { status: r.status });
    if (input.refundMethod && input.refundMethod !== r.refundMethod) await tx.update(returns).set({ refundMethod: input.refundMethod }).where(eq(returns.id, id));
    return receiveInTx(tx, deps, ctx, { ...r, refundMethod: input.refundMethod ?? r.refundMethod }, input);
  });
  return { ret: await getReturn(db, id), storeCreditCode };
}

/** Inspection, stock, refund and exchange of a return, in the caller's transaction. */
async function receiveInTx(tx: Tx, deps: ReturnDeps, ctx: RequestContext, r: ReturnView, input: ReceiveInput) {
  const byLine = new Map(input.outcomes.map((o) => [o.returnLineId, o]));
  for (const [i, l] of r.lines.entries()) if (!byLine.has(l.id)) throw badRequest(`Give the inspection outcome of return line ${l.id} (${l.sku}).`, [{ field: `/outcomes/${i}`, message: `missing for ${l.id}` }]);
  for (const o of input.outcomes) if (!r.lines.some((l) => l.id === o.returnLineId)) throw badRequest(`Return ${r.id} has no line ${o.returnLineId}.`, [{ field: '/outcomes', message: `unknown line ${o.returnLineId}` }]);
  const order = await getOrder(tx, r.orderId);
  // Stock: every returned unit is a return movement at the receiving location; damaged ones are
  // then written off, quarantined ones held by a reservation until someone decides.
  for (const l of r.lines) {
    const o = byLine.get(l.id)!;
    await tx.update(returnLines).set({ outcome: o.outcome, note: o.note ?? l.note }).where(eq(returnLines.id, l.id));
    await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: input.locationId, type: 'return', onHandDelta: l.quantity, reason: `return ${l.reason}`, reference: r.id });
    if (o.outcome === 'damaged') await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: input.locationId, type: 'damage', onHandDelta: -l.quantity, reason: 'returned damaged', reference: r.id });
    if (o.outcome === 'quarantine') await reserveInTx(tx, ctx.actor, [{ variantId: l.variantId, locationId: input.locationId, quantity: l.quantity }], { reference: `quarantine:${r.id}` });
  }
  const { plan, exchangeLines, captureFirst } = await planReturnMoney(tx, deps, order, r.lines, { refundMethod: r.refundMethod, exchange: input.exchange, locationId: input.locationId, excludeReturnId: r.id });
  if (plan.toPay > 0 && !input.payment) throw new Problem({ status: 402, code: 'payment_required', title: 'Payment required', detail: `The exchange costs ${plan.toPay} cents more than the refund; give \`payment\`.`, extra: { toPay: plan.toPay } });
  // Exchange goods leave the store now, as fulfilled lines of the same order.
  if (exchangeLines.length) {
    for (const l of exchangeLines) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: input.locationId, type: 'sale', onHandDelta: -l.quantity, reason: 'exchange', reference: r.id });
    await addExchangeLinesInTx(tx, order.id, input.locationId, exchangeLines);
  }
  let giftCard: { id: string; code: string } | null = null;
  if (plan.payout > 0) {
    // Goods that came back had reached the customer, so their money is taken if it was not yet.
    if (captureFirst > 0) await captureOrderPaymentsInTx(tx, deps.providers, ctx, order.id, captureFirst, { reference: r.id });
    if (plan.refundMethod === 'store_credit') {
      const issued = await issueGiftCardInTx(tx, ctx, { amount: plan.payout, currency: order.currency, customerId: order.customerId, origin: 'store_credit', reference: r.id });
      giftCard = { id: issued.giftCard.id, code: issued.code };
      await refundOrderPaymentsInTx(tx, deps.providers, ctx, order.id, plan.payout, { reason: `return ${r.id} as store credit`, reference: r.id, storeCreditGiftCardId: issued.giftCard.id });
    } else {
      await refundOrderPaymentsInTx(tx, deps.providers, ctx, order.id, plan.payout, { reason: `return ${r.id}`, reference: r.id });
    }
  }
  if (plan.toPay > 0) await chargeOrderInTx(tx, deps.providers, ctx, order.id, plan.toPay, input.payment!.method, sourceOf(input.payment!), { reference: r.id });
  const refund = { ...plan, giftCardId: giftCard?.id ?? null };
  await tx
    .update(returns)
    .set({ status: 'refunded', locationId: input.locationId, storeIds: sql`array(select distinct x from unnest(${returns.storeIds} || ${input.locationId}::text) x order by x)`, receivedAt: new Date(), refundTotal: plan.due, refund, exchange: exchangeLines.length ? exchangeLines : null, updatedAt: new Date(), version: sql`${returns.version} + 1` })
    .where(eq(returns.id, r.id));
  await emit(
    tx,
    event('return.received', r, ctx, { locationId: input.locationId, lines: r.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, outcome: byLine.get(l.id)!.outcome })) }),
    event('return.refunded', r, ctx, { locationId: input.locationId, refund: { due: plan.due, payout: plan.payout, toPay: plan.toPay, method: plan.refundMethod, giftCardId: giftCard?.id ?? null, split: plan.split } }),
  );
  await recordAudit(tx, ctx, { action: 'return.receive', resourceType: 'return', resourceId: r.id, after: { locationId: input.locationId, outcomes: input.outcomes, refund } });
  // The store credit's code is shown once, to whoever received the return.
  return { storeCreditCode: giftCard?.code ?? null };
}

export async function cancelReturn(db: Db, ctx: RequestContext, id: string, who: { customerId?: string } = {}) {
  return db.transaction(async (tx) => {
    const r0 = await getReturn(tx, id);
    if (who.customerId && r0.customerId !== who.customerId) throw notFound('return', id);
    await lockAggregate(tx, 'order', r0.orderId);
    const [r] = await tx.update(returns).set({ status: 'cancelled', updatedAt: new Date(), version: sql`${returns.version} + 1` }).where(and(eq(returns.id, id), eq(returns.status, 'requested'))).returning();
    if (!r) throw conflict(`Return ${id} is ${r0.status}; only a requested return can be cancelled.`, 'return_not_open', { status: r0.status });
    await emit(tx, event('return.cancelled', r, ctx, {}));
    await recordAudit(tx, ctx, { action: 'return.cancel', resourceType: 'return', resourceId: id });
    return getReturn(tx, id);
  });
}

export { EXCHANGE_FULFILMENT };
