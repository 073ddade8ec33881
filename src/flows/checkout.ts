// Checkout as named steps, each of which knows how to undo itself: claim the cart, price it,
// source each line, reserve stock, authorise the payment, create the order. A failure at any step
// undoes the steps before it, so a failed checkout leaves no reservation, no charge and no order.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../platform/db.js';
import { conflict, Problem } from '../platform/errors.js';
import { emit, type Actor } from '../platform/events/outbox.js';
import { newId } from '../platform/ids.js';
import { queueMail } from '../platform/mail.js';
import { carts, orderLines, orders, payments } from '../modules/commerce/schema.js';
import type { PaymentProvider } from '../modules/commerce/payments.js';
import { getCartRow, getOrder, orderForCart, pricedCart, publicOrder } from '../modules/commerce/service.js';
import { changeReservation, levelsForVariant, atp, reserve } from '../modules/inventory/service.js';
import { variantsForPricing } from '../modules/catalog/service.js';
import { recordRedemptions } from '../modules/promotions/usage.js';
import type { PromotionCache } from '../modules/promotions/service.js';

export interface CheckoutInput {
  cartId: string;
  email?: string;
  /** The total the shopper saw; a different price now gives 409 with what changed. */
  expectedTotal?: number;
  payment: { method: 'test_card'; cardNumber: string };
  customerGroups?: string[];
}

interface Step {
  name: string;
  undo?: () => Promise<void>;
}

export class CheckoutFailed extends Problem {}

/** Where each line comes from: the pickup store, or the first warehouse (then ship-from-store store) that has it. */
async function sourceLines(db: Db, lines: Array<{ id: string; variantId: string; quantity: number; fulfilment: string; pickupLocationId: string | null }>) {
  const rank = (type: string, shipFromStore: boolean) => (type === 'warehouse' ? 0 : shipFromStore ? 1 : 9);
  const chosen: Record<string, string> = {};
  const short: string[] = [];
  for (const l of lines) {
    if (l.fulfilment === 'pickup' && l.pickupLocationId) {
      chosen[l.id] = l.pickupLocationId;
      continue;
    }
    const levels = await levelsForVariant(db, l.variantId);
    const candidates = levels
      .filter((r) => r.location.status === 'active' && rank(r.location.type, r.location.shipFromStore) < 9 && atp(r.level) >= l.quantity)
      .sort((a, b) => rank(a.location.type, a.location.shipFromStore) - rank(b.location.type, b.location.shipFromStore) || atp(b.level) - atp(a.level));
    if (candidates[0]) chosen[l.id] = candidates[0].location.id;
    else short.push(l.id);
  }
  if (short.length) throw new Problem({ status: 409, code: 'out_of_stock', title: 'Not in stock', detail: `Not enough stock to deliver ${short.length} line(s).`, extra: { lineIds: short } });
  return chosen;
}

export async function checkout(db: Db, cache: PromotionCache, provider: PaymentProvider, actor: Actor, input: CheckoutInput) {
  const done: Step[] = [];
  const undoAll = async () => {
    for (const s of done.reverse()) await s.undo?.().catch(() => undefined);
  };
  // Step 1, claim: exactly one checkout of a cart runs; the others get its order or a clear 409.
  const claimed = await db.update(carts).set({ status: 'checking_out', updatedAt: new Date() }).where(sql`${carts.id} = ${input.cartId} and ${carts.status} = 'open'`).returning({ id: carts.id });
  if (!claimed.length) {
    const existing = await orderForCart(db, input.cartId);
    if (existing) return { order: publicOrder(await getOrder(db, existing)), replayed: true };
    const cart = await getCartRow(db, input.cartId);
    throw conflict(`Cart ${cart.id} is ${cart.status === 'checking_out' ? 'being checked out right now' : cart.status}.`, 'checkout_in_progress');
  }
  done.push({ name: 'claim', undo: async () => void (await db.update(carts).set({ status: 'open' }).where(eq(carts.id, input.cartId))) });
  try {
    // Step 2, validate and price.
    const cart = await getCartRow(db, input.cartId);
    if (!cart.lines.length) throw conflict('The cart is empty.', 'cart_empty');
    const email = input.email ?? cart.email;
    if (!email && !cart.customerId && cart.channel !== 'pos') throw new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: 'Give an e-mail address for the order confirmation.', errors: [{ field: '/email', message: 'required' }] });
    const priced = await pricedCart(db, cache, cart, input.customerGroups);
    const quote = priced.quote!;
    if (input.expectedTotal !== undefined && input.expectedTotal !== quote.total) {
      throw conflict(`The cart now costs ${quote.total} cents, not ${input.expectedTotal}: prices or promotions changed. Show the new total and confirm again.`, 'cart_changed', { expectedTotal: input.expectedTotal, total: quote.total, lines: quote.lines.map((l) => ({ lineId: l.lineId, unitPrice: l.unitPrice, total: l.total })) });
    }
    // Step 3, source.
    const sourced = await sourceLines(db, cart.lines);
    // Step 4, reserve every line or none.
    const reservations = await reserve(db, { actor }, cart.lines.map((l) => ({ variantId: l.variantId, locationId: sourced[l.id], quantity: l.quantity })), { reference: cart.id, ttlMinutes: 60 * 24 * 7 });
    done.push({ name: 'reserve', undo: async () => void (await Promise.all(reservations.map((r) => changeReservation(db, { actor }, r.id, 'released', 'checkout failed')))) });
    // Step 5, authorise the payment (outside any transaction: the provider is another system).
    const auth = await provider.authorise({ amount: quote.total, currency: cart.currency, source: { type: 'card', number: input.payment.cardNumber } });
    const paymentId = newId('payment');
    await db.insert(payments).values({ id: paymentId, cartId: cart.id, provider: provider.name, kind: 'authorisation', status: auth.status, amount: quote.total, currency: cart.currency, providerReference: auth.reference, failureCode: auth.failureCode ?? null });
    if (auth.status !== 'succeeded') {
      throw new Problem({ status: 402, code: 'payment_failed', title: 'Payment failed', detail: auth.message ?? 'The payment was not authorised.', extra: { failureCode: auth.failureCode } });
    }
    done.push({
      name: 'authorise',
      undo: async () => {
        await provider.void(auth.reference!);
        await db.insert(payments).values({ id: newId('payment'), cartId: cart.id, provider: provider.name, kind: 'void', status: 'succeeded', amount: quote.total, currency: cart.currency, providerReference: auth.reference });
      },
    });
    // Step 6, create the order, record promotion use, close the cart, confirm: one transaction.
    const orderId = newId('order');
    const taxClasses = await variantsForPricing(db, cart.lines.map((l) => ({ variantId: l.variantId })));
    const reservationByLine = new Map(cart.lines.map((l, i) => [l.id, reservations[i].id]));
    await db.transaction(async (tx) => {
      await tx.insert(orders).values({
        id: orderId,
        cartId: cart.id,
        channel: cart.channel,
        storeId: cart.storeId,
        customerId: cart.customerId,
        email: email ?? null,
        currency: cart.currency,
        country: cart.country,
        subtotal: quote.subtotal,
        discountTotal: quote.discountTotal,
        shippingTotal: quote.shipping.total,
        total: quote.total,
        vat: quote.vat,
        promotions: quote.applied,
      });
      const byId = new Map(cart.lines.map((l) => [l.id, l]));
      const taxOf = new Map(cart.lines.map((l, i) => [l.id, taxClasses[i]?.taxClass ?? 'standard']));
      await tx.insert(orderLines).values(
        quote.lines.map((l) => {
          const line = byId.get(l.lineId)!;
          return {
            id: newId('orderLine'),
            orderId,
            variantId: line.variantId,
            sku: l.sku,
            quantity: l.quantity,
            unitPrice: l.unitPrice,
            adjustments: l.adjustments,
            total: l.total,
            taxClass: taxOf.get(line.id)!,
            fulfilment: line.fulfilment,
            locationId: sourced[line.id],
            reservationId: reservationByLine.get(line.id) ?? null,
          };
        }),
      );
      await tx.update(payments).set({ orderId }).where(eq(payments.id, paymentId));
      await tx.update(carts).set({ status: 'checked_out', email: email ?? null, updatedAt: new Date() }).where(eq(carts.id, cart.id));
      await emit(tx, {
        type: 'order.placed',
        aggregateType: 'order',
        aggregateId: orderId,
        customerId: cart.customerId,
        actor,
        data: { order: { id: orderId, channel: cart.channel, storeId: cart.storeId, total: quote.total, currency: cart.currency, lines: quote.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, total: l.total })) } },
      });
      if (email) {
        await queueMail(tx, {
          to: email,
          purpose: 'order_confirmation',
          subject: cart.country === 'BE' || cart.country === 'NL' ? `Bedankt voor je bestelling ${orderId}` : `Thank you for your order ${orderId}`,
          text: `Bestelling ${orderId}\n\n${quote.lines.map((l) => `${l.quantity} × ${l.sku}  € ${(l.total / 100).toFixed(2)}`).join('\n')}\nVerzending € ${(quote.shipping.total / 100).toFixed(2)}\nTotaal € ${(quote.total / 100).toFixed(2)} (incl. btw € ${(quote.vat.vat / 100).toFixed(2)})\n`,
        });
      }
      // Last: promotion counters are rows every checkout with that promotion updates, so their locks
      // are taken as late as possible and held only until the commit.
      if (quote.usage.redemptions.length) await recordRedemptions(tx, actor, { reference: orderId, customerId: cart.customerId, usages: quote.usage.redemptions });
    });
    return { order: publicOrder(await getOrder(db, orderId)), replayed: false };
  } catch (err) {
    await undoAll();
    throw err;
  }
}
