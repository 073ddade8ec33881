// The order side of the payment ledger. Payments keeps the ledger and talks to the providers
// (src/modules/payments/ledger.ts); it reaches an order only through the PaymentOrders port that
// commerce answers here. The ledger's steps that act on an order are bound to it, for commerce,
// fulfilment, returns and the checkout.
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.js';
import type { RequestContext } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import { lockAggregate } from '../../platform/events/outbox.js';
import * as ledger from '../payments/index.js';
import type { PaymentOrders, PaymentProviders } from '../payments/index.js';
import { orderLines, orders } from './schema.js';
import { assertOrderInScope } from './scope.js';

const payable = (o: typeof orders.$inferSelect) => ({ id: o.id, cartId: o.cartId, customerId: o.customerId, currency: o.currency, shippingTotal: o.shippingTotal, total: o.total });

export const paymentOrders: PaymentOrders = {
  async lock(tx, orderId) {
    await lockAggregate(tx, 'order', orderId);
    const [o] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
    if (!o) throw notFound('order', orderId);
    return payable(o);
  },
  async find(db, orderId) {
    const [o] = await db.select().from(orders).where(eq(orders.id, orderId));
    return o && payable(o);
  },
  moneyLines: (db, orderId) => db.select({ status: orderLines.status, total: orderLines.total, fulfilment: orderLines.fulfilment }).from(orderLines).where(eq(orderLines.orderId, orderId)),
  async recordTotals(tx, orderId, totals) {
    await tx.update(orders).set({ capturedTotal: totals.captured, refundedTotal: totals.refunded }).where(eq(orders.id, orderId));
  },
  async assertInScope(db, caller, orderId) {
    await assertOrderInScope(db, caller, orderId);
  },
};

/** A ledger step's arguments after (executor, providers, orders). */
type After<F> = F extends (a: never, b: never, orders: PaymentOrders, ...rest: infer R) => unknown ? R : never;

export const captureForGoodsInTx = (tx: Tx, providers: PaymentProviders, ...rest: After<typeof ledger.captureForGoodsInTx>) => ledger.captureForGoodsInTx(tx, providers, paymentOrders, ...rest);
export const captureOrderPaymentsInTx = (tx: Tx, providers: PaymentProviders, ...rest: After<typeof ledger.captureOrderPaymentsInTx>) => ledger.captureOrderPaymentsInTx(tx, providers, paymentOrders, ...rest);
export const refundOrderPaymentsInTx = (tx: Tx, providers: PaymentProviders, ...rest: After<typeof ledger.refundOrderPaymentsInTx>) => ledger.refundOrderPaymentsInTx(tx, providers, paymentOrders, ...rest);
export const releaseOrRefundInTx = (tx: Tx, providers: PaymentProviders, ...rest: After<typeof ledger.releaseOrRefundInTx>) => ledger.releaseOrRefundInTx(tx, providers, paymentOrders, ...rest);
export const chargeOrderInTx = (tx: Tx, providers: PaymentProviders, ...rest: After<typeof ledger.chargeOrderInTx>) => ledger.chargeOrderInTx(tx, providers, paymentOrders, ...rest);
export const withRenewedAuthorisations = <T>(db: Db, providers: PaymentProviders, ctx: RequestContext, run: () => Promise<T>) => ledger.withRenewedAuthorisations(db, providers, paymentOrders, ctx, run);
