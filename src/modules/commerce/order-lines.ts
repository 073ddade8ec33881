// Order and order-line state as fulfilment moves it, in the commerce module that owns orders (order
// edits are in edits.ts): a line is fulfilled when its goods leave with the customer or the carrier
// (at the counter of a till sale, or through its fulfilment), cancelled when its fulfilment is; the
// order is completed once every line is settled, cancelled when every line is. Every change emits its
// event in the same transaction.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db.js';
import { emit, type Actor } from '../../platform/events/outbox.js';
import { endReservation } from '../inventory/index.js';
import { orderLines, orders } from './schema.js';

export async function settleOrderLines(tx: Tx, actor: Actor, orderId: string, lineIds: string[], status: 'fulfilled' | 'cancelled') {
  if (!lineIds.length) return;
  await tx
    .update(orderLines)
    .set({ status })
    .where(and(eq(orderLines.orderId, orderId), inArray(orderLines.id, lineIds), eq(orderLines.status, 'reserved')));
  const lines = await tx.select({ status: orderLines.status }).from(orderLines).where(eq(orderLines.orderId, orderId));
  if (lines.some((l) => l.status === 'reserved')) return;
  const next = lines.every((l) => l.status === 'cancelled') ? 'cancelled' : 'completed';
  const [o] = await tx
    .update(orders)
    .set({ status: next, version: sql`${orders.version} + 1` })
    .where(and(eq(orders.id, orderId), eq(orders.status, 'placed')))
    .returning({ id: orders.id, customerId: orders.customerId, total: orders.total, currency: orders.currency });
  if (o) await emit(tx, { type: `order.${next}`, aggregateType: 'order', aggregateId: orderId, customerId: o.customerId, actor, data: { order: { id: orderId, status: next, total: o.total, currency: o.currency } } });
}

/**
 * Lines sold at a till, kiosk or scan & go and carried out at the counter, in the transaction that
 * creates the order: each reservation becomes a sale in the stock ledger (through the inventory
 * service, the one place that moves stock), the lines are fulfilled with `order.handed_over`, and
 * the order completes (`order.completed`) when nothing else is left to fulfil. The money follows in
 * the checkout's next step (captureForGoodsInTx).
 */
export async function handOverAtCounter(tx: Tx, actor: Actor, order: { id: string; customerId: string | null; channel: string; storeId: string | null }, lines: Array<{ id: string; sku: string; quantity: number; reservationId: string | null }>) {
  if (!lines.length) return;
  for (const l of lines) if (l.reservationId) await endReservation(tx, actor, l.reservationId, 'converted', `sold at the counter: order ${order.id}`);
  await emit(tx, {
    type: 'order.handed_over',
    aggregateType: 'order',
    aggregateId: order.id,
    customerId: order.customerId,
    actor,
    data: { order: { id: order.id, channel: order.channel, storeId: order.storeId }, locationId: order.storeId, lines: lines.map((l) => ({ orderLineId: l.id, sku: l.sku, quantity: l.quantity })) },
  });
  await settleOrderLines(tx, actor, order.id, lines.map((l) => l.id), 'fulfilled');
}

/** The amounts of order lines, for refunds of cancelled goods. */
export async function orderLineTotals(tx: Tx, orderId: string) {
  const [o] = await tx.select({ id: orders.id, total: orders.total, currency: orders.currency, shippingTotal: orders.shippingTotal, customerId: orders.customerId, status: orders.status }).from(orders).where(eq(orders.id, orderId));
  const lines = await tx.select({ id: orderLines.id, total: orderLines.total, status: orderLines.status, fulfilment: orderLines.fulfilment }).from(orderLines).where(eq(orderLines.orderId, orderId));
  return { order: o, lines };
}

/** The order's lines as they are now: an order edit may have cancelled one or moved its reservation. */
export async function currentOrderLines(tx: Tx, orderId: string) {
  const rows = await tx.select({ id: orderLines.id, status: orderLines.status, reservationId: orderLines.reservationId, locationId: orderLines.locationId }).from(orderLines).where(eq(orderLines.orderId, orderId));
  return new Map(rows.map((r) => [r.id, r]));
}
