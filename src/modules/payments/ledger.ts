// The payment-provider interface and the order's payment ledger.
//
// Payments owns the ledger (the `payments` table) and the providers; it reaches the order it keeps
// the payments of only through a PaymentOrders port, which commerce answers
// (src/modules/commerce/payments.ts binds these functions to commerce's orders).
//
// A PaymentProvider (test_card, card_present, cash, gift_card; src/modules/payments/providers.ts)
// does four things, each answering a ProviderResult ('succeeded' | 'failed' | 'pending'):
//   authorise(request)            reserve money on a tender; may answer 'pending' (settled later by
//                                 the provider's webhook: parseWebhook → settleAuthorisation)
//   capture(reference, amount)    take (part of) an authorisation
//   void(reference, amount)       give back (part of) an authorisation that was not captured
//   refund(reference, amount)     pay back (part of) a capture
//   reauthorise?(reference, amount)   a new authorisation on the same card after the first expired
// Each provider also says when its money is captured (`captureRule`, docs/commerce.md "When money
// is captured"): `at_sale` (cash, the card terminal) or `when_goods_leave` (online cards, gift
// cards). Providers are looked up by name in a PaymentProviders registry (paymentProviders(db, config)).
// A call that changes money carries an idempotency key when its cause is known (the fulfilment,
// return or order it is for), so a step retried after a crash never takes or gives money twice.
//
// Every call is a row in the `payments` ledger; an order's capturedTotal and refundedTotal are
// derived from it in the same transaction. Callers use these stable functions (each takes the PaymentOrders port after the providers):
//   captureForGoodsInTx(tx, providers, orders, ctx, orderId, opts)             capture by the rule (goods left)
//   withRenewedAuthorisations(db, providers, orders, ctx, run)                 renew expired authorisations, run again
//   orderMoney(order, lines, rows)                                    captured, outstanding, due, attention
//   captureOrderPayments(db, providers, orders, ctx, orderId, amount?)          capture, first tender first
//   refundOrderPayments(db, providers, orders, ctx, orderId, amount, opts)      refund, last tender first
//   voidOrderPayments(db, providers, orders, ctx, orderId, amount?, opts)       release what is not captured
//   releaseOrRefund(db, providers, orders, ctx, orderId, amount, opts)          void first, then refund
//   paymentSummary(rows) / planRefund(rows, amount)                     read-only positions
// and the …InTx forms of each to compose with the caller's own transaction.
import { createHash } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { conflict, notFound, Problem, unprocessable } from '../../platform/errors.js';
import { emit, lockAggregate, type Actor } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/access.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { payments } from './schema.js';

/** What the ledger needs to know of an order. */
export interface PayableOrder {
  id: string;
  cartId: string;
  customerId: string | null;
  currency: string;
  shippingTotal: number;
  total: number;
}

/**
 * The order side of the ledger, answered by the module that owns orders (commerce): payments never
 * reads or writes the orders tables itself.
 */
export interface PaymentOrders {
  /** Locks the order for the rest of the transaction (its aggregate and its row) and answers it; 404 when there is none. */
  lock(tx: Tx, orderId: string): Promise<PayableOrder>;
  /** The order without a lock, or undefined. */
  find(db: Executor, orderId: string): Promise<PayableOrder | undefined>;
  /** The order's lines as the money rules need them. */
  moneyLines(db: Executor, orderId: string): Promise<MoneyLine[]>;
  /** Writes the totals derived from the ledger onto the order, in the caller's transaction. */
  recordTotals(tx: Tx, orderId: string, totals: { captured: number; refunded: number }): Promise<void>;
  /** 404 for an unknown order; 403 when a caller scoped to stores may not act on it (the ledger's routes). */
  assertInScope(db: Executor, caller: Principal, orderId: string): Promise<void>;
}

export type PaymentSource =
  | { type: 'card'; number: string; expMonth?: number; expYear?: number }
  | { type: 'card_present'; fingerprint: string; last4?: string; brand?: string }
  | { type: 'cash'; tendered?: number }
  | { type: 'gift_card'; code: string };

export interface AuthoriseRequest {
  amount: number;
  currency: string;
  source: PaymentSource;
  /** What the money is for (a cart or order id), kept by providers that keep their own ledger. */
  reference?: string;
}

/** Where a provider that keeps its own ledger (gift cards) writes, and who acts. */
export interface ProviderCall {
  db: Executor;
  actor: Actor;
  reference?: string;
  /**
   * The same key for the same money movement, however often it is retried: a provider answers a
   * repeated key with its first answer instead of moving the money again (e.g. a capture retried
   * after the process died before the ledger row committed).
   */
  idempotencyKey?: string;
}

export interface ProviderResult {
  status: 'succeeded' | 'failed' | 'pending';
  reference: string | null;
  failureCode?:
    | 'card_declined'
    | 'insufficient_funds'
    | 'invalid_number'
    | 'expired_card'
    | 'unknown_gift_card'
    | 'gift_card_disabled'
    | 'cash_short'
    | 'currency_mismatch'
    | 'authorisation_expired'
    | 'amount_exceeds_authorisation'
    | 'provider_error';
  message?: string;
  /** Authorisations: until when the provider holds the money (after that a capture fails with `authorisation_expired`). */
  expiresAt?: string;
  /** Gift card payments: the card. Card-present: the fingerprint and last digits. */
  giftCardId?: string;
  cardFingerprint?: string;
  cardLast4?: string;
  /** Cash: change to hand back. */
  change?: number;
}

export interface WebhookOutcome {
  reference: string;
  status: 'succeeded' | 'failed';
  failureCode?: ProviderResult['failureCode'];
}

/**
 * When a tender's money is captured (docs/commerce.md, "When money is captured"): `at_sale` when the
 * sale is made (the money is in the drawer or taken by the terminal), `when_goods_leave` for the
 * value of the goods each time goods leave (shipped, handed over, carried out at the counter).
 */
export type CaptureRule = 'at_sale' | 'when_goods_leave';

export interface PaymentProvider {
  name: string;
  captureRule: CaptureRule;
  authorise(req: AuthoriseRequest, call?: ProviderCall): Promise<ProviderResult>;
  capture(reference: string, amount: number, call?: ProviderCall): Promise<ProviderResult>;
  void(reference: string, amount: number, call?: ProviderCall): Promise<ProviderResult>;
  refund(reference: string, amount: number, call?: ProviderCall): Promise<ProviderResult>;
  /**
   * A new authorisation of `amount` on the card of an expired one (the provider keeps the card; Winkel
   * never does). Answers the new authorisation's reference, or `failed` when the issuer refuses.
   * Providers whose authorisations do not expire leave it out.
   */
  reauthorise?(reference: string, amount: number, call?: ProviderCall): Promise<ProviderResult>;
  /** Verifies a webhook from the provider (signature, age) and says which authorisation settled how; null when the signature is wrong. */
  parseWebhook?(headers: Record<string, string | string[] | undefined>, rawBody: string): WebhookOutcome | null;
}

export interface PaymentProviders {
  get(name: string): PaymentProvider;
  names(): string[];
}

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A stable, non-reversible identifier of a card number (what a till's terminal would report). */
export function cardFingerprint(number: string): string {
  return `fp_${createHash('sha256').update(`winkel-card:${number.replace(/\s+/g, '')}`).digest('hex').slice(0, 24)}`;
}

// ---------------------------------------------------------------- the ledger

export type PaymentRow = typeof payments.$inferSelect;

export interface TenderPosition {
  authorisation: PaymentRow;
  authorised: number;
  captured: number;
  voided: number;
  refunded: number;
  /** Authorised, not captured, not voided. */
  capturable: number;
  /** Captured, not refunded. */
  refundable: number;
}

/** Each successful (or pending) authorisation with what happened to it since; first tender first. */
export function tenderPositions(rows: PaymentRow[]): TenderPosition[] {
  const auths = rows.filter((r) => r.kind === 'authorisation' && r.status !== 'failed').sort((a, b) => a.tenderSeq - b.tenderSeq || (a.id < b.id ? -1 : 1));
  return auths.map((a) => {
    const sum = (kind: PaymentRow['kind']) => rows.filter((r) => r.parentId === a.id && r.kind === kind && r.status === 'succeeded').reduce((s, r) => s + r.amount, 0);
    const captured = sum('capture');
    const voided = sum('void');
    const refunded = sum('refund');
    const authorised = a.status === 'succeeded' ? a.amount : 0;
    return { authorisation: a, authorised, captured, voided, refunded, capturable: Math.max(0, authorised - captured - voided), refundable: Math.max(0, captured - refunded) };
  });
}

export function paymentSummary(rows: PaymentRow[]) {
  const positions = tenderPositions(rows);
  const ok = (kind: PaymentRow['kind']) => rows.filter((r) => r.kind === kind && r.status === 'succeeded').reduce((s, r) => s + r.amount, 0);
  const captured = ok('capture');
  const refunded = ok('refund');
  return {
    authorised: positions.reduce((s, p) => s + p.authorised, 0),
    pending: positions.filter((p) => p.authorisation.status === 'pending').reduce((s, p) => s + p.authorisation.amount, 0),
    captured,
    voided: ok('void'),
    refunded,
    capturable: positions.reduce((s, p) => s + p.capturable, 0),
    /** Captured and not yet refunded (store credit counts as a refund). */
    refundable: captured - refunded,
    net: captured - refunded,
  };
}

/** The fulfilment of exchange lines (EXCHANGE_FULFILMENT in src/modules/commerce/edits.ts). */
const EXCHANGE = 'exchange';

/** The order's lines as the money rules need them. */
export interface MoneyLine {
  status: string;
  total: number;
  fulfilment: string;
}

/**
 * What the order asks of the customer now: the lines not cancelled and, while any is left, the
 * shipping as charged. Exchange goods are left out: a return pays for them (or the exchange charges
 * the difference at once), so they never wait for a capture.
 */
export function payableOf(order: { shippingTotal: number }, lines: MoneyLine[]): number {
  const live = lines.filter((l) => l.status !== 'cancelled' && l.fulfilment !== EXCHANGE);
  return live.length ? live.reduce((s, l) => s + l.total, 0) + order.shippingTotal : 0;
}

/**
 * What the customer still owes that no authorisation covers: the payable amount less what is held
 * for it (authorised, pending or captured, and not voided; refunds are for goods that came back and
 * do not count). The whole total for an order reserved in store to be paid at pickup; zero for an
 * order paid at checkout, until an authorisation is lost (expired and not renewed, or failed after
 * it was pending).
 */
export function amountDue(order: { shippingTotal: number }, lines: MoneyLine[], rows: PaymentRow[]): number {
  return Math.max(0, payableOf(order, lines) - securedOf(rows));
}

function securedOf(rows: PaymentRow[]) {
  return tenderPositions(rows).reduce((s, p) => s + (p.authorisation.status === 'pending' ? p.authorisation.amount : p.authorised) - p.voided, 0);
}

export interface PaymentAttention {
  /** `authorisation_expired`: it ran out before the goods left and the issuer refused a new one; `authorisation_failed`: a pending authorisation failed after the order was placed. */
  reason: 'authorisation_expired' | 'authorisation_failed';
  /** What is owed and not covered (the order's `amountDue`). */
  amount: number;
  failureCode: string | null;
  /** The ledger row of the refused (re-)authorisation. */
  paymentId: string;
  since: string;
}

/**
 * Where the order's money stands, from its lines and its ledger (shown on the order):
 * - capturedTotal, refundedTotal: Σ captures, Σ refunds;
 * - outstandingTotal: what is still to be captured of what the order asks (payable − captured);
 * - amountDue: the part of it no authorisation covers;
 * - paymentAttention: set while money is due because an authorisation was lost, so that staff act
 *   (take the money at the counter, or cancel what cannot be paid). Never silently: see
 *   captureForGoodsInTx, which refuses to let goods leave uncaptured.
 */
export function orderMoney(order: { shippingTotal: number }, lines: MoneyLine[], rows: PaymentRow[]) {
  const ok = (kind: PaymentRow['kind']) => rows.filter((r) => r.kind === kind && r.status === 'succeeded').reduce((s, r) => s + r.amount, 0);
  const capturedTotal = ok('capture');
  const refundedTotal = ok('refund');
  const payable = payableOf(order, lines);
  const due = Math.max(0, payable - securedOf(rows));
  const lost = rows.filter((r) => r.kind === 'authorisation' && r.status === 'failed' && r.orderId).at(-1);
  const paymentAttention: PaymentAttention | null =
    due > 0 && lost ? { reason: lost.parentId ? 'authorisation_expired' : 'authorisation_failed', amount: due, failureCode: lost.failureCode, paymentId: lost.id, since: lost.createdAt.toISOString() } : null;
  return { capturedTotal, refundedTotal, outstandingTotal: Math.max(0, payable - capturedTotal), amountDue: due, paymentAttention };
}

export interface RefundPortion {
  paymentId: string;
  provider: string;
  tenderSeq: number;
  amount: number;
  giftCardId: string | null;
  cardLast4: string | null;
}

/**
 * Splits a refund over the tenders: the tender charged last is refunded first (a split "gift card,
 * then card" gets money back on the card first and on the gift card last). Throws 422 when more is
 * asked than was captured and not yet refunded.
 */
export function planRefund(rows: PaymentRow[], amount: number): RefundPortion[] {
  const summary = paymentSummary(rows);
  if (!Number.isInteger(amount) || amount < 0) throw unprocessable('A refund is a whole number of cents, 0 or more.', 'invalid_amount', [{ field: '/amount', message: 'whole cents ≥ 0' }]);
  if (amount > summary.refundable) {
    throw new Problem({ status: 422, code: 'refund_exceeds_captured', title: 'The request cannot be processed', detail: `Only ${summary.refundable} cents can be refunded (captured ${summary.captured}, refunded ${summary.refunded}); asked ${amount}.`, errors: [{ field: '/amount', message: `at most ${summary.refundable}` }], extra: { refundable: summary.refundable } });
  }
  const out: RefundPortion[] = [];
  let left = amount;
  for (const p of [...tenderPositions(rows)].reverse()) {
    if (left === 0) break;
    const take = Math.min(left, p.refundable);
    if (take > 0) out.push({ paymentId: p.authorisation.id, provider: p.authorisation.provider, tenderSeq: p.authorisation.tenderSeq, amount: take, giftCardId: p.authorisation.giftCardId, cardLast4: p.authorisation.cardLast4 });
    left -= take;
  }
  // Store credit issued earlier lowers what is refundable in total but belongs to no tender; the
  // per-tender room can then exceed the total room, never the other way round.
  if (left > 0) throw new Problem({ status: 422, code: 'refund_exceeds_captured', title: 'The request cannot be processed', detail: `The tenders can take back only ${amount - left} of ${amount} cents.`, errors: [{ field: '/amount', message: `at most ${amount - left}` }] });
  return out;
}

export async function orderPayments(db: Executor, orderId: string) {
  return db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.createdAt), asc(payments.id));
}

function call(tx: Tx, ctx: RequestContext, reference?: string, idempotencyKey?: string): ProviderCall {
  return { db: tx, actor: ctx.actor, reference, idempotencyKey };
}

/** One money movement on one authorisation, named by its cause: the same on every retry of that cause. */
const movementKey = (authorisationId: string, kind: string, reference: string | undefined, amount: number) => (reference ? `${authorisationId}:${kind}:${reference}:${amount}` : undefined);

async function deriveTotals(tx: Tx, orders: PaymentOrders, orderId: string) {
  const [t] = (
    await tx.execute<{ captured: string; refunded: string }>(sql`
    select coalesce(sum(amount) filter (where kind = 'capture' and status = 'succeeded'), 0) as captured,
           coalesce(sum(amount) filter (where kind = 'refund' and status = 'succeeded'), 0) as refunded
    from payments where order_id = ${orderId}`)
  ).rows;
  const captured = Number(t.captured);
  const refunded = Number(t.refunded);
  await orders.recordTotals(tx, orderId, { captured, refunded });
  return { captured, refunded };
}

function providerFailed(kind: string, r: ProviderResult) {
  return new Problem({ status: 502, code: 'provider_failed', title: 'The payment provider refused', detail: `The ${kind} failed at the provider: ${r.message ?? r.failureCode ?? 'no reason given'}.`, extra: { failureCode: r.failureCode ?? null } });
}

/**
 * A capture that found its authorisation expired at the provider. Nothing was written (the
 * transaction rolls back); withRenewedAuthorisations records the lapse, asks for a new
 * authorisation in a transaction of its own, and runs the step again.
 */
export class AuthorisationExpired extends Problem {
  constructor(
    readonly orderId: string,
    readonly authorisationId: string,
    message?: string,
  ) {
    super({ status: 409, code: 'authorisation_expired', title: 'The authorisation expired', detail: `${message ?? 'The payment provider no longer holds this authorisation.'} Capture again to have it renewed.`, extra: { paymentId: authorisationId } });
  }
}

/** Captures the planned amounts from their authorisations: one provider call and one ledger row each, one event. */
async function captureFrom(tx: Tx, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, order: PayableOrder, plan: Array<{ position: TenderPosition; amount: number }>, reference?: string) {
  const made: PaymentRow[] = [];
  for (const { position: p, amount } of plan) {
    if (amount <= 0) continue;
    const provider = providers.get(p.authorisation.provider);
    const r = await provider.capture(p.authorisation.providerReference!, amount, call(tx, ctx, reference ?? order.id, movementKey(p.authorisation.id, 'capture', reference, amount)));
    if (r.status !== 'succeeded' && r.failureCode === 'authorisation_expired') throw new AuthorisationExpired(order.id, p.authorisation.id, r.message);
    if (r.status !== 'succeeded') throw providerFailed('capture', r);
    const [row] = await tx
      .insert(payments)
      .values({ id: newId('payment'), orderId: order.id, cartId: order.cartId, provider: provider.name, kind: 'capture', status: 'succeeded', amount, currency: order.currency, providerReference: p.authorisation.providerReference, tenderSeq: p.authorisation.tenderSeq, parentId: p.authorisation.id, giftCardId: p.authorisation.giftCardId, reference: reference ?? null })
      .returning();
    made.push(row);
  }
  if (!made.length) return { amount: 0, payments: made, ...(await deriveTotals(tx, orders, order.id)) };
  const amount = made.reduce((s, r) => s + r.amount, 0);
  const totals = await deriveTotals(tx, orders, order.id);
  await emit(tx, { type: 'payment.captured', aggregateType: 'order', aggregateId: order.id, customerId: order.customerId, actor: ctx.actor, data: { orderId: order.id, amount, currency: order.currency, reference: reference ?? null, captures: made.map(publicPayment), ...totals } });
  await recordAudit(tx, ctx, { action: 'payment.capture', resourceType: 'order', resourceId: order.id, after: { amount, reference, ...totals } });
  return { amount, payments: made, ...totals };
}

/** Takes up to `amount` from the positions in their order (first tender first). */
function takeInOrder(positions: TenderPosition[], amount: number) {
  const plan: Array<{ position: TenderPosition; amount: number }> = [];
  let left = amount;
  for (const p of positions) {
    if (left <= 0) break;
    const take = Math.min(left, p.capturable);
    if (take > 0) plan.push({ position: p, amount: take });
    left -= take;
  }
  return plan;
}

/** Captures `amount` (default: everything authorised and not captured), first tender first. */
export async function captureOrderPaymentsInTx(tx: Tx, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount?: number, opts: { reference?: string; authorisationId?: string } = {}) {
  const order = await orders.lock(tx, orderId);
  const rows = await orderPayments(tx, orderId);
  const positions = tenderPositions(rows).filter((p) => !opts.authorisationId || p.authorisation.id === opts.authorisationId);
  const capturable = positions.reduce((s, p) => s + p.capturable, 0);
  const want = amount ?? capturable;
  if (!Number.isInteger(want) || want <= 0) {
    if (amount === undefined) throw conflict(positions.some((p) => p.authorisation.status === 'pending') ? 'The authorisation is still pending at the provider; capture after it settles.' : 'Nothing is left to capture on this order.', 'nothing_to_capture');
    throw unprocessable('Capture a whole number of cents above 0.', 'invalid_amount', [{ field: '/amount', message: 'whole cents > 0' }]);
  }
  if (want > capturable) {
    throw new Problem({ status: 422, code: 'capture_exceeds_authorised', title: 'The request cannot be processed', detail: `Only ${capturable} cents are authorised and not yet captured; asked ${want}.`, errors: [{ field: '/amount', message: `at most ${capturable}` }], extra: { capturable } });
  }
  return captureFrom(tx, providers, orders, ctx, order, takeInOrder(positions, want), opts.reference);
}

export interface GoodsCapture {
  /** Captured now. */
  captured: number;
  /** The value of the goods that have left (or leave now) and is neither captured nor capturable. */
  shortfall: number;
  /** Of the shortfall, what waits for a pending authorisation. */
  pending: number;
  amountDue: number;
}

/**
 * The capture rule (docs/commerce.md, "When money is captured"), run whenever goods leave (carried
 * out at the counter, shipped, handed over) and at the sale: tenders captured `at_sale` (cash, the
 * card terminal) are captured in full; the others, first tender first, for the value of the goods
 * that have left (the fulfilled lines, and the shipping once a delivery left) beyond what is
 * captured already; once no line waits any more, for all that is left authorised. Cumulative, so it
 * is safe to run again: a retry finds nothing more to capture. With `refuseShortfall`, goods that
 * would leave without their money captured (a pending or lost authorisation) are refused with 409
 * `payment_not_captured` before any provider is called.
 */
export async function captureForGoodsInTx(tx: Tx, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, opts: { reference: string; refuseShortfall?: boolean }): Promise<GoodsCapture> {
  const order = await orders.lock(tx, orderId);
  const rows = await orderPayments(tx, orderId);
  const lines = await orders.moneyLines(tx, orderId);
  const positions = tenderPositions(rows);
  const atSale = positions.filter((p) => providers.get(p.authorisation.provider).captureRule === 'at_sale');
  const withGoods = positions.filter((p) => !atSale.includes(p));
  const plan = atSale.filter((p) => p.capturable > 0).map((p) => ({ position: p, amount: p.capturable }));
  const capturedBefore = paymentSummary(rows).captured + plan.reduce((s, x) => s + x.amount, 0);
  const gone = lines.filter((l) => l.status === 'fulfilled' && l.fulfilment !== EXCHANGE);
  const goodsValue = gone.reduce((s, l) => s + l.total, 0) + (gone.some((l) => l.fulfilment === 'delivery') ? order.shippingTotal : 0);
  const want = Math.max(0, goodsValue - capturedBefore);
  const waiting = lines.some((l) => l.status === 'reserved');
  const everythingCancelled = lines.every((l) => l.status === 'cancelled');
  const capturable = withGoods.reduce((s, p) => s + p.capturable, 0);
  // Nothing waits any more: what is still authorised is the order's (rounding, shipping of a cancelled delivery).
  const take = everythingCancelled ? 0 : waiting ? Math.min(want, capturable) : capturable;
  plan.push(...takeInOrder(withGoods, take));
  const shortfall = Math.max(0, want - take);
  const pending = Math.min(shortfall, withGoods.filter((p) => p.authorisation.status === 'pending').reduce((s, p) => s + p.authorisation.amount, 0));
  const due = amountDue(order, lines, rows);
  if (shortfall > 0 && opts.refuseShortfall) {
    const why =
      pending > 0
        ? 'the payment is still pending at the provider; try again once it has settled'
        : due > 0
          ? `${due} cents of it are not covered by any authorisation (it expired or failed and was not renewed); take the payment, or cancel the goods`
          : 'not enough of the payment is authorised';
    throw conflict(`The goods cannot leave: ${shortfall} cents of their value would not be captured, because ${why}.`, 'payment_not_captured', { shortfall, pending, amountDue: due, currency: order.currency });
  }
  const done = await captureFrom(tx, providers, orders, ctx, order, plan, opts.reference);
  return { captured: done.amount, shortfall, pending, amountDue: due };
}

/**
 * Runs a step that captures (captureForGoodsInTx, a manual capture) and, when an authorisation
 * turned out to have expired at the provider, renews it (renewExpiredAuthorisation, committed on
 * its own so the lapse is on record whatever the step does next) and runs the step once more. When
 * the issuer refuses a new authorisation, the second run finds the money missing: goods are refused
 * (409 `payment_not_captured`), a handover asks for the money at the counter (402), and the order
 * shows `paymentAttention`.
 */
export async function withRenewedAuthorisations<T>(db: Db, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof AuthorisationExpired) || attempt >= 2) throw err;
      await renewExpiredAuthorisation(db, providers, orders, ctx, err.orderId, err.authorisationId);
    }
  }
}

/**
 * An authorisation expired at the provider before all of it was captured. In one transaction: the
 * lapse is recorded (a `void` row for what was still held: the provider released it, nobody asked
 * it to), `payment.expired`; then the provider is asked for a new authorisation of that amount
 * (idempotent per expired authorisation) and the answer recorded as a new authorisation of the same
 * tender (`parentId` = the expired one): `payment.reauthorised`, or, refused, a failed one and
 * `payment.attention_required`. Safe to call twice: the second finds nothing left to renew.
 */
export async function renewExpiredAuthorisation(db: Db, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, authorisationId: string) {
  return db.transaction(async (tx) => {
    const order = await orders.lock(tx, orderId);
    const rows = await orderPayments(tx, orderId);
    const position = tenderPositions(rows).find((p) => p.authorisation.id === authorisationId);
    if (!position || position.capturable <= 0) return null;
    const auth = position.authorisation;
    const lapsed = position.capturable;
    const [lapse] = await tx
      .insert(payments)
      .values({ id: newId('payment'), orderId, cartId: order.cartId, provider: auth.provider, kind: 'void', status: 'succeeded', amount: lapsed, currency: order.currency, providerReference: auth.providerReference, tenderSeq: auth.tenderSeq, parentId: auth.id, giftCardId: auth.giftCardId, reason: 'authorisation expired at the provider' })
      .returning();
    await emit(tx, { type: 'payment.expired', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, amount: lapsed, currency: order.currency, authorisation: publicPayment(auth), lapse: publicPayment(lapse) } });
    const provider = providers.get(auth.provider);
    const r: ProviderResult = provider.reauthorise
      ? await provider.reauthorise(auth.providerReference!, lapsed, call(tx, ctx, orderId, `${auth.id}:reauthorise`))
      : { status: 'failed', reference: null, failureCode: 'provider_error', message: `${provider.name} cannot renew an authorisation.` };
    const [renewal] = await tx
      .insert(payments)
      .values({
        id: newId('payment'),
        orderId,
        cartId: order.cartId,
        provider: auth.provider,
        kind: 'authorisation',
        status: r.status,
        amount: lapsed,
        currency: order.currency,
        providerReference: r.reference,
        failureCode: r.status === 'failed' ? (r.failureCode ?? 'provider_error') : null,
        tenderSeq: auth.tenderSeq,
        parentId: auth.id,
        giftCardId: auth.giftCardId,
        cardLast4: auth.cardLast4,
        expiresAt: r.expiresAt ? new Date(r.expiresAt) : null,
        reason: 'renewal of an expired authorisation',
      })
      .returning();
    const lines = await orders.moneyLines(tx, orderId);
    const money = orderMoney(order, lines, [...rows, lapse, renewal]);
    if (renewal.status === 'failed') {
      await emit(tx, { type: 'payment.attention_required', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, currency: order.currency, paymentAttention: money.paymentAttention, amountDue: money.amountDue, renewal: publicPayment(renewal) } });
    } else {
      await emit(tx, { type: 'payment.reauthorised', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, amount: lapsed, currency: order.currency, expired: publicPayment(auth), renewal: publicPayment(renewal) } });
    }
    await recordAudit(tx, ctx, { action: 'payment.renew', resourceType: 'order', resourceId: orderId, after: { expired: auth.id, amount: lapsed, renewal: renewal.id, status: renewal.status, failureCode: renewal.failureCode } });
    return renewal;
  });
}

export async function captureOrderPayments(db: Db, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount?: number, opts: { reference?: string } = {}) {
  return withRenewedAuthorisations(db, providers, orders, ctx, () => db.transaction((tx) => captureOrderPaymentsInTx(tx, providers, orders, ctx, orderId, amount, opts)));
}

/**
 * Refunds `amount` to the tenders (last charged first, see planRefund), or as store credit on a
 * gift card that the caller issued (`storeCreditGiftCardId`): then one ledger row with provider
 * `store_credit` records it, so captured − refunded stays the money the retailer keeps.
 */
export async function refundOrderPaymentsInTx(
  tx: Tx,
  providers: PaymentProviders,
  orders: PaymentOrders,
  ctx: RequestContext,
  orderId: string,
  amount: number,
  opts: { reason?: string; reference?: string; storeCreditGiftCardId?: string } = {},
) {
  const order = await orders.lock(tx, orderId);
  const rows = await orderPayments(tx, orderId);
  if (!Number.isInteger(amount) || amount <= 0) throw unprocessable('Refund a whole number of cents above 0.', 'invalid_amount', [{ field: '/amount', message: 'whole cents > 0' }]);
  const made: PaymentRow[] = [];
  if (opts.storeCreditGiftCardId) {
    const summary = paymentSummary(rows);
    if (amount > summary.refundable) {
      throw new Problem({ status: 422, code: 'refund_exceeds_captured', title: 'The request cannot be processed', detail: `Only ${summary.refundable} cents can be refunded; asked ${amount}.`, errors: [{ field: '/amount', message: `at most ${summary.refundable}` }], extra: { refundable: summary.refundable } });
    }
    const [row] = await tx
      .insert(payments)
      .values({ id: newId('payment'), orderId, cartId: order.cartId, provider: 'store_credit', kind: 'refund', status: 'succeeded', amount, currency: order.currency, giftCardId: opts.storeCreditGiftCardId, tenderSeq: 0, reference: opts.reference ?? null, reason: opts.reason ?? null })
      .returning();
    made.push(row);
  } else {
    for (const portion of planRefund(rows, amount)) {
      const auth = rows.find((r) => r.id === portion.paymentId)!;
      const provider = providers.get(auth.provider);
      const r = await provider.refund(auth.providerReference!, portion.amount, call(tx, ctx, opts.reference ?? orderId, movementKey(auth.id, 'refund', opts.reference, portion.amount)));
      if (r.status !== 'succeeded') throw providerFailed('refund', r);
      const [row] = await tx
        .insert(payments)
        .values({ id: newId('payment'), orderId, cartId: order.cartId, provider: provider.name, kind: 'refund', status: 'succeeded', amount: portion.amount, currency: order.currency, providerReference: r.reference ?? auth.providerReference, tenderSeq: auth.tenderSeq, parentId: auth.id, giftCardId: auth.giftCardId, cardLast4: auth.cardLast4, reference: opts.reference ?? null, reason: opts.reason ?? null })
        .returning();
      made.push(row);
    }
  }
  const totals = await deriveTotals(tx, orders, orderId);
  await emit(tx, { type: 'refund.issued', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, amount, currency: order.currency, reason: opts.reason ?? null, reference: opts.reference ?? null, refunds: made.map(publicPayment), ...totals } });
  await recordAudit(tx, ctx, { action: 'payment.refund', resourceType: 'order', resourceId: orderId, after: { amount, reason: opts.reason, reference: opts.reference, ...totals } });
  return { amount, payments: made, ...totals };
}

export async function refundOrderPayments(db: Db, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount: number, opts: { reason?: string; reference?: string; storeCreditGiftCardId?: string } = {}) {
  return db.transaction((tx) => refundOrderPaymentsInTx(tx, providers, orders, ctx, orderId, amount, opts));
}

/** Releases `amount` (default: all) of what is authorised and not captured, last tender first. */
export async function voidOrderPaymentsInTx(tx: Tx, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount?: number, opts: { reason?: string; reference?: string } = {}) {
  const order = await orders.lock(tx, orderId);
  const rows = await orderPayments(tx, orderId);
  const positions = tenderPositions(rows);
  const capturable = positions.reduce((s, p) => s + p.capturable, 0);
  const want = amount ?? capturable;
  if (want > capturable) throw unprocessable(`Only ${capturable} cents are authorised and not captured; cannot void ${want}.`, 'void_exceeds_authorised', [{ field: '/amount', message: `at most ${capturable}` }]);
  const made: PaymentRow[] = [];
  let left = want;
  for (const p of [...positions].reverse()) {
    if (left === 0) break;
    const take = Math.min(left, p.capturable);
    if (take <= 0) continue;
    const provider = providers.get(p.authorisation.provider);
    const r = await provider.void(p.authorisation.providerReference!, take, call(tx, ctx, opts.reference ?? orderId, movementKey(p.authorisation.id, 'void', opts.reference, take)));
    if (r.status !== 'succeeded') throw providerFailed('void', r);
    const [row] = await tx
      .insert(payments)
      .values({ id: newId('payment'), orderId, cartId: order.cartId, provider: provider.name, kind: 'void', status: 'succeeded', amount: take, currency: order.currency, providerReference: p.authorisation.providerReference, tenderSeq: p.authorisation.tenderSeq, parentId: p.authorisation.id, giftCardId: p.authorisation.giftCardId, reference: opts.reference ?? null, reason: opts.reason ?? null })
      .returning();
    made.push(row);
    left -= take;
  }
  if (made.length) {
    await emit(tx, { type: 'payment.voided', aggregateType: 'order', aggregateId: orderId, customerId: order.customerId, actor: ctx.actor, data: { orderId, amount: want, currency: order.currency, reason: opts.reason ?? null, voids: made.map(publicPayment) } });
    await recordAudit(tx, ctx, { action: 'payment.void', resourceType: 'order', resourceId: orderId, after: { amount: want, reason: opts.reason } });
  }
  return { amount: want, payments: made };
}

export async function voidOrderPayments(db: Db, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount?: number, opts: { reason?: string; reference?: string } = {}) {
  return db.transaction((tx) => voidOrderPaymentsInTx(tx, providers, orders, ctx, orderId, amount, opts));
}

/**
 * Gives a customer `amount` back, whatever stage the payment is at: first by releasing what is
 * authorised but not captured, then by refunding captured money. Used by order edits and
 * cancellations (e.g. an uncollected pickup).
 */
export async function releaseOrRefundInTx(tx: Tx, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount: number, opts: { reason?: string; reference?: string } = {}) {
  await orders.lock(tx, orderId);
  const rows = await orderPayments(tx, orderId);
  const s = paymentSummary(rows);
  const voidPart = Math.min(amount, s.capturable);
  const refundPart = amount - voidPart;
  if (refundPart > s.refundable) throw unprocessable(`Only ${s.capturable + s.refundable} cents can be given back; asked ${amount}.`, 'refund_exceeds_captured', [{ field: '/amount', message: `at most ${s.capturable + s.refundable}` }]);
  const voided = voidPart > 0 ? await voidOrderPaymentsInTx(tx, providers, orders, ctx, orderId, voidPart, opts) : null;
  const refunded = refundPart > 0 ? await refundOrderPaymentsInTx(tx, providers, orders, ctx, orderId, refundPart, opts) : null;
  return { voided: voidPart, refunded: refundPart, payments: [...(voided?.payments ?? []), ...(refunded?.payments ?? [])] };
}

export async function releaseOrRefund(db: Db, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount: number, opts: { reason?: string; reference?: string } = {}) {
  return db.transaction((tx) => releaseOrRefundInTx(tx, providers, orders, ctx, orderId, amount, opts));
}

/**
 * A new tender on an existing order (an exchange that costs more, an edit that costs more):
 * authorised and captured at once, recorded as the order's next tender.
 */
export async function chargeOrderInTx(tx: Tx, providers: PaymentProviders, orders: PaymentOrders, ctx: RequestContext, orderId: string, amount: number, providerName: string, source: PaymentSource, opts: { reference?: string } = {}) {
  const order = await orders.lock(tx, orderId);
  const rows = await orderPayments(tx, orderId);
  const seq = Math.max(0, ...rows.map((r) => r.tenderSeq)) + 1;
  const provider = providers.get(providerName);
  const auth = await provider.authorise({ amount, currency: order.currency, source, reference: orderId }, call(tx, ctx, orderId));
  const authId = newId('payment');
  await tx.insert(payments).values({ id: authId, orderId, cartId: order.cartId, provider: provider.name, kind: 'authorisation', status: auth.status, amount, currency: order.currency, providerReference: auth.reference, failureCode: auth.failureCode ?? null, tenderSeq: seq, giftCardId: auth.giftCardId ?? null, cardFingerprint: auth.cardFingerprint ?? null, cardLast4: auth.cardLast4 ?? null, expiresAt: auth.expiresAt ? new Date(auth.expiresAt) : null, reference: opts.reference ?? null });
  if (auth.status !== 'succeeded') throw new Problem({ status: 402, code: 'payment_failed', title: 'Payment failed', detail: auth.message ?? 'The payment was not authorised.', extra: { failureCode: auth.failureCode } });
  return captureOrderPaymentsInTx(tx, providers, orders, ctx, orderId, amount, { ...opts, authorisationId: authId });
}

/** A pending authorisation settled (or failed) at the provider; answers what changed. */
export async function settleAuthorisation(db: Db, orders: PaymentOrders, ctx: RequestContext, providerName: string, outcome: WebhookOutcome) {
  return db.transaction(async (tx) => {
    const [auth] = await tx.select().from(payments).where(and(eq(payments.provider, providerName), eq(payments.providerReference, outcome.reference), eq(payments.kind, 'authorisation')));
    if (!auth) throw notFound('payment with provider reference', outcome.reference);
    if (auth.orderId) await lockAggregate(tx, 'order', auth.orderId);
    const [changed] = await tx
      .update(payments)
      .set({ status: outcome.status, failureCode: outcome.status === 'failed' ? (outcome.failureCode ?? 'card_declined') : null })
      .where(and(eq(payments.id, auth.id), eq(payments.status, 'pending')))
      .returning();
    // A provider delivers webhooks at least once: a repeat changes nothing.
    if (!changed) return { payment: auth, changed: false };
    let customerId: string | null = null;
    if (auth.orderId) {
      customerId = (await orders.find(tx, auth.orderId))?.customerId ?? null;
    }
    await emit(tx, { type: outcome.status === 'succeeded' ? 'payment.settled' : 'payment.failed', aggregateType: 'order', aggregateId: auth.orderId ?? auth.cartId, customerId, actor: ctx.actor, data: { orderId: auth.orderId, payment: publicPayment(changed) } });
    if (auth.orderId && outcome.status === 'failed') {
      // The order was placed on this authorisation: its money is missing now, and someone must act.
      const o = (await orders.find(tx, auth.orderId))!;
      const lines = await orders.moneyLines(tx, auth.orderId);
      const money = orderMoney(o, lines, await orderPayments(tx, auth.orderId));
      if (money.paymentAttention) await emit(tx, { type: 'payment.attention_required', aggregateType: 'order', aggregateId: auth.orderId, customerId, actor: ctx.actor, data: { orderId: auth.orderId, currency: o.currency, paymentAttention: money.paymentAttention, amountDue: money.amountDue, renewal: null } });
    }
    return { payment: changed, changed: true };
  });
}

export function publicPayment(p: PaymentRow) {
  return {
    id: p.id,
    provider: p.provider,
    kind: p.kind,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    tenderSeq: p.tenderSeq,
    parentId: p.parentId,
    providerReference: p.providerReference,
    giftCardId: p.giftCardId,
    cardLast4: p.cardLast4,
    failureCode: p.failureCode,
    reference: p.reference,
    reason: p.reason,
    expiresAt: p.expiresAt ? p.expiresAt.toISOString() : null,
    createdAt: p.createdAt.toISOString(),
  };
}
