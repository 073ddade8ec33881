// Suppliers, purchase orders and replenishment suggestions. Receipts of purchase orders become
// ledger rows through applyMovement; ordered quantities show as incoming at the location.
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { emit, lockAggregate } from '../../platform/events/outbox.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { forecastDemand, reorderAdvice } from './forecast.js';
import { purchaseOrderLines, purchaseOrders, stockLevels, supplierItems, suppliers } from './schema.js';
import { applyMovement, getLocation, requestTransfer } from './service.js';

// ---------------------------------------------------------------- suppliers

export async function createSupplier(db: Db, ctx: RequestContext, input: { code: string; name: string; email?: string; leadTimeDays?: number }) {
  return db.transaction(async (tx) => {
    const [s] = await tx
      .insert(suppliers)
      .values({ id: newId('supplier'), code: input.code, name: input.name, email: input.email ?? null, leadTimeDays: input.leadTimeDays ?? 14 })
      .onConflictDoNothing()
      .returning();
    if (!s) throw conflict(`A supplier with code ${input.code} exists already.`, 'code_taken');
    await recordAudit(tx, ctx, { action: 'supplier.create', resourceType: 'supplier', resourceId: s.id, after: s });
    await emit(tx, { type: 'supplier.created', aggregateType: 'supplier', aggregateId: s.id, actor: ctx.actor, data: { supplier: { ...s, createdAt: s.createdAt.toISOString() } } });
    return s;
  });
}

export async function listSuppliers(db: Executor) {
  return db.select().from(suppliers).orderBy(asc(suppliers.code));
}

export async function getSupplier(db: Executor, id: string) {
  const [s] = await db.select().from(suppliers).where(eq(suppliers.id, id));
  if (!s) throw notFound('supplier', id);
  const items = await db.select().from(supplierItems).where(eq(supplierItems.supplierId, id)).orderBy(asc(supplierItems.variantId));
  return { ...s, items };
}

export interface SupplierItemInput {
  variantId: string;
  supplierSku?: string | null;
  leadTimeDays?: number | null;
  packSize?: number;
  minimumOrder?: number;
  cost?: number | null;
  preferred?: boolean;
}

export async function setSupplierItems(db: Db, ctx: RequestContext, supplierId: string, items: SupplierItemInput[]) {
  await getSupplier(db, supplierId);
  return db.transaction(async (tx) => {
    for (const i of items) {
      const values = { supplierId, variantId: i.variantId, supplierSku: i.supplierSku ?? null, leadTimeDays: i.leadTimeDays ?? null, packSize: i.packSize ?? 1, minimumOrder: i.minimumOrder ?? 0, cost: i.cost ?? null, preferred: i.preferred ?? true };
      await tx.insert(supplierItems).values(values).onConflictDoUpdate({ target: [supplierItems.supplierId, supplierItems.variantId], set: values });
    }
    await recordAudit(tx, ctx, { action: 'supplier.items', resourceType: 'supplier', resourceId: supplierId, after: items });
    await emit(tx, { type: 'supplier.items_changed', aggregateType: 'supplier', aggregateId: supplierId, actor: ctx.actor, data: { supplierId, items } });
    return items.length;
  });
}

// ---------------------------------------------------------------- purchase orders

export async function getPurchaseOrder(db: Executor, id: string) {
  const [po] = await db.select().from(purchaseOrders).where(eq(purchaseOrders.id, id));
  if (!po) throw notFound('purchase order', id);
  const lines = await db.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, id)).orderBy(asc(purchaseOrderLines.variantId));
  return { ...po, lines };
}

export function publicPurchaseOrder(po: Awaited<ReturnType<typeof getPurchaseOrder>>) {
  return {
    id: po.id,
    supplierId: po.supplierId,
    locationId: po.locationId,
    status: po.status,
    note: po.note,
    expectedAt: po.expectedAt?.toISOString() ?? null,
    lines: po.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity, received: l.received, outstanding: Math.max(0, l.quantity - l.received), cost: l.cost })),
    totalCost: po.lines.every((l) => l.cost != null) ? po.lines.reduce((s, l) => s + l.quantity * (l.cost ?? 0), 0) : null,
    createdAt: po.createdAt.toISOString(),
    sentAt: po.sentAt?.toISOString() ?? null,
    closedAt: po.closedAt?.toISOString() ?? null,
    version: po.version,
  };
}

async function poEvent(tx: Tx, ctx: RequestContext, type: `purchase_order.${'created' | 'sent' | 'partially_received' | 'received' | 'cancelled'}`, id: string) {
  const po = publicPurchaseOrder(await getPurchaseOrder(tx, id));
  await emit(tx, { type, aggregateType: 'purchase_order', aggregateId: id, actor: ctx.actor, data: { purchaseOrder: po } });
  return po;
}

export async function createPurchaseOrder(db: Db, ctx: RequestContext, input: { supplierId: string; locationId: string; lines: Array<{ variantId: string; quantity: number; cost?: number | null }>; note?: string; expectedAt?: string }) {
  await getSupplier(db, input.supplierId);
  await getLocation(db, input.locationId);
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    if (seen.has(l.variantId)) throw badRequest('Each variant once per purchase order.', [{ field: `/lines/${i}/variantId`, message: 'listed twice' }]);
    seen.add(l.variantId);
  });
  return db.transaction(async (tx) => {
    const id = newId('purchaseOrder');
    const costs = new Map((await tx.select().from(supplierItems).where(and(eq(supplierItems.supplierId, input.supplierId), inArray(supplierItems.variantId, [...seen])))).map((i) => [i.variantId, i.cost]));
    await tx.insert(purchaseOrders).values({ id, supplierId: input.supplierId, locationId: input.locationId, note: input.note ?? null, expectedAt: input.expectedAt ? new Date(input.expectedAt) : null });
    await tx.insert(purchaseOrderLines).values(input.lines.map((l) => ({ purchaseOrderId: id, variantId: l.variantId, quantity: l.quantity, cost: l.cost ?? costs.get(l.variantId) ?? null })));
    await recordAudit(tx, ctx, { action: 'purchase_order.create', resourceType: 'purchase_order', resourceId: id, after: input });
    return poEvent(tx, ctx, 'purchase_order.created', id);
  });
}

export async function sendPurchaseOrder(db: Db, ctx: RequestContext, id: string) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'purchase_order', id);
    const po = await getPurchaseOrder(tx, id);
    if (po.status !== 'draft') throw conflict(`Purchase order ${id} is ${po.status}; only a draft can be sent.`, 'purchase_order_state');
    for (const l of po.lines) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: po.locationId, type: 'adjustment', incomingDelta: l.quantity });
    await tx.update(purchaseOrders).set({ status: 'sent', sentAt: new Date(), version: po.version + 1 }).where(eq(purchaseOrders.id, id));
    await recordAudit(tx, ctx, { action: 'purchase_order.send', resourceType: 'purchase_order', resourceId: id });
    return poEvent(tx, ctx, 'purchase_order.sent', id);
  });
}

/** Books what arrived: a receipt movement per line, less incoming; the order is received when nothing is outstanding. */
export async function receivePurchaseOrder(db: Db, ctx: RequestContext, id: string, lines?: Array<{ variantId: string; quantity: number }>) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'purchase_order', id);
    const po = await getPurchaseOrder(tx, id);
    if (po.status !== 'sent' && po.status !== 'partially_received') throw conflict(`Purchase order ${id} is ${po.status}; only a sent order can be received.`, 'purchase_order_state');
    const arriving = lines ?? po.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity - l.received }));
    for (const [i, a] of arriving.entries()) {
      const line = po.lines.find((l) => l.variantId === a.variantId);
      if (!line) throw badRequest(`${a.variantId} is not on purchase order ${id}.`, [{ field: `/lines/${i}/variantId`, message: 'not on the order' }]);
      if (a.quantity <= 0) continue;
      const outstanding = Math.max(0, line.quantity - line.received);
      await applyMovement(tx, ctx.actor, { variantId: a.variantId, locationId: po.locationId, type: 'receipt', onHandDelta: a.quantity, incomingDelta: -Math.min(outstanding, a.quantity), reference: id, reason: a.quantity > outstanding ? `over-delivery of ${a.quantity - outstanding}` : null });
      await tx
        .update(purchaseOrderLines)
        .set({ received: line.received + a.quantity })
        .where(and(eq(purchaseOrderLines.purchaseOrderId, id), eq(purchaseOrderLines.variantId, a.variantId)));
      line.received += a.quantity;
    }
    const done = po.lines.every((l) => l.received >= l.quantity);
    await tx.update(purchaseOrders).set({ status: done ? 'received' : 'partially_received', closedAt: done ? new Date() : null, version: po.version + 1 }).where(eq(purchaseOrders.id, id));
    await recordAudit(tx, ctx, { action: 'purchase_order.receive', resourceType: 'purchase_order', resourceId: id, after: arriving });
    return poEvent(tx, ctx, done ? 'purchase_order.received' : 'purchase_order.partially_received', id);
  });
}

export async function cancelPurchaseOrder(db: Db, ctx: RequestContext, id: string) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'purchase_order', id);
    const po = await getPurchaseOrder(tx, id);
    if (po.status === 'received' || po.status === 'cancelled') throw conflict(`Purchase order ${id} is ${po.status} already.`, 'purchase_order_state');
    if (po.status !== 'draft') {
      for (const l of po.lines) {
        const outstanding = Math.max(0, l.quantity - l.received);
        if (outstanding) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: po.locationId, type: 'adjustment', incomingDelta: -outstanding });
      }
    }
    await tx.update(purchaseOrders).set({ status: 'cancelled', closedAt: new Date(), version: po.version + 1 }).where(eq(purchaseOrders.id, id));
    await recordAudit(tx, ctx, { action: 'purchase_order.cancel', resourceType: 'purchase_order', resourceId: id });
    return poEvent(tx, ctx, 'purchase_order.cancelled', id);
  });
}

/** `locationIds`: only orders delivered to these locations (a caller's store scope); `[]` finds none. */
export async function listPurchaseOrders(db: Executor, q: { status?: string; supplierId?: string; locationIds?: readonly string[]; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (q.locationIds) where.push(q.locationIds.length ? inArray(purchaseOrders.locationId, [...q.locationIds]) : sql`false`);
  if (after) where.push(lt(purchaseOrders.id, after));
  if (q.status) where.push(eq(purchaseOrders.status, q.status as 'draft'));
  if (q.supplierId) where.push(eq(purchaseOrders.supplierId, q.supplierId));
  const rows = await db.select({ id: purchaseOrders.id }).from(purchaseOrders).where(where.length ? and(...where) : undefined).orderBy(desc(purchaseOrders.id)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: await Promise.all(page.data.map(async (r) => publicPurchaseOrder(await getPurchaseOrder(db, r.id)))) };
}

// ---------------------------------------------------------------- replenishment

/** Weekly units sold per variant at a location over the last `weeks` full weeks, oldest first. */
export async function weeklySales(db: Executor, locationId: string, weeks: number, until = new Date()): Promise<Map<string, number[]>> {
  const r = await db.execute<{ variant_id: string; week: number; units: number }>(sql`
    select variant_id, floor(extract(epoch from (${until}::timestamptz - occurred_at)) / 604800)::int as week, sum(-on_hand_delta)::int as units
    from stock_movements
    where location_id = ${locationId} and type = 'sale' and occurred_at > ${until}::timestamptz - make_interval(weeks => ${weeks}) and occurred_at <= ${until}::timestamptz
    group by 1, 2`);
  const out = new Map<string, number[]>();
  for (const row of r.rows) {
    const series = out.get(row.variant_id) ?? new Array(weeks).fill(0);
    series[weeks - 1 - row.week] += row.units;
    out.set(row.variant_id, series);
  }
  return out;
}

export interface Suggestion {
  variantId: string;
  method: string;
  perWeek: number;
  sigma: number;
  leadTimeWeeks: number;
  safetyStock: number;
  reorderPoint: number;
  orderUpTo: number;
  position: number;
  suggestedQuantity: number;
  source: { kind: 'supplier'; supplierId: string } | { kind: 'transfer'; fromLocationId: string } | null;
  reason: string;
}

/**
 * Suggestions for one location: for a warehouse from its preferred suppliers, for a store as
 * transfers from a warehouse (lead time `transferLeadWeeks`). Every variant that sold or is stocked
 * there is considered.
 */
export async function replenishmentSuggestions(
  db: Executor,
  q: { locationId: string; serviceLevel?: number; weeks?: number; reviewWeeks?: number; fromLocationId?: string; transferLeadWeeks?: number; until?: Date },
): Promise<Suggestion[]> {
  const location = await getLocation(db, q.locationId);
  const weeks = q.weeks ?? 26;
  const serviceLevel = q.serviceLevel ?? 0.95;
  const sales = await weeklySales(db, q.locationId, weeks, q.until);
  const levels = await db.select().from(stockLevels).where(eq(stockLevels.locationId, q.locationId));
  const levelOf = new Map(levels.map((l) => [l.variantId, l]));
  const variantIds = [...new Set([...sales.keys(), ...levelOf.keys()])];
  const items = variantIds.length
    ? await db
        .select({ item: supplierItems, supplier: suppliers })
        .from(supplierItems)
        .innerJoin(suppliers, eq(suppliers.id, supplierItems.supplierId))
        .where(and(inArray(supplierItems.variantId, variantIds), eq(supplierItems.preferred, true)))
    : [];
  const itemOf = new Map(items.map((i) => [i.item.variantId, i]));
  const out: Suggestion[] = [];
  for (const variantId of variantIds) {
    const f = forecastDemand(sales.get(variantId) ?? new Array(weeks).fill(0));
    const level = levelOf.get(variantId);
    const item = itemOf.get(variantId);
    const isStore = location.type === 'store';
    const leadTimeWeeks = isStore ? (q.transferLeadWeeks ?? 1) : Math.max(1, Math.ceil((item?.item.leadTimeDays ?? item?.supplier.leadTimeDays ?? 14) / 7));
    const advice = reorderAdvice({
      forecast: f,
      leadTime: leadTimeWeeks,
      serviceLevel,
      reviewPeriod: q.reviewWeeks ?? 1,
      onHand: level?.onHand ?? 0,
      reserved: level?.reserved ?? 0,
      incoming: level?.incoming ?? 0,
      packSize: isStore ? 1 : item?.item.packSize,
      minimumOrder: isStore ? 0 : item?.item.minimumOrder,
    });
    const source: Suggestion['source'] = isStore ? (q.fromLocationId ? { kind: 'transfer', fromLocationId: q.fromLocationId } : null) : item ? { kind: 'supplier', supplierId: item.supplier.id } : null;
    out.push({
      variantId,
      method: f.method,
      perWeek: Math.round(f.perPeriod * 100) / 100,
      sigma: Math.round(f.sigma * 100) / 100,
      leadTimeWeeks,
      ...advice,
      source,
      reason: advice.suggestedQuantity && !source ? `${advice.reason}; no ${isStore ? 'warehouse given to transfer from' : 'preferred supplier'}` : advice.reason,
    });
  }
  return out.sort((a, b) => b.suggestedQuantity - a.suggestedQuantity || (a.variantId < b.variantId ? -1 : 1));
}

/** Turns a location's suggestions into draft purchase orders (one per supplier) or transfer requests. */
export async function actOnSuggestions(db: Db, ctx: RequestContext, q: { locationId: string; serviceLevel?: number; fromLocationId?: string }) {
  const suggestions = (await replenishmentSuggestions(db, q)).filter((s) => s.suggestedQuantity > 0 && s.source);
  const bySupplier = new Map<string, Suggestion[]>();
  const transfersFrom = new Map<string, Suggestion[]>();
  for (const s of suggestions) {
    if (s.source!.kind === 'supplier') bySupplier.set(s.source!.supplierId, [...(bySupplier.get(s.source!.supplierId) ?? []), s]);
    else transfersFrom.set(s.source!.fromLocationId, [...(transfersFrom.get(s.source!.fromLocationId) ?? []), s]);
  }
  const purchaseOrdersMade = [];
  for (const [supplierId, list] of bySupplier) {
    purchaseOrdersMade.push(await createPurchaseOrder(db, ctx, { supplierId, locationId: q.locationId, lines: list.map((s) => ({ variantId: s.variantId, quantity: s.suggestedQuantity })), note: 'from replenishment suggestions' }));
  }
  const transfersMade = [];
  for (const [fromLocationId, list] of transfersFrom) {
    transfersMade.push(await requestTransfer(db, ctx, { fromLocationId, toLocationId: q.locationId, lines: list.map((s) => ({ variantId: s.variantId, quantity: s.suggestedQuantity })), note: 'from replenishment suggestions' }));
  }
  return { purchaseOrders: purchaseOrdersMade, transfers: transfersMade };
}
