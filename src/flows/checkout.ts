// Checkout as named steps, each of which knows how to undo itself: claim the cart, price it,
// source each line, reserve stock, authorise the payment, create the order. A failure at any step
// undoes the steps before it, so a failed checkout leaves no reservation, no charge and no order.
// Once the order exists nothing is undone: the last step captures what the sale is paid with now
// (cash, the card terminal, and the goods carried out at the counter), and a checkout retried after
// it failed or the process died runs that step again (it is cumulative, so nothing is taken twice).
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../platform/db.js';
import { conflict, Problem } from '../platform/errors.js';
import { emit, type Actor } from '../platform/events/outbox.js';
import { newId } from '../platform/ids.js';
import { queueOrderConfirmation } from '../modules/receipts/index.js';
import { carts, orderLines, orders } from '../modules/commerce/schema.js';
import { payments } from '../modules/payments/schema.js';
import { captureForGoodsInTx, withRenewedAuthorisations, handOverAtCounter, normaliseAddress, type ShippingAddressInput, normaliseCheckoutNote, getCartRow, getOrder, orderForCart, pricedCart, publicOrder } from '../modules/commerce/index.js';
import { type PaymentProviders, planTenders, type Tender } from '../modules/payments/index.js';
import { changeReservation, reserve } from '../modules/inventory/index.js';
import { sourceOrder, type SourceOrderOptions, carriedOutAtCounter, createOrderFulfilments } from '../modules/fulfilment/index.js';
import { variantsForPricing } from '../modules/catalog/index.js';
import { recordRedemptions } from '../modules/promotions/index.js';
import type { PromotionCache } from '../modules/promotions/index.js';

export interface CheckoutInput {
  cartId: string;
  email?: string;
  /** The total the shopper saw; a different price now gives 409 with what changed. */
  expectedTotal?: number;
  /** Pay whatever the cart costs now; without it (or `expectedTotal`) the checkout is refused with 409 cart_changed. */
  acceptCurrentPrice?: boolean;
  /**
   * One test card for the whole total (the original shape); or `pay_at_pickup` (reserve in store,
   * pay at the counter: every line must be collected); or give `tenders`.
   */
  payment?: { method: 'test_card'; cardNumber: string } | { method: 'pay_at_pickup' };
  /** Split tender, charged in this order (see src/modules/payments/tenders.ts). */
  tenders?: Tender[];
  /** Sourcing policy, ship-to-store and the customer's coordinates (docs/commerce.md, Sourcing policy). */
  sourcing?: SourceOrderOptions;
  /** Where home delivery goes; its coordinates, when given, are the sourcing destination. */
  shippingAddress?: ShippingAddressInput | null;
  /** Refuse a cart with delivery lines and no address (400 naming /shippingAddress). */
  requireShippingAddress?: boolean;
  /** The customer's note for the order ("ring the neighbour's bell"); trimmed, at most 1,000 characters. */
  note?: string | null;
}

interface Step {
  name: string;
  undo?: () => Promise<void>;
}

export class CheckoutFailed extends Problem {}

/** Channels that sell in a store: the till, the kiosk, scan & go. */
const IN_STORE_CHANNELS = new Set(['pos', 'kiosk', 'scan_go']);

/**
 * Where each line comes from: the sourcing engine decides (src/modules/fulfilment/sourcing.ts, under
 * the configured policy) and explains why. A delivery line nothing can serve is 409 out_of_stock; a
 * pickup line its store cannot serve stays at that store, so that the reservation says exactly how
 * much is there (409 insufficient_stock).
 */
async function sourceLines(db: Db, lines: Array<{ id: string; variantId: string; quantity: number; fulfilment: string; pickupLocationId: string | null }>, opts: SourceOrderOptions) {
  const decision = await sourceOrder(
    db,
    lines.map((l) => ({ lineId: l.id, variantId: l.variantId, quantity: l.quantity, fulfilment: l.fulfilment === 'pickup' ? 'pickup' : 'delivery', pickupLocationId: l.pickupLocationId })),
    opts,
  );
  const chosen: Record<string, string> = {};
  const short: string[] = [];
  for (const d of decision.lines) {
    if (d.locationId) chosen[d.lineId] = d.locationId;
    else if (d.method !== 'delivery' && d.pickupLocationId) chosen[d.lineId] = d.pickupLocationId;
    else short.push(d.lineId);
  }
  if (short.length) throw new Problem({ status: 409, code: 'out_of_stock', title: 'Not in stock', detail: `Not enough stock to deliver ${short.length} line(s).`, extra: { lineIds: short } });
  const decisionOf = new Map(decision.lines.map((d) => [d.lineId, { ...d, locationId: chosen[d.lineId] }]));
  return { chosen, decisionOf };
}

/**
 * Step 7: capture what is due at the sale (docs/commerce.md, "When money is captured"): cash and
 * card-present tenders in full, and the value of the goods carried out at the counter. Its own
 * transaction after the order's; safe to run again (a retry finds nothing left to capture).
 */
async function captureAtSale(db: Db, providers: PaymentProviders, actor: Actor, orderId: string) {
  const ctx = { actor };
  return withRenewedAuthorisations(db, providers, ctx, () => db.transaction((tx) => captureForGoodsInTx(tx, providers, ctx, orderId, { reference: orderId })));
}

/** Whether the sale itself takes money: an in-store order (goods carried out) or a tender captured at the sale. */
function capturesAtSale(providers: PaymentProviders, channel: string, tenderProviders: string[]) {
  return IN_STORE_CHANNELS.has(channel) || tenderProviders.some((p) => providers.get(p).captureRule === 'at_sale');
}

export async function checkout(db: Db, cache: PromotionCache, providers: PaymentProviders, actor: Actor, input: CheckoutInput) {
  // Checked before anything happens, so a note that is too long leaves the cart as it was.
  const note = normaliseCheckoutNote(input.note);
  const done: Step[] = [];
  const undoAll = async () => {
    for (const s of done.reverse()) await s.undo?.().catch(() => undefined);
  };
  // Step 1, claim: exactly one checkout of a cart runs; the others get its order or a clear 409.
  // The claim is a lock, not an edit: a refused checkout leaves the cart exactly as it was (its
  // updatedAt too); a placed order marks the cart checked out below.
  const claimed = await db.update(carts).set({ status: 'checking_out' }).where(sql`${carts.id} = ${input.cartId} and ${carts.status} = 'open'`).returning({ id: carts.id });
  if (!claimed.length) {
    const existing = await orderForCart(db, input.cartId);
    if (existing) {
      // The first checkout may have died before its capture step: this one finishes it.
      const o = await getOrder(db, existing);
      if (capturesAtSale(providers, o.channel, o.payments.filter((p) => p.kind === 'authorisation').map((p) => p.provider))) await captureAtSale(db, providers, actor, existing);
      return { order: publicOrder(await getOrder(db, existing)), replayed: true };
    }
    const cart = await getCartRow(db, input.cartId);
    throw conflict(`Cart ${cart.id} is ${cart.status === 'checking_out' ? 'being checked out right now' : cart.status}.`, 'checkout_in_progress');
  }
  done.push({ name: 'claim', undo: async () => void (await db.update(carts).set({ status: 'open' }).where(eq(carts.id, input.cartId))) });
  let placed: { orderId: string; captureNow: boolean };
  try {
    // Step 2, validate and price.
    const cart = await getCartRow(db, input.cartId);
    if (!cart.lines.length) throw conflict('The cart is empty.', 'cart_empty');
    const email = input.email ?? cart.email;
    if (!email && !cart.customerId && cart.channel !== 'pos') throw new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: 'Give an e-mail address for the order confirmation.', errors: [{ field: '/email', message: 'required' }] });
    // The delivery address: checked when given, required for delivery lines when the shop says so;
    // a cart that is only collected or carried out keeps none.
    const delivers = cart.lines.some((l) => l.fulfilment === 'delivery');
    // Endless aisle (sold in a store, delivered at home): the till has no other way to know where
    // the parcel goes, so an in-store cart with a delivery line always needs the address.
    const inStore = IN_STORE_CHANNELS.has(cart.channel);
    if (delivers && !input.shippingAddress && (input.requireShippingAddress || inStore)) {
      throw new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: inStore ? 'Give the delivery address: some lines are sold in the store to be delivered at home.' : 'Give the delivery address: some lines are delivered at home.', errors: [{ field: '/shippingAddress', message: 'required for delivery lines' }] });
    }
    const shippingAddress = delivers && input.shippingAddress ? normaliseAddress(input.shippingAddress) : null;
    // Reserve in store and pay at pickup: nothing is charged now; the counter takes the money at handover.
    const payAtPickup = input.payment?.method === 'pay_at_pickup';
    if (payAtPickup && delivers) {
      throw new Problem({ status: 422, code: 'pay_at_pickup_needs_pickup', title: 'The request cannot be processed', detail: 'Paying at pickup is for orders collected in a store; some lines are delivered at home. Pay now, or collect every line.', errors: [{ field: '/payment/method', message: 'every line must be collected' }] });
    }
    const destination = shippingAddress?.latitude != null && shippingAddress.longitude != null ? { latitude: shippingAddress.latitude, longitude: shippingAddress.longitude } : (input.sourcing?.destination ?? null);
    const priced = await pricedCart(db, cache, cart);
    const quote = priced.quote!;
    // The price is the one the caller agreed to: the total the shopper was shown (`expectedTotal`),
    // or whatever it is now when the caller says so. Never a price nobody agreed to, such as the full
    // price after a coupon was used up by someone else in between.
    if (input.expectedTotal !== undefined ? input.expectedTotal !== quote.total : !input.acceptCurrentPrice) {
      const now = { total: quote.total, lines: quote.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total })), coupons: quote.coupons.map((c) => ({ code: c.code, applied: c.applied, reason: c.reason ?? null, message: c.message })), shipping: quote.shipping.total };
      throw conflict(
        input.expectedTotal !== undefined
          ? `The cart now costs ${quote.total} cents, not ${input.expectedTotal}: prices or promotions changed. Show the new total and confirm again.`
          : `The cart costs ${quote.total} cents now. Say which price is paid: send the total the shopper was shown as expectedTotal (or acceptCurrentPrice: true), so that a changed price is never taken without asking.`,
        'cart_changed',
        { expectedTotal: input.expectedTotal ?? null, ...now },
      );
    }
    // Step 3, source.
    const { chosen: sourced, decisionOf } = await sourceLines(db, cart.lines, { ...input.sourcing, destination });
    // Sold in a store from its own shelf: the customer carries these out at the counter now.
    const carriedOut = new Set(cart.lines.filter((l) => carriedOutAtCounter(cart, decisionOf.get(l.id)!)).map((l) => l.id));
    if (payAtPickup && carriedOut.size) {
      throw new Problem({ status: 422, code: 'payment_required_at_counter', title: 'The request cannot be processed', detail: 'These goods are handed over at the counter now, so they are paid now: give the tenders the customer pays with.', errors: [{ field: '/payment/method', message: 'not for goods carried out at the counter' }] });
    }
    // Step 4, reserve every line or none.
    const reservations = await reserve(db, { actor }, cart.lines.map((l) => ({ variantId: l.variantId, locationId: sourced[l.id], quantity: l.quantity })), { reference: cart.id, ttlMinutes: 60 * 24 * 7 });
    done.push({ name: 'reserve', undo: async () => void (await Promise.all(reservations.map((r) => changeReservation(db, { actor }, r.id, 'released', 'checkout failed')))) });
    // Step 5, authorise every tender in turn (outside any transaction: providers are other systems).
    // A failed tender undoes the ones before it (each registered its void) with the rest.
    const tenders: Tender[] = input.tenders ?? (input.payment && input.payment.method !== 'pay_at_pickup' ? [input.payment] : []);
    // A card at the till identifies its holder across visits: it goes to identity resolution with the order.
    const cardFingerprint = tenders.find((t): t is Extract<Tender, { method: 'card_present' }> => t.method === 'card_present')?.fingerprint;
    const planned = payAtPickup ? [] : await planTenders(db, tenders, quote.total, cart.currency, { actorType: actor.type });
    const paymentIds: string[] = [];
    for (const t of planned) {
      const provider = providers.get(t.provider);
      const paymentId = newId('payment');
      // The provider's answer and its ledger row commit together: a provider that keeps its books in
      // this database (gift cards, the test gateway) never holds money the ledger does not know of.
      const auth = await db.transaction(async (tx) => {
        const answer = await provider.authorise({ amount: t.amount, currency: cart.currency, source: t.source, reference: cart.id }, { db: tx, actor, reference: cart.id });
        await tx.insert(payments).values({ id: paymentId, cartId: cart.id, provider: provider.name, kind: 'authorisation', status: answer.status, amount: t.amount, currency: cart.currency, providerReference: answer.reference, failureCode: answer.failureCode ?? null, tenderSeq: t.seq, giftCardId: answer.giftCardId ?? null, cardFingerprint: answer.cardFingerprint ?? null, cardLast4: answer.cardLast4 ?? null, expiresAt: answer.expiresAt ? new Date(answer.expiresAt) : null });
        return answer;
      });
      paymentIds.push(paymentId);
      if (auth.status === 'failed') {
        throw new Problem({ status: 402, code: 'payment_failed', title: 'Payment failed', detail: auth.message ?? 'The payment was not authorised.', extra: { failureCode: auth.failureCode, tender: t.seq, method: t.provider } });
      }
      done.push({
        name: `authorise ${t.seq}`,
        undo: async () => {
          await provider.void(auth.reference!, t.amount, { db, actor, reference: cart.id });
          await db.insert(payments).values({ id: newId('payment'), cartId: cart.id, provider: provider.name, kind: 'void', status: 'succeeded', amount: t.amount, currency: cart.currency, providerReference: auth.reference, tenderSeq: t.seq, parentId: paymentId, giftCardId: auth.giftCardId ?? null, reason: 'checkout failed' });
        },
      });
      // Goods carried out at the counter leave now: their money must be there now too.
      if (auth.status === 'pending' && carriedOut.size) {
        throw new Problem({ status: 402, code: 'payment_failed', title: 'Payment failed', detail: 'The payment is still pending at the provider, but the goods are handed over at the counter now: pay with a tender that is authorised at once (cash, the card terminal, a gift card).', extra: { failureCode: 'payment_pending', tender: t.seq, method: t.provider } });
      }
    }
    // Step 6, create the order, record promotion use, close the cart, confirm: one transaction.
    const orderId = newId('order');
    const taxClasses = await variantsForPricing(db, cart.lines.map((l) => ({ variantId: l.variantId })));
    // reserve() answers in its own (locking) order: match each line to its reservation by variant and location.
    const unclaimed = [...reservations];
    const reservationByLine = new Map(cart.lines.map((l) => [l.id, unclaimed.splice(unclaimed.findIndex((r) => r.variantId === l.variantId && r.locationId === sourced[l.id]), 1)[0].id]));
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
        shippingAddress,
        note,
      });
      const byId = new Map(cart.lines.map((l) => [l.id, l]));
      const taxOf = new Map(cart.lines.map((l, i) => [l.id, taxClasses[i]?.taxClass ?? 'standard']));
      const createdLines = await tx.insert(orderLines).values(
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
      ).returning({ id: orderLines.id, variantId: orderLines.variantId, sku: orderLines.sku, quantity: orderLines.quantity, reservationId: orderLines.reservationId });
      // order.placed is the order's first event: whoever follows the order by its events (the
      // customer timeline attaches its later events to the person who placed it) meets it first.
      await emit(tx, {
        type: 'order.placed',
        aggregateType: 'order',
        aggregateId: orderId,
        customerId: cart.customerId,
        actor,
        data: { payAtPickup, order: { id: orderId, channel: cart.channel, storeId: cart.storeId, total: quote.total, currency: cart.currency, note, lines: quote.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, total: l.total })) }, customer: { id: cart.customerId, email: email ?? null, ...(cardFingerprint ? { cardFingerprint } : {}) } },
      });
      // The fulfilments (pick lists and pick tasks per location and method) are born with the order.
      const lineOfReservation = new Map([...reservationByLine].map(([lineId, rsv]) => [rsv, lineId]));
      await createOrderFulfilments(
        tx,
        actor,
        { id: orderId, customerId: cart.customerId, email: email ?? null, country: cart.country, channel: cart.channel, storeId: cart.storeId },
        createdLines.map((ol) => ({ orderLineId: ol.id, variantId: ol.variantId, sku: ol.sku, quantity: ol.quantity, reservationId: ol.reservationId, decision: decisionOf.get(lineOfReservation.get(ol.reservationId!)!)! })),
      );
      await tx.update(payments).set({ orderId }).where(inArray(payments.id, paymentIds));
      await tx.update(carts).set({ status: 'checked_out', email: email ?? null, updatedAt: new Date() }).where(eq(carts.id, cart.id));
      if (email) {
        // The receipt (lines, discounts, VAT per rate, tenders) as HTML and text: src/modules/receipts.
        await queueOrderConfirmation(tx, orderId, email);
      }
      // Carried out at the counter: sold in the stock ledger, fulfilled, and the order completed when that was all.
      const cartLineOf = (ol: { reservationId: string | null }) => lineOfReservation.get(ol.reservationId!)!;
      await handOverAtCounter(
        tx,
        actor,
        { id: orderId, customerId: cart.customerId, channel: cart.channel, storeId: cart.storeId },
        createdLines.filter((ol) => carriedOut.has(cartLineOf(ol))).map((ol) => ({ id: ol.id, sku: ol.sku, quantity: ol.quantity, reservationId: ol.reservationId })),
      );
      // Last: promotion counters are rows every checkout with that promotion updates, so their locks
      // are taken as late as possible and held only until the commit.
      if (quote.usage.redemptions.length) await recordRedemptions(tx, actor, { reference: orderId, customerId: cart.customerId, usages: quote.usage.redemptions });
    });
    placed = { orderId, captureNow: carriedOut.size > 0 || capturesAtSale(providers, cart.channel, planned.map((t) => t.provider)) };
  } catch (err) {
    await undoAll();
    throw err;
  }
  // The order exists: it holds the reservations and the authorisations now, and nothing is undone.
  done.length = 0;
  // Step 7, capture what the sale is paid with now. A failure here (a provider down, the process
  // dying) leaves a placed order whose capture a retry of this checkout completes.
  if (placed.captureNow) await captureAtSale(db, providers, actor, placed.orderId);
  return { order: publicOrder(await getOrder(db, placed.orderId)), replayed: false };
}
