// Order edits before fulfilment (cancel a line, change the pickup store), and the repricing that
// edits and returns share: the goods a customer keeps are priced again at the order's unit prices
// with the promotions that applied to the order, as they applied then.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound, Problem } from '../../platform/errors.js';
import { emit, lockAggregate, type Actor } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { categoryPaths, variantsForPricing } from '../catalog/index.js';
import { endReservation, getLocation, reserveInTx } from '../inventory/index.js';
import { priceCart, getPromotion, toEngine } from '../promotions/index.js';
import type { AppliedPromotion, CartLine, Channel, Promotion } from '../promotions/index.js';
import { vatBreakdown, type TaxClass } from '../pricing/index.js';
import { orderPayments, paymentSummary, type PaymentProviders } from '../payments/index.js';
import { releaseOrRefundInTx } from './payments.js';
import { orderLines, orders } from './schema.js';
import { getOrder } from './service.js';

/**
 * What an order edit asks of the fulfilments of the order's lines: the fulfilment module answers
 * it (its orderFulfilments, joined in app.ts), so commerce does not import fulfilment, which
 * works on commerce's orders.
 */
export interface OrderFulfilments {
  /** Locks the live fulfilments holding these lines (before the order, the order of every lock). */
  lockFulfilmentsOfLines(tx: Tx, orderLineIds: string[]): Promise<void>;
  /** 409 when someone has started on a fulfilment holding one of these lines. */
  assertFulfilmentsOpen(db: Executor, orderLineIds: string[], what: string): Promise<void>;
  /** Takes the lines off their fulfilments (cancelling one left empty); answers what changed. */
  removeLinesFromFulfilments(tx: Tx, actor: Actor, orderLineIds: string[], reason: string): Promise<Array<{ fulfilmentId: string; removed: string[]; cancelled: boolean }>>;
  /** Moves pickup lines to a pick task at another store; answers that fulfilment's id. */
  movePickupLines(
    tx: Tx,
    actor: Actor,
    order: { id: string; customerId: string | null; email: string | null; country: string },
    locationId: string,
    lines: Array<{ orderLineId: string; variantId: string; sku: string; quantity: number; reservationId: string | null }>,
  ): Promise<string | null>;
}

export type OrderView = Awaited<ReturnType<typeof getOrder>>;
export type OrderLineRow = OrderView['lines'][number];

/** Lines marked so are exchange goods sold at a later price; repricing keeps their own price. */
export const EXCHANGE_FULFILMENT = 'exchange';

/**
 * The promotions that applied to the order, as the engine needs them to price the kept goods
 * again: their rule, target, stacking and priority; the conditions the order already met
 * (schedule, channel, store, customer group, coupon, usage limits) are dropped, because they were
 * met then and must not be judged again now.
 */
export async function orderPromotions(db: Executor, order: { promotions: unknown }): Promise<Promotion[]> {
  const applied = (order.promotions ?? []) as AppliedPromotion[];
  const out: Promotion[] = [];
  for (const a of applied) {
    const row = await getPromotion(db, a.promotionId).catch(() => null);
    if (!row) continue; // a promotion deleted since: nothing to price with
    const p = toEngine(row);
    out.push({ id: p.id, name: p.name, status: 'active', priority: p.priority, stacking: p.stacking, target: p.target, rule: p.rule });
  }
  return out;
}

export interface KeptLine {
  orderLineId: string;
  quantity: number;
}

/**
 * What the kept goods cost with the order's promotions: per line and in total (shipping apart).
 * Exchange lines keep their own paid price pro rata.
 */
export async function priceKept(db: Executor, order: OrderView, kept: KeptLine[], promotions?: Promotion[]) {
  const byId = new Map(order.lines.map((l) => [l.id, l]));
  const regular = kept.filter((k) => k.quantity > 0 && byId.get(k.orderLineId)!.fulfilment !== EXCHANGE_FULFILMENT);
  const fixed = kept.filter((k) => k.quantity > 0 && byId.get(k.orderLineId)!.fulfilment === EXCHANGE_FULFILMENT);
  const perLine = new Map<string, number>();
  for (const k of fixed) {
    const l = byId.get(k.orderLineId)!;
    perLine.set(k.orderLineId, Math.round((l.total * k.quantity) / l.quantity));
  }
  let priced: ReturnType<typeof priceCart> | null = null;
  if (regular.length) {
    const found = await variantsForPricing(
      db,
      regular.map((k) => ({ variantId: byId.get(k.orderLineId)!.variantId })),
    );
    const ancestors = await categoryPaths(db, [...new Set(found.map((v) => v?.categoryId).filter((c): c is string => !!c))]);
    const lines: CartLine[] = regular.map((k, i) => {
      const l = byId.get(k.orderLineId)!;
      const v = found[i];
      return { lineId: l.id, sku: l.sku, productId: v?.productId ?? l.variantId, categoryIds: v?.categoryId ? (ancestors.get(v.categoryId) ?? [v.categoryId]) : [], unitPrice: l.unitPrice, quantity: k.quantity };
    });
    priced = priceCart(lines, promotions ?? (await orderPromotions(db, order)), {
      now: order.createdAt,
      channel: order.channel as Channel,
      customerGroups: [],
      isMember: true,
      couponCodes: [],
      shippingCost: 0,
      usage: { totalByPromotion: {}, byCustomer: {}, budgetSpentByPromotion: {} },
      coupons: {},
    });
    for (const l of priced.lines) perLine.set(l.lineId, l.total);
  }
  const total = [...perLine.values()].reduce((s, v) => s + v, 0);
  return { total, perLine, priced };
}

async function lockOrderForEdit(tx: Tx, orderId: string) {
  await lockAggregate(tx, 'order', orderId);
  return getOrder(tx, orderId);
}

function assertEditable(order: OrderView, lineIds: string[]) {
  for (const id of lineIds) {
    const l = order.lines.find((x) => x.id === id);
    if (!l) throw notFound('order line', id);
    if (l.status === 'fulfilled') throw conflict(`Line ${id} (${l.sku}) is fulfilled already; return it instead.`, 'line_fulfilled', { lineId: id });
    if (l.status === 'cancelled') throw conflict(`Line ${id} (${l.sku}) is cancelled already.`, 'line_cancelled', { lineId: id });
  }
  if (order.status !== 'placed') throw conflict(`Order ${order.id} is ${order.status}; only a placed order can be edited.`, 'order_not_editable', { status: order.status });
}

/**
 * Writes the new prices of the remaining lines and the order's totals, and gives back (void, else
 * refund) or asks for the difference. Answers the difference (positive = the customer gets money back).
 */
async function reprice(tx: Tx, providers: PaymentProviders, ctx: RequestContext, order: OrderView, remaining: OrderLineRow[], reason: string, reference: string) {
  const { perLine, priced } = await priceKept(tx, order, remaining.map((l) => ({ orderLineId: l.id, quantity: l.quantity })));
  for (const l of remaining) {
    const p = priced?.lines.find((x) => x.lineId === l.id);
    if (p) await tx.update(orderLines).set({ total: p.total, adjustments: p.adjustments }).where(eq(orderLines.id, l.id));
  }
  const goods = [...perLine.values()].reduce((s, v) => s + v, 0);
  const anyDelivery = remaining.some((l) => l.fulfilment === 'delivery');
  // Shipping stays as charged while something is still delivered; it goes when nothing is.
  const shippingTotal = anyDelivery ? order.shippingTotal : 0;
  const subtotal = remaining.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  const total = goods + shippingTotal;
  const taxOf = new Map(remaining.map((l) => [l.id, l.taxClass as TaxClass]));
  const vat = vatBreakdown(order.country as 'NL' | 'BE', [...remaining.map((l) => ({ gross: perLine.get(l.id) ?? 0, taxClass: taxOf.get(l.id) ?? 'standard' })), ...(shippingTotal ? [{ gross: shippingTotal, taxClass: 'standard' as TaxClass }] : [])]);
  const applied = priced?.applied ?? [];
  await tx
    .update(orders)
    .set({ subtotal, discountTotal: subtotal + shippingTotal - total, shippingTotal, total, vat, promotions: applied, version: sql`${orders.version} + 1` })
    .where(eq(orders.id, order.id));
  const difference = order.total - total;
  // Give back what was paid or held for it; money never received (a failed payment) is not owed.
  const held = paymentSummary(await orderPayments(tx, order.id));
  const giveBack = Math.min(difference, held.capturable + held.refundable);
  if (giveBack > 0) await releaseOrRefundInTx(tx, providers, ctx, order.id, giveBack, { reason, reference });
  if (difference < 0) {
    // The same goods with the same promotions never cost more when fewer are kept; a rise means
    // a promotion was changed meanwhile, and charging for it needs the customer's consent.
    throw new Problem({ status: 409, code: 'reprice_increases_total', title: 'Conflict', detail: `Without those lines the order would cost ${-difference} cents more (a promotion changed since the order). Cancel the whole order or leave it as it is.` });
  }
  return { oldTotal: order.total, newTotal: total, difference };
}

export async function cancelOrderLine(db: Db, providers: PaymentProviders, fulfilments: OrderFulfilments, ctx: RequestContext, orderId: string, lineId: string, reason?: string) {
  return db.transaction(async (tx) => {
    await fulfilments.lockFulfilmentsOfLines(tx, [lineId]);
    const order = await lockOrderForEdit(tx, orderId);
    assertEditable(order, [lineId]);
    const line = order.lines.find((l) => l.id === lineId)!;
    // Off the pick list first (409 when someone has picked it already): the fulfilment is cancelled when nothing is left.
    const fulfilmentChanges = await fulfilments.removeLinesFromFulfilments(tx, ctx.actor, [lineId], `order line ${line.sku} cancelled${reason ? `: ${reason}` : ''}`);
    if (line.reservationId) await endReservation(tx, ctx.actor, line.reservationId, 'released', `order line cancelled${reason ? `: ${reason}` : ''}`).catch((err) => {
      if ((err as Problem).code !== 'reservation_not_active') throw err;
    });
    await tx.update(orderLines).set({ status: 'cancelled' }).where(eq(orderLines.id, lineId));
    const remaining = order.lines.filter((l) => l.id !== lineId && l.status !== 'cancelled');
    const money = await reprice(tx, providers, ctx, order, remaining, `line ${line.sku} cancelled`, lineId);
    const allGone = remaining.length === 0;
    if (allGone) await tx.update(orders).set({ status: 'cancelled' }).where(eq(orders.id, orderId));
    await emit(tx, { type: 'order.line_cancelled', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, line: { id: lineId, sku: line.sku, quantity: line.quantity }, reason: reason ?? null, fulfilments: fulfilmentChanges, ...money } });
    if (allGone) await emit(tx, { type: 'order.cancelled', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { order: { id: orderId, status: 'cancelled', total: 0, currency: order.currency }, reason: 'every line cancelled' } });
    await recordAudit(tx, ctx, { action: 'order.cancel_line', resourceType: 'order', resourceId: orderId, before: { total: order.total }, after: { lineId, reason, ...money } });
    return money;
  });
}

/** Moves pickup lines (all of them by default) to another store: reserve there first, then release here. */
export async function changePickupStore(db: Db, fulfilments: OrderFulfilments, ctx: RequestContext, orderId: string, locationId: string, lineIds?: string[]) {
  const store = await getLocation(db, locationId);
  if (store.status !== 'active' || !store.pickup) throw badRequest(`${store.name} does not take pickups.`, [{ field: '/locationId', message: 'not a pickup store' }]);
  return db.transaction(async (tx) => {
    const wanted = lineIds ?? (await tx.select({ id: orderLines.id }).from(orderLines).where(eq(orderLines.orderId, orderId))).map((l) => l.id);
    await fulfilments.lockFulfilmentsOfLines(tx, wanted);
    const order = await lockOrderForEdit(tx, orderId);
    const targets = (lineIds ?? order.lines.filter((l) => l.fulfilment === 'pickup' && l.status === 'reserved').map((l) => l.id));
    if (!targets.length) throw conflict('The order has no pickup line waiting to be collected.', 'no_pickup_lines');
    assertEditable(order, targets);
    const moving = targets.map((id) => order.lines.find((l) => l.id === id)!).filter((l) => l.locationId !== locationId);
    for (const l of moving) if (l.fulfilment !== 'pickup') throw conflict(`Line ${l.id} is ${l.fulfilment}, not a pickup.`, 'not_a_pickup_line', { lineId: l.id });
    // A pick task someone has started (picked, ready for pickup) stays where it is.
    await fulfilments.assertFulfilmentsOpen(tx, moving.map((l) => l.id), 'changing the pickup store');
    const made = moving.length ? await reserveInTx(tx, ctx.actor, moving.map((l) => ({ variantId: l.variantId, locationId, quantity: l.quantity })), { reference: order.cartId }) : [];
    const newReservation = new Map<string, string>();
    for (const l of moving) {
      const r = made.find((m) => m.line.variantId === l.variantId && m.line.quantity === l.quantity && !('used' in m));
      (r as { used?: boolean }).used = true;
      if (l.reservationId) await endReservation(tx, ctx.actor, l.reservationId, 'released', `pickup moved to ${store.code}`).catch((err) => {
        if ((err as Problem).code !== 'reservation_not_active') throw err;
      });
      await tx.update(orderLines).set({ locationId, reservationId: r!.id }).where(eq(orderLines.id, l.id));
      newReservation.set(l.id, r!.id);
    }
    // The store's queue follows: the lines leave the old pick task (cancelled when empty) for one at the new store.
    const fulfilmentId = await fulfilments.movePickupLines(
      tx,
      ctx.actor,
      order,
      locationId,
      moving.map((l) => ({ orderLineId: l.id, variantId: l.variantId, sku: l.sku, quantity: l.quantity, reservationId: newReservation.get(l.id) ?? null })),
    );
    const moved = moving.map((l) => ({ id: l.id, sku: l.sku, from: l.locationId, to: locationId }));
    await tx.update(orders).set({ version: sql`${orders.version} + 1` }).where(eq(orders.id, orderId));
    await emit(tx, { type: 'order.pickup_store_changed', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, locationId, lines: moved, fulfilmentId } });
    await recordAudit(tx, ctx, { action: 'order.change_pickup_store', resourceType: 'order', resourceId: orderId, after: { locationId, lines: moved } });
    return { moved };
  });
}

/** Exchange goods handed over at a store: new order lines, already fulfilled, at their own price. */
export async function addExchangeLinesInTx(tx: Tx, orderId: string, locationId: string, lines: Array<{ variantId: string; sku: string; quantity: number; unitPrice: number; total: number; adjustments: unknown; taxClass: string }>) {
  if (!lines.length) return [];
  const rows = lines.map((l) => ({ id: newId('orderLine'), orderId, variantId: l.variantId, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, adjustments: l.adjustments, total: l.total, taxClass: l.taxClass, fulfilment: EXCHANGE_FULFILMENT, locationId, reservationId: null, status: 'fulfilled' as const }));
  await tx.insert(orderLines).values(rows);
  const add = lines.reduce((s, l) => s + l.total, 0);
  const shelf = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  await tx
    .update(orders)
    .set({ subtotal: sql`${orders.subtotal} + ${shelf}`, discountTotal: sql`${orders.discountTotal} + ${shelf - add}`, total: sql`${orders.total} + ${add}`, version: sql`${orders.version} + 1` })
    .where(eq(orders.id, orderId));
  return rows;
}

export async function orderLinesByIds(db: Executor, ids: string[]) {
  if (!ids.length) return [];
  return db.select().from(orderLines).where(and(inArray(orderLines.id, ids)));
}
