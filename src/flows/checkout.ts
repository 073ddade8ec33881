// Checkout as a durable flow (src/platform/flows): claim the cart and price it, reserve the stock,
// authorise each tender, create the order, capture what the sale is paid with now. Each step's
// effect commits with its record in flow_runs, so a failure at any step, or the process dying
// anywhere, undoes the steps before the order (no claimed cart, no open authorisation, no held
// reservation) and a checkout that got as far as the order is completed (its capture), in this
// process or by the recovery job in any other. Creating the order is the pivot: nothing is undone
// after it.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../platform/db.js';
import { conflict, Problem } from '../platform/errors.js';
import { emit, type Actor } from '../platform/events/outbox.js';
import { newId } from '../platform/ids.js';
import { defineFlow, type FlowDefinition, type FlowRunner } from '../platform/flows/runner.js';
import { queueOrderConfirmation } from '../modules/receipts/index.js';
import { carts, orderLines, orders } from '../modules/commerce/schema.js';
import { payments } from '../modules/payments/schema.js';
import { captureForGoodsInTx, withRenewedAuthorisations, handOverAtCounter, normaliseAddress, type ShippingAddressInput, normaliseCheckoutNote, getCartRow, getOrder, orderForCart, pricedCart, publicOrder } from '../modules/commerce/index.js';
import { type PaymentProviders, planTenders, type PlannedTender, type Tender } from '../modules/payments/index.js';
import { releaseReservationsFor, reserve } from '../modules/inventory/index.js';
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

type CartRow = Awaited<ReturnType<typeof getCartRow>>;
type Quote = NonNullable<Awaited<ReturnType<typeof pricedCart>>['quote']>;
type LineDecision = Awaited<ReturnType<typeof sourceLines>>['decisionOf'] extends Map<string, infer D> ? D : never;

/** What the claim step decides, kept on the run so that a replay decides nothing again. */
interface CheckoutPlan {
  cart: { id: string; channel: Awaited<ReturnType<typeof getCartRow>>['channel']; storeId: string | null; customerId: string | null; currency: string; country: string; lineIds: string[] };
  email: string | null;
  note: string | null;
  shippingAddress: ReturnType<typeof normaliseAddress> | null;
  payAtPickup: boolean;
  quote: { subtotal: number; discountTotal: number; shippingTotal: number; total: number; vat: Quote['vat']; applied: Quote['applied']; lines: Array<{ lineId: string; sku: string; quantity: number; unitPrice: number; adjustments: Quote['lines'][number]['adjustments']; total: number }>; redemptions: Quote['usage']['redemptions'] };
  lines: Array<{ id: string; variantId: string; quantity: number; fulfilment: CartRow['lines'][number]['fulfilment']; locationId: string; taxClass: string; carriedOut: boolean; decision: LineDecision }>;
  /** The tenders to authorise, without what pays with them (a card number is never kept). */
  tenders: Array<{ seq: number; provider: string; amount: number }>;
  cardFingerprint: string | null;
}

interface Authorisation {
  paymentId: string;
  provider: string;
  seq: number;
  amount: number;
  status: string;
  reference: string | null;
  giftCardId: string | null;
  failureCode: string | null;
  message: string | null;
}

export interface CheckoutDeps {
  db: Db;
  cache: PromotionCache;
  providers: PaymentProviders;
}

type FlowInput = CheckoutInput & { actor: Actor };

/** Thrown by the claim step when the cart is not open: the caller answers from the cart's state. */
class NotClaimed extends Error {}

export const CHECKOUT_FLOW = 'checkout';

/** The checkout flow, with what it needs in this process. Registered at start (src/flows/index.ts) so that any process can recover it. */
export function checkoutFlow(deps: CheckoutDeps): FlowDefinition<FlowInput, { orderId: string }> {
  const { cache, providers } = deps;
  const db = () => deps.db;
  return defineFlow<FlowInput, { orderId: string }>({
    name: CHECKOUT_FLOW,
    // Card numbers and gift card codes are needed only to authorise, which a replay never does again.
    storedInput: ({ payment, tenders, ...rest }) => ({ ...rest, payment: payment ? { method: payment.method } : undefined, tenders: tenders?.map((t) => ({ method: t.method, amount: t.amount })) }),
    run: async (flow, input) => {
      const actor = input.actor;
      // What pays with each tender, known only to the first execution of the run (never stored).
      const sources = new Map<number, PlannedTender['source']>();

      // Step 1, claim and plan: exactly one checkout of a cart runs; the others get its order or a
      // clear 409. The claim is a lock, not an edit: a refused checkout leaves the cart exactly as
      // it was (its updatedAt too). Everything the later steps need is decided here, in the claim's
      // transaction, so a refusal (a changed price, no e-mail, no stock to source) rolls the claim back.
      const plan = await flow.step<CheckoutPlan>('claim', {
        run: async (tx) => {
          const note = normaliseCheckoutNote(input.note);
          const claimed = await tx.update(carts).set({ status: 'checking_out' }).where(sql`${carts.id} = ${input.cartId} and ${carts.status} = 'open'`).returning({ id: carts.id });
          if (!claimed.length) throw new NotClaimed();
          const cart = await getCartRow(tx, input.cartId);
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
          const priced = await pricedCart(tx, cache, cart);
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
          // Where each line comes from.
          const { chosen: sourced, decisionOf } = await sourceLines(tx, cart.lines, { ...input.sourcing, destination });
          // Sold in a store from its own shelf: the customer carries these out at the counter now.
          const carriedOut = new Set(cart.lines.filter((l) => carriedOutAtCounter(cart, decisionOf.get(l.id)!)).map((l) => l.id));
          if (payAtPickup && carriedOut.size) {
            throw new Problem({ status: 422, code: 'payment_required_at_counter', title: 'The request cannot be processed', detail: 'These goods are handed over at the counter now, so they are paid now: give the tenders the customer pays with.', errors: [{ field: '/payment/method', message: 'not for goods carried out at the counter' }] });
          }
          const tenders: Tender[] = input.tenders ?? (input.payment && input.payment.method !== 'pay_at_pickup' ? [input.payment] : []);
          // A card at the till identifies its holder across visits: it goes to identity resolution with the order.
          const cardFingerprint = tenders.find((t): t is Extract<Tender, { method: 'card_present' }> => t.method === 'card_present')?.fingerprint ?? null;
          const planned = payAtPickup ? [] : await planTenders(tx, tenders, quote.total, cart.currency, { actorType: actor.type });
          for (const t of planned) sources.set(t.seq, t.source);
          const taxClasses = await variantsForPricing(tx, cart.lines.map((l) => ({ variantId: l.variantId })));
          return {
            cart: { id: cart.id, channel: cart.channel, storeId: cart.storeId, customerId: cart.customerId, currency: cart.currency, country: cart.country, lineIds: cart.lines.map((l) => l.id) },
            email: email ?? null,
            note,
            shippingAddress,
            payAtPickup,
            quote: { subtotal: quote.subtotal, discountTotal: quote.discountTotal, shippingTotal: quote.shipping.total, total: quote.total, vat: quote.vat, applied: quote.applied, lines: quote.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, adjustments: l.adjustments, total: l.total })), redemptions: quote.usage.redemptions },
            lines: cart.lines.map((l, i) => ({ id: l.id, variantId: l.variantId, quantity: l.quantity, fulfilment: l.fulfilment, locationId: sourced[l.id], taxClass: taxClasses[i]?.taxClass ?? 'standard', carriedOut: carriedOut.has(l.id), decision: decisionOf.get(l.id)! })),
            tenders: planned.map((t) => ({ seq: t.seq, provider: t.provider, amount: t.amount })),
            cardFingerprint,
          };
        },
        // Releases whatever was reserved for the cart (reserve, next, books under the cart's id, so
        // this holds whether or not its answer was ever recorded) and opens the cart again.
        compensate: async (tx) => {
          await releaseReservationsFor(tx, actor, input.cartId, 'checkout failed');
          await tx.update(carts).set({ status: 'open' }).where(sql`${carts.id} = ${input.cartId} and ${carts.status} = 'checking_out'`);
        },
      });
      const cart = plan.cart;

      // Step 2, reserve every line or none (batched with other checkouts' reservations, in
      // transactions of their own: reserve-batch.ts), under the cart's id. The claim's compensation
      // releases them, so a run lost before this answer was recorded is undone all the same, and
      // the answer is written with the next step's record instead of a transaction of its own.
      const reservations = await flow.call('reserve', {
        call: async () => (await reserve(db(), { actor }, plan.lines.map((l) => ({ variantId: l.variantId, locationId: l.locationId, quantity: l.quantity })), { reference: cart.id, ttlMinutes: 60 * 24 * 7 })).map((r) => ({ id: r.id, variantId: r.variantId, locationId: r.locationId })),
      });

      // Step 3, authorise every tender in turn. The provider's answer, its ledger row and the step's
      // record commit together: a provider that keeps its books in this database (gift cards, the
      // test gateway) never holds money the ledger or the run does not know of.
      const carriedOut = plan.lines.some((l) => l.carriedOut);
      const authorised: Authorisation[] = [];
      for (const t of plan.tenders) {
        const provider = providers.get(t.provider);
        const auth = await flow.step<Authorisation>(`authorise ${t.seq}`, {
          run: async (tx) => {
            const source = sources.get(t.seq);
            if (!source) throw new Error(`checkout ${flow.runId}: tender ${t.seq} cannot be authorised again after a restart (its card details are not kept)`);
            const paymentId = newId('payment');
            const answer = await provider.authorise({ amount: t.amount, currency: cart.currency, source, reference: cart.id }, { db: tx, actor, reference: cart.id });
            await tx.insert(payments).values({ id: paymentId, cartId: cart.id, provider: provider.name, kind: 'authorisation', status: answer.status, amount: t.amount, currency: cart.currency, providerReference: answer.reference, failureCode: answer.failureCode ?? null, tenderSeq: t.seq, giftCardId: answer.giftCardId ?? null, cardFingerprint: answer.cardFingerprint ?? null, cardLast4: answer.cardLast4 ?? null, expiresAt: answer.expiresAt ? new Date(answer.expiresAt) : null });
            return { paymentId, provider: provider.name, seq: t.seq, amount: t.amount, status: answer.status, reference: answer.reference ?? null, giftCardId: answer.giftCardId ?? null, failureCode: answer.failureCode ?? null, message: answer.message ?? null };
          },
          // Voids the authorisation and books the void.
          compensate: async (tx, a) => {
            if (a.status === 'failed' || !a.reference) return;
            await provider.void(a.reference, a.amount, { db: tx, actor, reference: cart.id });
            await tx.insert(payments).values({ id: newId('payment'), cartId: cart.id, provider: a.provider, kind: 'void', status: 'succeeded', amount: a.amount, currency: cart.currency, providerReference: a.reference, tenderSeq: a.seq, parentId: a.paymentId, giftCardId: a.giftCardId, reason: 'checkout failed' });
          },
        });
        authorised.push(auth);
        if (auth.status === 'failed') {
          throw new Problem({ status: 402, code: 'payment_failed', title: 'Payment failed', detail: auth.message ?? 'The payment was not authorised.', extra: { failureCode: auth.failureCode, tender: t.seq, method: t.provider } });
        }
        // Goods carried out at the counter leave now: their money must be there now too.
        if (auth.status === 'pending' && carriedOut) {
          throw new Problem({ status: 402, code: 'payment_failed', title: 'Payment failed', detail: 'The payment is still pending at the provider, but the goods are handed over at the counter now: pay with a tender that is authorised at once (cash, the card terminal, a gift card).', extra: { failureCode: 'payment_pending', tender: t.seq, method: t.provider } });
        }
      }

      // Step 4, the pivot: create the order, record promotion use, close the cart, confirm, in one
      // transaction. From here on the order holds the reservations and the authorisations, and
      // nothing is undone.
      const placed = await flow.step('order', {
        pivot: true,
        run: async (tx) => {
          const orderId = newId('order');
          // reserve() answers in its own (locking) order: match each line to its reservation by variant and location.
          const unclaimed = [...reservations];
          const reservationByLine = new Map(plan.lines.map((l) => [l.id, unclaimed.splice(unclaimed.findIndex((r) => r.variantId === l.variantId && r.locationId === l.locationId), 1)[0].id]));
          const { quote, email, note, payAtPickup } = plan;
          await tx.insert(orders).values({
            id: orderId,
            cartId: cart.id,
            channel: cart.channel,
            storeId: cart.storeId,
            customerId: cart.customerId,
            email,
            currency: cart.currency,
            country: cart.country,
            subtotal: quote.subtotal,
            discountTotal: quote.discountTotal,
            shippingTotal: quote.shippingTotal,
            total: quote.total,
            vat: quote.vat,
            promotions: quote.applied,
            shippingAddress: plan.shippingAddress,
            note,
          });
          const byId = new Map(plan.lines.map((l) => [l.id, l]));
          const createdLines = await tx
            .insert(orderLines)
            .values(
              quote.lines.map((l) => {
                const line = byId.get(l.lineId)!;
                return { id: newId('orderLine'), orderId, variantId: line.variantId, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, adjustments: l.adjustments, total: l.total, taxClass: line.taxClass, fulfilment: line.fulfilment, locationId: line.locationId, reservationId: reservationByLine.get(line.id) ?? null };
              }),
            )
            .returning({ id: orderLines.id, variantId: orderLines.variantId, sku: orderLines.sku, quantity: orderLines.quantity, reservationId: orderLines.reservationId });
          // order.placed is the order's first event: whoever follows the order by its events (the
          // customer timeline attaches its later events to the person who placed it) meets it first.
          await emit(tx, {
            type: 'order.placed',
            aggregateType: 'order',
            aggregateId: orderId,
            customerId: cart.customerId,
            actor,
            data: { payAtPickup, order: { id: orderId, channel: cart.channel, storeId: cart.storeId, total: quote.total, currency: cart.currency, note, lines: quote.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, total: l.total })) }, customer: { id: cart.customerId, email, ...(plan.cardFingerprint ? { cardFingerprint: plan.cardFingerprint } : {}) } },
          });
          // The fulfilments (pick lists and pick tasks per location and method) are born with the order.
          const lineOfReservation = new Map([...reservationByLine].map(([lineId, rsv]) => [rsv, lineId]));
          const cartLineOf = (ol: { reservationId: string | null }) => byId.get(lineOfReservation.get(ol.reservationId!)!)!;
          await createOrderFulfilments(
            tx,
            actor,
            { id: orderId, customerId: cart.customerId, email, country: cart.country, channel: cart.channel, storeId: cart.storeId },
            createdLines.map((ol) => ({ orderLineId: ol.id, variantId: ol.variantId, sku: ol.sku, quantity: ol.quantity, reservationId: ol.reservationId, decision: cartLineOf(ol).decision })),
          );
          await tx.update(payments).set({ orderId }).where(inArray(payments.id, authorised.map((a) => a.paymentId)));
          await tx.update(carts).set({ status: 'checked_out', email, updatedAt: new Date() }).where(eq(carts.id, cart.id));
          // The receipt (lines, discounts, VAT per rate, tenders) as HTML and text: src/modules/receipts.
          if (email) await queueOrderConfirmation(tx, orderId, email);
          // Carried out at the counter: sold in the stock ledger, fulfilled, and the order completed when that was all.
          await handOverAtCounter(
            tx,
            actor,
            { id: orderId, customerId: cart.customerId, channel: cart.channel, storeId: cart.storeId },
            createdLines.filter((ol) => cartLineOf(ol).carriedOut).map((ol) => ({ id: ol.id, sku: ol.sku, quantity: ol.quantity, reservationId: ol.reservationId })),
          );
          // Last: promotion counters are rows every checkout with that promotion updates, so their locks
          // are taken as late as possible and held only until the commit.
          if (quote.redemptions.length) await recordRedemptions(tx, actor, { reference: orderId, customerId: cart.customerId, usages: quote.redemptions });
          return { orderId, captureNow: carriedOut || capturesAtSale(providers, cart.channel, plan.tenders.map((t) => t.provider)) };
        },
      });

      // Step 5, capture what the sale is paid with now. Safe to repeat (a retry finds nothing left
      // to capture); a failure here leaves the run to be completed by the recovery job, or by a
      // retry of the checkout.
      if (placed.captureNow) await flow.call('capture', { call: async () => void (await captureAtSale(db(), providers, actor, placed.orderId)) });
      return { orderId: placed.orderId };
    },
  });
}

/** Registers the checkout flow on a runner (each process that serves checkouts or recovers them). */
export function registerCheckout(flows: FlowRunner, deps: CheckoutDeps) {
  flows.register(checkoutFlow(deps));
}

/**
 * Checks out a cart: runs the checkout flow, or answers from the cart's state when it is not open
 * (its order when one was placed, finishing a capture a dead process left; 409 while another
 * checkout of it runs). A checkout whose process died is recovered here at once rather than after
 * the recovery job's next round.
 */
export async function checkout(db: Db, flows: FlowRunner, providers: PaymentProviders, actor: Actor, input: CheckoutInput, retried = false): Promise<{ order: ReturnType<typeof publicOrder>; replayed: boolean }> {
  // Checked before anything happens, so a note that is too long leaves the cart as it was.
  normaliseCheckoutNote(input.note);
  const def = flows.definition(CHECKOUT_FLOW) as FlowDefinition<FlowInput, { orderId: string }> | undefined;
  if (!def) throw new Error('the checkout flow is not registered (registerCheckout)');
  try {
    const { orderId } = await flows.run(def, input.cartId, { ...input, actor });
    return { order: publicOrder(await getOrder(db, orderId)), replayed: false };
  } catch (err) {
    if (!(err instanceof NotClaimed)) throw err;
  }
  const existing = await orderForCart(db, input.cartId);
  if (existing) {
    // The first checkout may have died before its capture step: this one finishes it.
    const o = await getOrder(db, existing);
    if (capturesAtSale(providers, o.channel, o.payments.filter((p) => p.kind === 'authorisation').map((p) => p.provider))) await captureAtSale(db, providers, actor, existing);
    return { order: publicOrder(await getOrder(db, existing)), replayed: true };
  }
  const cart = await getCartRow(db, input.cartId);
  // The checkout holding the cart died: undo it now (or complete it) and try once more.
  if (cart.status === 'checking_out' && !retried && (await flows.recoverKey(CHECKOUT_FLOW, input.cartId))) return checkout(db, flows, providers, actor, input, true);
  throw conflict(`Cart ${cart.id} is ${cart.status === 'checking_out' ? 'being checked out right now' : cart.status}.`, 'checkout_in_progress');
}
