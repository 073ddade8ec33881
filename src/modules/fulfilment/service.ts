// Fulfilments: created with the order (one per location and method), then moved through their life
// cycle by store and warehouse staff. Every step is one transaction that changes the fulfilment,
// writes the audit entry and the event, queues the customer's e-mail, and moves stock through the
// inventory service (converted to a sale when the goods leave, released when cancelled).
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { and, asc, desc, eq, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound, Problem, unprocessable } from '../../platform/errors.js';
import { emit, lockAggregate, type Actor, type EventType } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { queueMail } from '../../platform/mail.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { endReservation, extendReservation, getLocation } from '../inventory/index.js';
import { amountDue, orderPayments, paymentSummary, type PaymentProviders, planTenders, type Tender } from '../payments/index.js';
import { captureForGoodsInTx, chargeOrderInTx, releaseOrRefundInTx, withRenewedAuthorisations, currentOrderLines, orderLineTotals, settleOrderLines } from '../commerce/index.js';
import type { Carriers } from './carriers.js';
import { fulfilmentLines, fulfilments, type FULFILMENT_STATUSES, type FULFILMENT_METHODS } from './schema.js';
import type { LineDecision, SourcingMethod } from './sourcing.js';

export type FulfilmentRow = typeof fulfilments.$inferSelect;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];
export type FulfilmentMethod = (typeof FULFILMENT_METHODS)[number];
export type FulfilmentAction = 'pick' | 'pack' | 'ship' | 'deliver' | 'ready' | 'handover' | 'cancel';

/** Which action moves which method from which status to which. */
export const TRANSITIONS: Record<FulfilmentMethod, Partial<Record<FulfilmentAction, { from: FulfilmentStatus[]; to: FulfilmentStatus }>>> = {
  delivery: {
    pick: { from: ['open'], to: 'picked' },
    pack: { from: ['picked'], to: 'packed' },
    ship: { from: ['packed'], to: 'shipped' },
    deliver: { from: ['shipped'], to: 'delivered' },
    cancel: { from: ['open', 'picked', 'packed'], to: 'cancelled' },
  },
  pickup: {
    pick: { from: ['open'], to: 'picked' },
    ready: { from: ['open', 'picked'], to: 'ready' },
    handover: { from: ['ready'], to: 'collected' },
    cancel: { from: ['open', 'picked', 'ready'], to: 'cancelled' },
  },
  ship_to_store: {
    pick: { from: ['open'], to: 'picked' },
    pack: { from: ['picked'], to: 'packed' },
    ship: { from: ['packed'], to: 'shipped' },
    ready: { from: ['shipped'], to: 'ready' },
    handover: { from: ['ready'], to: 'collected' },
    cancel: { from: ['open', 'picked', 'packed', 'ready'], to: 'cancelled' },
  },
};

/** Reservations of an order are held this long once the order exists (an order is not a cart). */
const ORDER_HOLD_DAYS = 60;

export interface FulfilmentSettings {
  pickupHoldDays: number;
  publicUrl: string;
}

/** Why a fulfilment's lines are picked where they are (its jsonb `sourcing`): the sourcing engine's reasons and rejected locations, or an order edit's note. */
export interface SourcingNote {
  orderLineId: string;
  sku: string;
  reasons: string[];
  rejected: LineDecision['rejected'];
}

export interface FulfilmentView {
  id: string;
  orderId: string;
  customerId: string | null;
  locationId: string;
  method: FulfilmentMethod;
  pickupLocationId: string | null;
  status: FulfilmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  pickupCode: string | null;
  pickupQrUrl: string | null;
  pickupDeadline: string | null;
  cancelReason: string | null;
  sourcing: SourcingNote[] | null;
  lines: Array<{ orderLineId: string; variantId: string; sku: string; quantity: number; reservationId: string | null }>;
  nextActions: FulfilmentAction[];
  createdAt: string;
  pickedAt: string | null;
  packedAt: string | null;
  shippedAt: string | null;
  readyAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  version: number;
}

type Loaded = FulfilmentRow & { lines: Array<typeof fulfilmentLines.$inferSelect> };

export function nextActions(f: Pick<FulfilmentRow, 'method' | 'status'>): FulfilmentAction[] {
  return (Object.entries(TRANSITIONS[f.method]) as Array<[FulfilmentAction, { from: FulfilmentStatus[] }]>).filter(([, t]) => t.from.includes(f.status)).map(([a]) => a);
}

/** The pickup code and its QR only for whoever may collect (the customer); staff ask for the code at the counter. */
export function publicFulfilment(f: Loaded, opts: { withCode?: boolean; publicUrl?: string } = {}): FulfilmentView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: f.id,
    orderId: f.orderId,
    customerId: f.customerId,
    locationId: f.locationId,
    method: f.method,
    pickupLocationId: f.pickupLocationId,
    status: f.status,
    carrier: f.carrier,
    trackingNumber: f.trackingNumber,
    trackingUrl: f.trackingUrl,
    pickupCode: opts.withCode && f.status === 'ready' ? f.pickupCode : null,
    pickupQrUrl: opts.withCode && f.status === 'ready' && f.qrToken ? qrUrl(opts.publicUrl ?? '', f) : null,
    pickupDeadline: iso(f.pickupDeadline),
    cancelReason: f.cancelReason,
    // jsonb read back untyped: written from the sourcing decisions (sourceOrder, changePickupStore).
    sourcing: (f.sourcing as SourcingNote[] | null) ?? null,
    lines: f.lines.map((l) => ({ orderLineId: l.orderLineId, variantId: l.variantId, sku: l.sku, quantity: l.quantity, reservationId: l.reservationId })),
    nextActions: nextActions(f),
    createdAt: f.createdAt.toISOString(),
    pickedAt: iso(f.pickedAt),
    packedAt: iso(f.packedAt),
    shippedAt: iso(f.shippedAt),
    readyAt: iso(f.readyAt),
    completedAt: iso(f.completedAt),
    cancelledAt: iso(f.cancelledAt),
    version: f.version,
  };
}

const qrUrl = (publicUrl: string, f: Pick<FulfilmentRow, 'id' | 'qrToken'>) => `${publicUrl}/v1/fulfilments/${f.id}/pickup-qr.svg?token=${f.qrToken}`;

/** What the QR code says: scanned at the counter, it names the fulfilment and carries the code. */
export const qrPayload = (f: Pick<FulfilmentRow, 'id' | 'pickupCode'>) => `WINKEL-PICKUP:${f.id}:${f.pickupCode}`;

// ---------------------------------------------------------------- creation (with the order)

export interface OrderForFulfilment {
  id: string;
  customerId: string | null;
  email: string | null;
  country: string;
  channel?: string;
  storeId?: string | null;
}

const IN_STORE = new Set(['pos', 'kiosk', 'scan_go']);

/**
 * A line sold at a till, kiosk or scan & go and taken from that store's own shelf: the customer
 * carries it out at the counter, so it needs no fulfilment and is handed over with the sale (see
 * handOverAtCounter in src/modules/commerce/order-lines.ts). Lines of an in-store order sent from
 * elsewhere (endless aisle) or collected at another store follow the normal flow.
 */
export function carriedOutAtCounter(order: { channel?: string; storeId?: string | null }, decision: Pick<LineDecision, 'method' | 'locationId'>) {
  return !!order.channel && IN_STORE.has(order.channel) && decision.method === 'pickup' && !!order.storeId && decision.locationId === order.storeId;
}

export interface OrderLineForFulfilment {
  orderLineId: string;
  variantId: string;
  sku: string;
  quantity: number;
  reservationId: string | null;
  decision: Pick<LineDecision, 'locationId' | 'method' | 'pickupLocationId' | 'reasons' | 'rejected' | 'shipment'>;
}

/**
 * Called by the checkout inside its order transaction: groups the lines into fulfilments per
 * location, method and pickup store, holds their reservations for the life of the order, and
 * announces each fulfilment (the pick list or pick task of its location).
 */
export async function createOrderFulfilments(tx: Tx, actor: Actor, order: OrderForFulfilment, lines: OrderLineForFulfilment[]) {
  const groups = new Map<string, { locationId: string; method: SourcingMethod; pickupLocationId: string | null; lines: OrderLineForFulfilment[] }>();
  for (const l of lines) {
    if (!l.decision.locationId) throw new Error(`order line ${l.orderLineId} has no source location`);
    // Bought at the till (or kiosk, scan & go) and taken from the shelf of that store: the customer
    // carries it out, there is nothing to fulfil (the checkout hands it over with the sale).
    if (carriedOutAtCounter(order, l.decision)) continue;
    const key = `${l.decision.locationId}|${l.decision.method}|${l.decision.pickupLocationId ?? ''}`;
    const g = groups.get(key) ?? { locationId: l.decision.locationId, method: l.decision.method, pickupLocationId: l.decision.pickupLocationId, lines: [] };
    g.lines.push(l);
    groups.set(key, g);
  }
  const made: string[] = [];
  for (const g of groups.values()) {
    const id = newId('fulfilment');
    const sourcing = g.lines.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, reasons: l.decision.reasons, rejected: l.decision.rejected.slice(0, 10) }));
    await tx.insert(fulfilments).values({
      id,
      orderId: order.id,
      customerId: order.customerId,
      email: order.email,
      locale: order.country === 'NL' || order.country === 'BE' ? 'nl' : 'en',
      locationId: g.locationId,
      method: g.method,
      pickupLocationId: g.method === 'delivery' ? null : g.pickupLocationId,
      sourcing,
    });
    await tx.insert(fulfilmentLines).values(g.lines.map((l) => ({ fulfilmentId: id, orderLineId: l.orderLineId, variantId: l.variantId, sku: l.sku, quantity: l.quantity, reservationId: l.reservationId })));
    for (const l of g.lines) if (l.reservationId) await extendReservation(tx as unknown as Db, l.reservationId, ORDER_HOLD_DAYS * 24 * 60);
    await emit(tx, {
      type: 'fulfilment.created',
      aggregateType: 'fulfilment',
      aggregateId: id,
      customerId: order.customerId,
      actor,
      data: { fulfilment: { id, orderId: order.id, locationId: g.locationId, method: g.method, pickupLocationId: g.pickupLocationId, status: 'open', lines: g.lines.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, quantity: l.quantity })) } },
    });
    made.push(id);
  }
  return made;
}

// ---------------------------------------------------------------- reads

async function load(db: Executor, id: string): Promise<Loaded> {
  const [f] = await db.select().from(fulfilments).where(eq(fulfilments.id, id));
  if (!f) throw notFound('fulfilment', id);
  const lines = await db.select().from(fulfilmentLines).where(eq(fulfilmentLines.fulfilmentId, id)).orderBy(asc(fulfilmentLines.orderLineId));
  return { ...f, lines };
}

export const getFulfilment = load;

export async function fulfilmentsOfOrder(db: Executor, orderId: string): Promise<Loaded[]> {
  const rows = await db.select().from(fulfilments).where(eq(fulfilments.orderId, orderId)).orderBy(asc(fulfilments.id));
  return withLines(db, rows);
}

async function withLines(db: Executor, rows: FulfilmentRow[]): Promise<Loaded[]> {
  if (!rows.length) return [];
  const lines = await db
    .select()
    .from(fulfilmentLines)
    .where(inArray(fulfilmentLines.fulfilmentId, rows.map((r) => r.id)))
    .orderBy(asc(fulfilmentLines.orderLineId));
  return rows.map((r) => ({ ...r, lines: lines.filter((l) => l.fulfilmentId === r.id) }));
}

export interface ListQuery {
  locationId?: string;
  /** Limit to these locations (a store-scoped caller); null: all. */
  scope?: string[] | null;
  status?: FulfilmentStatus[];
  method?: FulfilmentMethod;
  orderId?: string;
  limit: number;
  cursor?: string;
}

/** Newest first. A location matches where the goods are picked and where they are collected. */
export async function listFulfilments(db: Executor, q: ListQuery) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(fulfilments.id, after));
  const at = (ids: string[]) => or(inArray(fulfilments.locationId, ids), inArray(fulfilments.pickupLocationId, ids))!;
  if (q.locationId) where.push(at([q.locationId]));
  if (q.scope) where.push(q.scope.length ? at(q.scope) : sql`false`);
  if (q.status?.length) where.push(inArray(fulfilments.status, q.status));
  if (q.method) where.push(eq(fulfilments.method, q.method));
  if (q.orderId) where.push(eq(fulfilments.orderId, q.orderId));
  const rows = await db.select().from(fulfilments).where(where.length ? and(...where) : undefined).orderBy(desc(fulfilments.id)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: await withLines(db, page.data) };
}

/** The location whose staff perform an action: where the goods are, or the store that hands them over. */
export function actingLocation(f: Pick<FulfilmentRow, 'method' | 'locationId' | 'pickupLocationId'>, action: FulfilmentAction) {
  if (f.method === 'ship_to_store' && (action === 'ready' || action === 'handover')) return f.pickupLocationId ?? f.locationId;
  return f.locationId;
}

// ---------------------------------------------------------------- mail

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const lineList = (f: Loaded) => f.lines.map((l) => `${l.quantity} × ${l.sku}`).join('\n');

async function mailCustomer(tx: Tx, f: Loaded, purpose: string, subject: string, text: string, html?: string) {
  if (!f.email) return;
  await queueMail(tx, { to: f.email, purpose, subject, text, html });
}

// ---------------------------------------------------------------- actions

export interface ActionInput {
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string | null;
  code?: string;
  reason?: string;
  /** Handover of an order to be paid at pickup: what the counter takes (cash, card terminal, gift card). */
  tenders?: Tender[];
  expectedVersion?: number;
  now?: Date;
}

export interface ActionDeps {
  settings: FulfilmentSettings;
  carriers: Carriers;
  /** For refunds and voids when goods are cancelled. */
  providers: PaymentProviders;
}

/**
 * Moves a fulfilment by one action. Everything the action causes (stock, order lines, mail, event,
 * audit) commits with it or not at all. A wrong pickup code is a 422 that changes nothing.
 */
export async function performAction(db: Db, ctx: RequestContext, deps: ActionDeps, id: string, action: FulfilmentAction, input: ActionInput = {}) {
  const now = input.now ?? new Date();
  // The carrier is asked before the transaction: it is another system, and a refusal changes nothing.
  let booked: { carrier: string; trackingNumber: string; trackingUrl: string | null } | undefined;
  if (action === 'ship') {
    if (!input.carrier) throw badRequest('Say which carrier takes the parcel.', [{ field: '/carrier', message: 'required' }]);
    if (!input.trackingNumber) throw badRequest('Give the tracking number from the label.', [{ field: '/trackingNumber', message: 'required' }]);
    booked = await deps.carriers.get(input.carrier).ship({ fulfilmentId: id, trackingNumber: input.trackingNumber, trackingUrl: input.trackingUrl });
  }
  if (action === 'handover' && !input.code) throw badRequest('Enter the pickup code the customer shows.', [{ field: '/code', message: 'required' }]);
  // Goods that leave have their money captured in the same transaction (the provider's call last, so
  // nothing after it can fail); an authorisation that expired meanwhile is renewed and the step run again.
  const leaves = action === 'handover' || action === 'ship';
  const step = () => db.transaction(async (tx) => {
    await lockAggregate(tx, 'fulfilment', id);
    const f = await load(tx, id);
    // Steps that settle order lines change the order too: lock it before the first write.
    if (action === 'ship' || action === 'handover' || action === 'cancel') await lockAggregate(tx, 'order', f.orderId);
    checkVersion('fulfilment', id, f.version, input.expectedVersion);
    const t = TRANSITIONS[f.method][action];
    if (!t) throw conflict(`A ${f.method.replace(/_/g, ' ')} fulfilment has no "${action}" step.`, 'invalid_transition', { status: f.status, nextActions: nextActions(f) });
    if (!t.from.includes(f.status)) throw conflict(`Fulfilment ${id} is ${f.status}; "${action}" needs it ${t.from.join(' or ')}.`, 'invalid_transition', { status: f.status, nextActions: nextActions(f) });
    if (action === 'handover' && !codeMatches(f.pickupCode, input.code!)) {
      throw unprocessable('That pickup code does not belong to this order. Ask the customer for the code in their e-mail.', 'pickup_code_invalid', [{ field: '/code', message: 'does not match' }]);
    }
    const set: Partial<typeof fulfilments.$inferInsert> = { status: t.to, updatedAt: now, version: f.version + 1 };
    const data: Record<string, unknown> = {};
    const lineIds = f.lines.map((l) => l.orderLineId);
    // Goods reach the customer or the carrier: a home delivery shipped, a parcel handed over at the counter.
    const goodsLeft = (action === 'ship' && f.method === 'delivery') || action === 'handover';
    const location = await getLocation(tx, actingLocation(f, action)).catch(() => undefined);
    const place = location?.name ?? actingLocation(f, action);
    switch (action) {
      case 'pick':
        set.pickedAt = now;
        break;
      case 'pack':
        set.packedAt = now;
        break;
      case 'ship': {
        Object.assign(set, { shippedAt: now, carrier: booked!.carrier, trackingNumber: booked!.trackingNumber, trackingUrl: booked!.trackingUrl });
        Object.assign(data, booked);
        if (f.method === 'delivery') {
          // The goods leave: the reservation becomes a sale in the ledger, the order lines are fulfilled.
          await convertReservations(tx, ctx.actor, f, 'shipped');
          await settleOrderLines(tx, ctx.actor, f.orderId, lineIds, 'fulfilled');
        }
        const track = booked!.trackingUrl ? `\n${booked!.trackingUrl}` : '';
        await mailCustomer(
          tx,
          f,
          'fulfilment_shipped',
          f.locale === 'nl' ? `Je bestelling ${f.orderId} is onderweg` : `Your order ${f.orderId} is on its way`,
          f.method === 'delivery'
            ? `${f.locale === 'nl' ? 'Verzonden met' : 'Shipped with'} ${booked!.carrier}, ${f.locale === 'nl' ? 'track & trace' : 'tracking number'} ${booked!.trackingNumber}.${track}\n\n${lineList(f)}\n`
            : `${f.locale === 'nl' ? 'Onderweg naar de winkel; je krijgt bericht zodra je het kunt ophalen.' : 'On its way to the store; we will tell you when it is ready for pickup.'}\n\n${lineList(f)}\n`,
        );
        break;
      }
      case 'deliver':
        set.completedAt = now;
        break;
      case 'ready': {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const token = randomBytes(18).toString('base64url');
        const deadline = new Date(now.getTime() + deps.settings.pickupHoldDays * 86_400_000);
        Object.assign(set, { readyAt: now, pickupCode: code, qrToken: token, pickupDeadline: deadline });
        data.pickupDeadline = deadline.toISOString();
        // Keep the stock held until the parcel is collected or the hold runs out.
        for (const l of f.lines) if (l.reservationId) await extendReservation(tx as unknown as Db, l.reservationId, Math.max(ORDER_HOLD_DAYS, deps.settings.pickupHoldDays + 7) * 24 * 60).catch(() => undefined);
        const img = qrUrl(deps.settings.publicUrl, { id: f.id, qrToken: token });
        const until = deadline.toISOString().slice(0, 10);
        const nl = f.locale === 'nl';
        const subject = nl ? `Je bestelling ${f.orderId} ligt klaar in ${place}` : `Your order ${f.orderId} is ready for pickup at ${place}`;
        const text = nl
          ? `Je bestelling ligt klaar om op te halen in ${place}.\n\nOphaalcode: ${code}\n\nLaat deze code (of de QR-code: ${img}) zien aan de kassa. We bewaren je bestelling tot ${until}; daarna annuleren we hem en betalen we je terug.\n\n${lineList(f)}\n`
          : `Your order is ready for pickup at ${place}.\n\nPickup code: ${code}\n\nShow this code (or the QR code: ${img}) at the counter. We keep your order until ${until}; after that it is cancelled and refunded.\n\n${lineList(f)}\n`;
        const html = `<p>${escapeHtml(nl ? `Je bestelling ligt klaar om op te halen in ${place}.` : `Your order is ready for pickup at ${place}.`)}</p><p style="font-size:28px;letter-spacing:4px"><strong>${code}</strong></p><p><img src="${escapeHtml(img)}" width="200" height="200" alt="${escapeHtml(nl ? `QR-code met ophaalcode ${code}` : `QR code with pickup code ${code}`)}"></p><p>${escapeHtml(nl ? `We bewaren je bestelling tot ${until}.` : `We keep your order until ${until}.`)}</p>`;
        await mailCustomer(tx, f, 'pickup_ready', subject, text, html);
        break;
      }
      case 'handover': {
        // Reserved in store to be paid at pickup: the counter takes the money before the goods go.
        const { order, lines } = await orderLineTotals(tx, f.orderId);
        const due = order ? amountDue(order, lines, await orderPayments(tx, f.orderId)) : 0;
        if (due > 0) {
          if (!input.tenders?.length) {
            throw new Problem({ status: 402, code: 'payment_required', title: 'Payment required', detail: `${(due / 100).toFixed(2)} ${order!.currency} of this order is not paid (paid at pickup, or its card authorisation expired): take it at the counter (give \`tenders\`) before handing it over.`, extra: { amountDue: due, currency: order!.currency } });
          }
          for (const t of await planTenders(tx, input.tenders, due, order!.currency, { actorType: ctx.actor.type })) {
            await chargeOrderInTx(tx, deps.providers, ctx, f.orderId, t.amount, t.provider, t.source, { reference: f.id });
          }
          data.paid = due;
        } else if (input.tenders?.length) {
          throw badRequest('Nothing is left to pay on this order; leave out `tenders`.', [{ field: '/tenders', message: 'nothing due' }]);
        }
        set.completedAt = now;
        await convertReservations(tx, ctx.actor, f, 'collected');
        await settleOrderLines(tx, ctx.actor, f.orderId, lineIds, 'fulfilled');
        await mailCustomer(tx, f, 'pickup_collected', f.locale === 'nl' ? `Opgehaald: bestelling ${f.orderId}` : `Collected: order ${f.orderId}`, `${f.locale === 'nl' ? 'Je hebt je bestelling opgehaald in' : 'You collected your order at'} ${place}.\n\n${lineList(f)}\n`);
        break;
      }
      case 'cancel': {
        const reason = input.reason?.trim() || 'cancelled by staff';
        Object.assign(set, { cancelledAt: now, cancelReason: reason, pickupCode: null, qrToken: null });
        data.reason = reason;
        for (const rsv of await liveReservations(tx, f)) {
          await endReservation(tx, ctx.actor, rsv, 'released', `fulfilment ${f.id} cancelled: ${reason}`).catch((err) => {
            // Already given back (e.g. expired): the stock is free either way.
            if ((err as Problem).code !== 'reservation_not_active') throw err;
          });
        }
        // Only the lines still open are cancelled (and paid back) now; an order edit may have taken some already.
        const current = await currentOrderLines(tx, f.orderId);
        const open = lineIds.filter((id) => current.get(id)?.status === 'reserved');
        await settleOrderLines(tx, ctx.actor, f.orderId, open, 'cancelled');
        data.refund = await giveMoneyBack(tx, deps.providers, ctx, f, open, reason);
        await mailCustomer(
          tx,
          f,
          'fulfilment_cancelled',
          f.locale === 'nl' ? `Geannuleerd: ${lineIds.length} artikel(en) van bestelling ${f.orderId}` : `Cancelled: ${lineIds.length} item(s) of order ${f.orderId}`,
          `${f.locale === 'nl' ? 'Deze artikelen zijn geannuleerd' : 'These items were cancelled'} (${reason}). ${f.locale === 'nl' ? 'Je krijgt het bedrag terug op je betaalmiddel.' : 'The amount is refunded to your payment method.'}\n\n${lineList(f)}\n`,
        );
        break;
      }
    }
    const [after] = await tx.update(fulfilments).set(set).where(eq(fulfilments.id, id)).returning();
    const loaded = { ...after, lines: f.lines };
    const view = publicFulfilment(loaded);
    await recordAudit(tx, ctx, { action: `fulfilment.${action}`, resourceType: 'fulfilment', resourceId: id, before: { status: f.status }, after: { status: after.status, ...data } });
    await emit(tx, {
      type: EVENT_OF[action],
      aggregateType: 'fulfilment',
      aggregateId: id,
      customerId: f.customerId,
      actor: ctx.actor,
      data: { fulfilment: { id, orderId: f.orderId, locationId: f.locationId, method: f.method, pickupLocationId: f.pickupLocationId, status: after.status, previousStatus: f.status, ...data, lines: view.lines.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, quantity: l.quantity })) } },
    });
    // The goods left: their value is captured now (docs/commerce.md, "When money is captured"), or,
    // when it cannot be, they do not leave (409 payment_not_captured, nothing changes).
    if (goodsLeft) await captureForGoodsInTx(tx, deps.providers, ctx, f.orderId, { reference: f.id, refuseShortfall: true });
    return loaded;
  });
  return leaves ? withRenewedAuthorisations(db, deps.providers, ctx, step) : step();
}

export const EVENT_OF = {
  pick: 'fulfilment.picked',
  pack: 'fulfilment.packed',
  ship: 'fulfilment.shipped',
  deliver: 'fulfilment.delivered',
  ready: 'fulfilment.ready_for_pickup',
  handover: 'fulfilment.collected',
  cancel: 'fulfilment.cancelled',
} as const satisfies Record<FulfilmentAction, EventType>;

/**
 * The money for cancelled goods goes back through the payment provider: what is only authorised is
 * released (void), what was captured is refunded. The whole rest of the order when nothing of it is
 * left; otherwise the cancelled lines' totals.
 */
async function giveMoneyBack(tx: Tx, providers: PaymentProviders, ctx: RequestContext, f: Loaded, cancelledLineIds: string[], reason: string) {
  const { order, lines } = await orderLineTotals(tx, f.orderId);
  if (!order) return { voided: 0, refunded: 0 };
  const summary = paymentSummary(await orderPayments(tx, f.orderId));
  const open = summary.capturable + summary.refundable;
  const mine = new Set(cancelledLineIds);
  if (!mine.size) return { voided: 0, refunded: 0 };
  const everythingCancelled = lines.every((l) => l.status === 'cancelled');
  const amount = Math.min(open, everythingCancelled ? open : lines.filter((l) => mine.has(l.id)).reduce((s, l) => s + l.total, 0));
  if (amount <= 0) return { voided: 0, refunded: 0 };
  const r = await releaseOrRefundInTx(tx, providers, ctx, f.orderId, amount, { reason: `fulfilment cancelled: ${reason}`, reference: f.id });
  return { voided: r.voided, refunded: r.refunded };
}

function codeMatches(expected: string | null, given: string) {
  const g = given.replace(/\s+/g, '');
  if (!expected || g.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(g));
}

/** The reservation each line holds now (an order edit may have moved it), skipping lines cancelled meanwhile. */
async function liveReservations(tx: Tx, f: Loaded) {
  const current = await currentOrderLines(tx, f.orderId);
  return f.lines
    .map((l) => ({ line: l, now: current.get(l.orderLineId) }))
    .filter((x) => x.now?.status !== 'cancelled')
    .map((x) => x.now?.reservationId ?? x.line.reservationId)
    .filter((r): r is string => !!r);
}

async function convertReservations(tx: Tx, actor: Actor, f: Loaded, how: string) {
  for (const id of await liveReservations(tx, f)) await endReservation(tx, actor, id, 'converted', `fulfilment ${f.id} ${how}`);
}

/** Finds a ready parcel by its QR payload or the fulfilment id, for the counter's scanner. */
export function parseQrPayload(payload: string): { fulfilmentId: string; code: string } | null {
  const m = /^WINKEL-PICKUP:(ful_[0-9A-Z]{26}):(\d{6})$/.exec(payload.trim());
  return m ? { fulfilmentId: m[1], code: m[2] } : null;
}

/** The fulfilment a QR image link belongs to, if the token matches. */
export async function fulfilmentByQrToken(db: Executor, id: string, token: string) {
  const [f] = await db.select().from(fulfilments).where(and(eq(fulfilments.id, id), eq(fulfilments.qrToken, token), eq(fulfilments.status, 'ready')));
  return f;
}

// ---------------------------------------------------------------- the uncollected-pickup job

export const PICKUP_EXPIRY_JOB = 'fulfilment-expire-pickups';
const EXPIRY: RequestContext = { actor: { type: 'system', label: 'uncollected pickup' } };

/** Ready parcels whose hold ran out, oldest deadline first. */
export async function duePickups(db: Executor, now: Date, limit = 200) {
  const rows = await db
    .select({ id: fulfilments.id })
    .from(fulfilments)
    .where(and(eq(fulfilments.status, 'ready'), lte(fulfilments.pickupDeadline, now)))
    .orderBy(asc(fulfilments.pickupDeadline))
    .limit(limit);
  return rows.map((r) => r.id);
}


/**
 * The job: every ready parcel past its pickup deadline is cancelled, its stock released back to the
 * store (ledger) and its money given back. Returns the ids it cancelled.
 */
export async function expireUncollectedPickups(db: Db, deps: ActionDeps, now = new Date()) {
  const done: string[] = [];
  for (const id of await duePickups(db, now)) {
    try {
      await performAction(db, EXPIRY, deps, id, 'cancel', { reason: `not collected within ${deps.settings.pickupHoldDays} days`, now });
      done.push(id);
    } catch (err) {
      // Collected or cancelled by someone else meanwhile: nothing left to do for it.
      if ((err as Problem).code !== 'invalid_transition') throw err;
    }
  }
  return done;
}

// ---------------------------------------------------------------- order edits

/** Fulfilments (not cancelled) that hold these order lines. */
async function liveFulfilmentsOfLines(db: Executor, orderLineIds: string[]) {
  if (!orderLineIds.length) return [];
  const rows = await db
    .select({ fulfilment: fulfilments })
    .from(fulfilments)
    .innerJoin(fulfilmentLines, eq(fulfilmentLines.fulfilmentId, fulfilments.id))
    .where(and(inArray(fulfilmentLines.orderLineId, orderLineIds), sql`${fulfilments.status} <> 'cancelled'`));
  const unique = new Map(rows.map((r) => [r.fulfilment.id, r.fulfilment]));
  return withLines(db, [...unique.values()].sort((a, b) => a.id.localeCompare(b.id)));
}

/**
 * An order edit takes the fulfilment locks before the order's (as the fulfilment steps do), so an
 * edit and a step on the same parcel queue up instead of deadlocking.
 */
export async function lockFulfilmentsOfLines(tx: Tx, orderLineIds: string[]) {
  const ids = (await liveFulfilmentsOfLines(tx, orderLineIds)).map((f) => f.id);
  for (const id of ids) await lockAggregate(tx, 'fulfilment', id);
}

/** An edit may change a fulfilment only while nobody has started on it: picked, packed or ready goods are in someone's hands. */
function assertUntouched(f: Loaded, what: string) {
  if (f.status !== 'open') {
    throw conflict(`Fulfilment ${f.id} is ${f.status} already; ${what} is possible only while it is open. Cancel the fulfilment at ${f.locationId} first, or return the goods once they arrive.`, 'fulfilment_in_progress', {
      fulfilmentId: f.id,
      status: f.status,
    });
  }
}

/** 409 `fulfilment_in_progress` when a fulfilment holding one of these lines has been started. */
export async function assertFulfilmentsOpen(db: Executor, orderLineIds: string[], what: string) {
  for (const f of await liveFulfilmentsOfLines(db, orderLineIds)) if (f.lines.some((l) => orderLineIds.includes(l.orderLineId))) assertUntouched(f, what);
}

/**
 * Takes order lines out of their open fulfilments (an order edit cancelled or moved them); a
 * fulfilment left without lines is cancelled. Stock and money are the edit's business: it releases
 * the reservations and gives the difference back itself. Refuses (409) when a fulfilment has started.
 */
export async function removeLinesFromFulfilments(tx: Tx, actor: Actor, orderLineIds: string[], reason: string, now = new Date()) {
  const affected = await liveFulfilmentsOfLines(tx, orderLineIds);
  const changed: Array<{ fulfilmentId: string; removed: string[]; cancelled: boolean }> = [];
  for (const f of affected) {
    const removed = f.lines.filter((l) => orderLineIds.includes(l.orderLineId));
    if (!removed.length) continue;
    assertUntouched(f, reason);
    await tx.delete(fulfilmentLines).where(and(eq(fulfilmentLines.fulfilmentId, f.id), inArray(fulfilmentLines.orderLineId, removed.map((l) => l.orderLineId))));
    const left = f.lines.length - removed.length;
    const cancelled = left === 0;
    await tx
      .update(fulfilments)
      .set(cancelled ? { status: 'cancelled', cancelledAt: now, cancelReason: reason, updatedAt: now, version: f.version + 1 } : { updatedAt: now, version: f.version + 1 })
      .where(eq(fulfilments.id, f.id));
    const lines = removed.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, quantity: l.quantity }));
    await emit(tx, {
      type: cancelled ? 'fulfilment.cancelled' : 'fulfilment.line_removed',
      aggregateType: 'fulfilment',
      aggregateId: f.id,
      customerId: f.customerId,
      actor,
      data: { fulfilment: { id: f.id, orderId: f.orderId, locationId: f.locationId, method: f.method, pickupLocationId: f.pickupLocationId, status: cancelled ? 'cancelled' : f.status }, removedLines: lines, reason, linesLeft: left },
    });
    changed.push({ fulfilmentId: f.id, removed: removed.map((l) => l.orderLineId), cancelled });
  }
  return changed;
}

/**
 * The pickup store of these order lines changed (and their stock is reserved at the new store now):
 * they leave their open fulfilments (cancelled when emptied) and join the order's open pickup task at
 * the new store, made when there is none. 409 when a fulfilment has been picked or is ready.
 */
export async function movePickupLines(
  tx: Tx,
  actor: Actor,
  order: { id: string; customerId: string | null; email: string | null; country: string },
  storeId: string,
  lines: Array<{ orderLineId: string; variantId: string; sku: string; quantity: number; reservationId: string | null }>,
  now = new Date(),
) {
  if (!lines.length) return null;
  const before = await liveFulfilmentsOfLines(tx, lines.map((l) => l.orderLineId));
  for (const f of before) assertUntouched(f, 'changing the pickup store');
  await removeLinesFromFulfilments(tx, actor, lines.map((l) => l.orderLineId), `pickup moved to ${storeId}`, now);
  const [existing] = await tx
    .select()
    .from(fulfilments)
    .where(and(eq(fulfilments.orderId, order.id), eq(fulfilments.locationId, storeId), eq(fulfilments.method, 'pickup'), eq(fulfilments.status, 'open')))
    .limit(1);
  const note = lines.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, reasons: [`pickup store changed to ${storeId} by an order edit`], rejected: [] }));
  let id: string;
  if (existing) {
    id = existing.id;
    await tx.insert(fulfilmentLines).values(lines.map((l) => ({ fulfilmentId: id, orderLineId: l.orderLineId, variantId: l.variantId, sku: l.sku, quantity: l.quantity, reservationId: l.reservationId })));
    await tx.update(fulfilments).set({ updatedAt: now, version: existing.version + 1, sourcing: [...((existing.sourcing as unknown[]) ?? []), ...note] }).where(eq(fulfilments.id, id));
  } else {
    id = newId('fulfilment');
    await tx.insert(fulfilments).values({ id, orderId: order.id, customerId: order.customerId, email: order.email, locale: order.country === 'NL' || order.country === 'BE' ? 'nl' : 'en', locationId: storeId, method: 'pickup', pickupLocationId: storeId, sourcing: note });
    await tx.insert(fulfilmentLines).values(lines.map((l) => ({ fulfilmentId: id, orderLineId: l.orderLineId, variantId: l.variantId, sku: l.sku, quantity: l.quantity, reservationId: l.reservationId })));
  }
  for (const l of lines) if (l.reservationId) await extendReservation(tx as unknown as Db, l.reservationId, ORDER_HOLD_DAYS * 24 * 60);
  await emit(tx, {
    type: existing ? 'fulfilment.line_added' : 'fulfilment.created',
    aggregateType: 'fulfilment',
    aggregateId: id,
    customerId: order.customerId,
    actor,
    data: { fulfilment: { id, orderId: order.id, locationId: storeId, method: 'pickup', pickupLocationId: storeId, status: 'open', lines: lines.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, quantity: l.quantity })) }, reason: 'pickup store changed' },
  });
  return id;
}
