// Inventory: every change of a stock level goes through `applyMovement` (or the reservation
// statements below, which do the same in one round trip): the level changes and the ledger row is
// written in one transaction, and PostgreSQL's row lock plus a guarded UPDATE make overselling
// impossible, also under many concurrent checkouts. Available-to-promise (ATP) = on hand − reserved
// − safety stock, never below 0.
import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { sqlState, type Db, type Executor, type Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound, Problem } from '../../platform/errors.js';
import { emit, emitFromRows, lockAggregate, type Actor, type EventData, type EventOf } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { findVariant } from '../catalog/index.js';
import { countLines, countSheets, inventorySettings, reservations, stockLevels, stockLocations, stockMovements, transferLines, transfers } from './schema.js';
import { batcherFor, BatchShort } from './reserve-batch.js';

export type LocationRow = typeof stockLocations.$inferSelect;
export type MovementType = (typeof stockMovements.$inferInsert)['type'];

/** The low-stock threshold when neither the level, its location nor the settings row says otherwise. */
export const LOW_STOCK_THRESHOLD = 3;

/**
 * The low-stock threshold that applies to a level: its own, else its location's, else the global
 * default (from the configuration, kept in inventory_settings), else LOW_STOCK_THRESHOLD. `own` is
 * the level's low_stock_threshold column as the surrounding SQL names it.
 */
const effectiveThreshold = (own: SQL, locationId: SQL | string) =>
  sql`coalesce(${own}, (select low_stock_threshold from stock_locations where id = ${locationId}), (select low_stock_threshold from inventory_settings where id = 'default'), ${LOW_STOCK_THRESHOLD})::int`;

/** Writes the global low-stock default; the server does this from LOW_STOCK_THRESHOLD when it starts. */
export async function setLowStockDefault(db: Executor, threshold: number) {
  await db
    .insert(inventorySettings)
    .values({ id: 'default', lowStockThreshold: threshold })
    .onConflictDoUpdate({ target: inventorySettings.id, set: { lowStockThreshold: threshold, updatedAt: new Date() } });
}

export async function getLowStockDefault(db: Executor): Promise<number> {
  const [r] = await db.select({ t: inventorySettings.lowStockThreshold }).from(inventorySettings).where(eq(inventorySettings.id, 'default'));
  return r?.t ?? LOW_STOCK_THRESHOLD;
}

export type StockStatus = 'in_stock' | 'low' | 'out';
export const stockStatusOf = (availableToPromise: number, lowThreshold: number): StockStatus => (availableToPromise <= 0 ? 'out' : availableToPromise <= lowThreshold ? 'low' : 'in_stock');

export function publicLocation(l: LocationRow) {
  return {
    id: l.id,
    code: l.code,
    name: l.name,
    type: l.type,
    address: (l.address as Record<string, string> | null) ?? null,
    latitude: l.latitude,
    longitude: l.longitude,
    openingHours: (l.openingHours as Record<string, string[][]> | null) ?? null,
    timeZone: l.timeZone,
    pickup: l.pickup,
    shipFromStore: l.shipFromStore,
    dailyCapacity: l.dailyCapacity,
    lowStockThreshold: l.lowStockThreshold,
    status: l.status,
    version: l.version,
  };
}

export const atp = (l: { onHand: number; reserved: number; safetyStock: number }) => Math.max(0, l.onHand - l.reserved - l.safetyStock);

// ---------------------------------------------------------------- locations

export interface LocationInput {
  code: string;
  name: string;
  type: 'warehouse' | 'store' | 'supplier';
  address?: Record<string, string> | null;
  latitude?: number | null;
  longitude?: number | null;
  openingHours?: Record<string, string[][]> | null;
  timeZone?: string;
  pickup?: boolean;
  shipFromStore?: boolean;
  dailyCapacity?: number | null;
  /** null: the global default. */
  lowStockThreshold?: number | null;
  status?: 'active' | 'closed';
}

export async function createLocation(db: Db, ctx: RequestContext, input: LocationInput) {
  if ((input.latitude == null) !== (input.longitude == null)) throw badRequest('Give both latitude and longitude, or neither.', [{ field: '/longitude', message: 'both or neither' }]);
  return db.transaction(async (tx) => {
    const [l] = await tx
      .insert(stockLocations)
      .values({ id: newId('location'), ...input, address: input.address ?? null, openingHours: input.openingHours ?? null })
      .onConflictDoNothing()
      .returning();
    if (!l) throw conflict(`A location with code ${input.code} exists already.`, 'code_taken');
    await recordAudit(tx, ctx, { action: 'location.create', resourceType: 'location', resourceId: l.id, after: publicLocation(l) });
    await emit(tx, { type: 'location.created', aggregateType: 'location', aggregateId: l.id, actor: ctx.actor, data: { location: publicLocation(l) } });
    return l;
  });
}

export async function updateLocation(db: Db, ctx: RequestContext, id: string, patch: Partial<LocationInput>, expected: number | undefined) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(stockLocations).where(eq(stockLocations.id, id)).for('update');
    if (!before) throw notFound('location', id);
    checkVersion('location', id, before.version, expected);
    const [after] = await tx
      .update(stockLocations)
      .set({ ...patch, updatedAt: new Date(), version: before.version + 1 })
      .where(eq(stockLocations.id, id))
      .returning()
      .catch((err: unknown) => {
        throw sqlState(err) === '23505' ? conflict(`A location with code ${patch.code} exists already.`, 'code_taken') : err;
      });
    await recordAudit(tx, ctx, { action: 'location.update', resourceType: 'location', resourceId: id, before: publicLocation(before), after: publicLocation(after) });
    await emit(tx, { type: 'location.updated', aggregateType: 'location', aggregateId: id, actor: ctx.actor, data: { location: publicLocation(after) } });
    return after;
  });
}

export async function listLocations(db: Executor, q: { type?: string } = {}) {
  return db
    .select()
    .from(stockLocations)
    .where(q.type ? eq(stockLocations.type, q.type as 'store') : undefined)
    .orderBy(asc(stockLocations.code));
}

export async function getLocation(db: Executor, id: string) {
  const [l] = await db.select().from(stockLocations).where(eq(stockLocations.id, id));
  if (!l) throw notFound('location', id);
  return l;
}

// ---------------------------------------------------------------- movements

export interface Movement {
  variantId: string;
  locationId: string;
  type: MovementType;
  onHandDelta?: number;
  reservedDelta?: number;
  /** Expected from open transfers and purchase orders; not part of the ledger's on hand. */
  incomingDelta?: number;
  safetyStock?: number;
  reason?: string | null;
  reference?: string | null;
}

type LevelRow = {
  on_hand: number;
  reserved: number;
  safety_stock: number;
  incoming: number;
  /** The effective low-stock threshold (see effectiveThreshold). */
  low_threshold?: number;
};

/** Events a level change causes: every change, plus crossings that shoppers and planners care about. */
async function levelEvents(tx: Executor, actor: Actor, m: Movement, before: LevelRow, after: LevelRow) {
  const b = atp({ onHand: before.on_hand, reserved: before.reserved, safetyStock: before.safety_stock });
  const a = atp({ onHand: after.on_hand, reserved: after.reserved, safetyStock: after.safety_stock });
  const low = before.low_threshold ?? LOW_STOCK_THRESHOLD;
  const level = { variantId: m.variantId, locationId: m.locationId, onHand: after.on_hand, reserved: after.reserved, safetyStock: after.safety_stock, availableToPromise: a, lowStockThreshold: low };
  const events: Array<{ type: 'stock.changed' | 'stock.out' | 'stock.low' | 'stock.back_in_stock'; data: EventData<'stock.changed'> }> = [{ type: 'stock.changed', data: { movement: { type: m.type, onHandDelta: m.onHandDelta ?? 0, reservedDelta: m.reservedDelta ?? 0, reason: m.reason ?? null, reference: m.reference ?? null }, level } }];
  if (b > 0 && a === 0) events.push({ type: 'stock.out', data: { movement: events[0].data.movement, level } });
  else if (b > low && a > 0 && a <= low) events.push({ type: 'stock.low', data: { movement: events[0].data.movement, level } });
  if (b === 0 && a > 0) events.push({ type: 'stock.back_in_stock', data: { movement: events[0].data.movement, level } });
  await emit(tx, ...events.map((e) => ({ type: e.type, aggregateType: 'stock_level', aggregateId: `${m.variantId}@${m.locationId}`, actor, data: e.data })));
}

/** The most units one stock level holds on hand or incoming: far above any shop, well inside the integer columns. */
export const MAX_UNITS = 1_000_000_000;

/**
 * The one place that changes a stock level outside reservations: locks the level (creating it at
 * zero), applies the deltas, refuses a result below zero or above on hand, and writes the ledger.
 */
export async function applyMovement(tx: Tx, actor: Actor, m: Movement) {
  const onHandDelta = m.onHandDelta ?? 0;
  const reservedDelta = m.reservedDelta ?? 0;
  await tx.execute(sql`insert into stock_levels (variant_id, location_id) values (${m.variantId}, ${m.locationId}) on conflict do nothing`);
  const cur = await tx.execute<LevelRow>(
    sql`select on_hand, reserved, safety_stock, incoming, ${effectiveThreshold(sql`low_stock_threshold`, m.locationId)} as low_threshold from stock_levels where variant_id = ${m.variantId} and location_id = ${m.locationId} for update`,
  );
  const before = cur.rows[0];
  const after: LevelRow = {
    low_threshold: before.low_threshold,
    on_hand: before.on_hand + onHandDelta,
    reserved: before.reserved + reservedDelta,
    safety_stock: m.safetyStock ?? before.safety_stock,
    incoming: Math.max(0, before.incoming + (m.incomingDelta ?? 0)),
  };
  if (after.on_hand > MAX_UNITS || after.incoming > MAX_UNITS) {
    const which = after.on_hand > MAX_UNITS ? `${before.on_hand} on hand` : `${before.incoming} incoming`;
    throw new Problem({ status: 422, code: 'stock_limit', title: 'Too much stock for one level', detail: `${m.locationId} has ${which} already; one stock level holds at most ${MAX_UNITS} units.`, extra: { onHand: before.on_hand, incoming: before.incoming, maxUnits: MAX_UNITS } });
  }
  if (after.on_hand < 0) {
    throw new Problem({ status: 409, code: 'insufficient_stock', title: 'Not enough stock', detail: `Only ${before.on_hand} on hand at ${m.locationId}; cannot take ${-onHandDelta}.`, extra: { onHand: before.on_hand } });
  }
  if (after.reserved > after.on_hand) {
    throw new Problem({
      status: 409,
      code: 'stock_reserved',
      title: 'Stock is reserved',
      detail: `${before.reserved} of ${before.on_hand} are reserved at ${m.locationId}; release reservations before taking stock below that.`,
      extra: { onHand: before.on_hand, reserved: before.reserved },
    });
  }
  const settingsChanged = after.safety_stock !== before.safety_stock ? 1 : 0;
  await tx.execute(sql`update stock_levels set on_hand = ${after.on_hand}, reserved = ${after.reserved}, safety_stock = ${after.safety_stock}, incoming = ${after.incoming}, version = version + ${settingsChanged}, updated_at = now()
    where variant_id = ${m.variantId} and location_id = ${m.locationId}`);
  if (onHandDelta || reservedDelta) {
    await tx.insert(stockMovements).values({ variantId: m.variantId, locationId: m.locationId, type: m.type, onHandDelta, reservedDelta, reason: m.reason ?? null, reference: m.reference ?? null, actor });
  }
  await levelEvents(tx, actor, m, before, after);
  return { ...after, availableToPromise: atp({ onHand: after.on_hand, reserved: after.reserved, safetyStock: after.safety_stock }) };
}

async function resolveVariant(db: Executor, key: { variantId?: string; sku?: string }) {
  const v = await findVariant(db, key);
  if (!v) throw notFound('variant', key.variantId ?? key.sku);
  return v;
}

export async function recordMovement(
  db: Db,
  ctx: RequestContext,
  input: { variantId?: string; sku?: string; locationId: string; type: 'receipt' | 'adjustment' | 'damage' | 'return' | 'count_correction'; quantity: number; reason?: string; reference?: string },
) {
  const v = await resolveVariant(db, input);
  await getLocation(db, input.locationId);
  if (input.type === 'adjustment' && !input.reason) throw badRequest('An adjustment needs a reason.', [{ field: '/reason', message: 'required for adjustments' }]);
  const sign = input.type === 'damage' ? -1 : 1;
  if ((input.type === 'receipt' || input.type === 'damage' || input.type === 'return') && input.quantity <= 0) {
    throw badRequest(`A ${input.type} takes a positive quantity.`, [{ field: '/quantity', message: 'must be above 0' }]);
  }
  if (input.quantity === 0) throw badRequest('Quantity 0 changes nothing.', [{ field: '/quantity', message: 'not 0' }]);
  return db.transaction(async (tx) => {
    const level = await applyMovement(tx, ctx.actor, { variantId: v.id, locationId: input.locationId, type: input.type, onHandDelta: sign * input.quantity, reason: input.reason, reference: input.reference });
    await recordAudit(tx, ctx, { action: `stock.${input.type}`, resourceType: 'stock_level', resourceId: `${v.id}@${input.locationId}`, after: { ...input, variantId: v.id, level } });
    return { variantId: v.id, locationId: input.locationId, ...level };
  });
}

export async function setSafetyStock(db: Db, ctx: RequestContext, variantKey: { variantId?: string; sku?: string }, locationId: string, safetyStock: number) {
  const v = await resolveVariant(db, variantKey);
  await getLocation(db, locationId);
  return db.transaction(async (tx) => {
    const level = await applyMovement(tx, ctx.actor, { variantId: v.id, locationId, type: 'adjustment', safetyStock });
    await recordAudit(tx, ctx, { action: 'stock.safety_stock', resourceType: 'stock_level', resourceId: `${v.id}@${locationId}`, after: { safetyStock } });
    return { variantId: v.id, locationId, ...level };
  });
}

// ---------------------------------------------------------------- reservations

export interface ReservationLine {
  variantId: string;
  locationId: string;
  quantity: number;
}

export class InsufficientStock extends Problem {
  constructor(public readonly shortLines: Array<ReservationLine & { available: number }>) {
    super({
      status: 409,
      code: 'insufficient_stock',
      title: 'Not enough stock',
      detail: shortLines.map((l) => `${l.variantId} at ${l.locationId}: ${l.available} available, ${l.quantity} asked`).join('; '),
      extra: { lines: shortLines },
    });
  }
}

/**
 * Reserves every line or none. Each line is one guarded UPDATE that succeeds only while enough is
 * available, done with the reservation and ledger rows in a single statement; lines are taken in a
 * fixed order so that concurrent multi-line reservations cannot deadlock.
 */
export async function reserveInTx(tx: Tx, actor: Actor, lines: ReservationLine[], opts: { reference?: string | null; expiresAt?: Date | null } = {}) {
  // Locks in the same order as reserve-batch.ts (variant, then location, bytewise), so the two cannot deadlock.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const sorted = [...lines].sort((a, b) => cmp(a.variantId, b.variantId) || cmp(a.locationId, b.locationId));
  const made: Array<{ id: string; line: ReservationLine; availableToPromise: number }> = [];
  const short: Array<ReservationLine & { available: number }> = [];
  for (const line of sorted) {
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) throw badRequest('Quantities are whole numbers above 0.', [{ field: '/lines', message: 'quantity must be above 0' }]);
    const id = newId('reservation');
    const r = await tx.execute<{ on_hand: number; reserved: number; safety_stock: number; low_threshold: number }>(sql`
      with lvl as (
        update stock_levels set reserved = reserved + ${line.quantity}, updated_at = now()
        where variant_id = ${line.variantId} and location_id = ${line.locationId} and on_hand - reserved - safety_stock >= ${line.quantity}
        returning on_hand, reserved, safety_stock, low_stock_threshold),
      res as (
        insert into reservations (id, variant_id, location_id, quantity, reference, expires_at)
        select ${id}, ${line.variantId}, ${line.locationId}, ${line.quantity}, ${opts.reference ?? null}, ${opts.expiresAt ?? null} from lvl),
      mov as (
        insert into stock_movements (variant_id, location_id, type, reserved_delta, reference, actor)
        select ${line.variantId}, ${line.locationId}, 'reservation', ${line.quantity}, ${id}, ${JSON.stringify(actor)}::jsonb from lvl)
      select on_hand, reserved, safety_stock, ${effectiveThreshold(sql`lvl.low_stock_threshold`, line.locationId)} as low_threshold from lvl`);
    const after = r.rows[0];
    if (!after) {
      const cur = await tx.execute<LevelRow>(sql`select on_hand, reserved, safety_stock, incoming from stock_levels where variant_id = ${line.variantId} and location_id = ${line.locationId}`);
      const c = cur.rows[0];
      short.push({ ...line, available: c ? atp({ onHand: c.on_hand, reserved: c.reserved, safetyStock: c.safety_stock }) : 0 });
      continue;
    }
    const left = atp({ onHand: after.on_hand, reserved: after.reserved, safetyStock: after.safety_stock });
    made.push({ id, line, availableToPromise: left });
    const low = after.low_threshold;
    if (left === 0 || (left <= low && left + line.quantity > low)) {
      const level = { variantId: line.variantId, locationId: line.locationId, onHand: after.on_hand, reserved: after.reserved, safetyStock: after.safety_stock, availableToPromise: left, lowStockThreshold: low };
      await emit(tx, { type: left === 0 ? 'stock.out' : 'stock.low', aggregateType: 'stock_level', aggregateId: `${line.variantId}@${line.locationId}`, actor, data: { movement: { type: 'reservation', reservedDelta: line.quantity, reference: id }, level } });
    }
  }
  if (short.length) throw new InsufficientStock(short);
  return made;
}

/**
 * One line in one statement: the guarded update, the reservation, the ledger row and the events
 * (reservation.created, and stock.out / stock.low when ATP crosses them) commit together without an
 * explicit transaction, so the level's row lock is held for a single round trip.
 */
async function reserveOne(db: Db, actor: Actor, line: ReservationLine, reference: string | null, expiresAt: Date | null) {
  if (!Number.isInteger(line.quantity) || line.quantity <= 0) throw badRequest('Quantities are whole numbers above 0.', [{ field: '/lines', message: 'quantity must be above 0' }]);
  const id = newId('reservation');
  const atpAfter = sql`greatest(0, lvl.on_hand - lvl.reserved - lvl.safety_stock)`;
  const low = effectiveThreshold(sql`lvl.low_stock_threshold`, line.locationId);
  const level = sql`jsonb_build_object('variantId', ${line.variantId}::text, 'locationId', ${line.locationId}::text, 'onHand', lvl.on_hand, 'reserved', lvl.reserved, 'safetyStock', lvl.safety_stock, 'availableToPromise', ${atpAfter}, 'lowStockThreshold', ${low})`;
  const events = emitFromRows('lvl', [
    {
      type: 'reservation.created',
      aggregateType: 'reservation',
      aggregateId: id,
      actor,
      data: sql`jsonb_build_object('reservation', jsonb_build_object('id', ${id}::text, 'variantId', ${line.variantId}::text, 'locationId', ${line.locationId}::text, 'quantity', ${line.quantity}::int, 'reference', ${reference}::text, 'expiresAt', ${expiresAt?.toISOString() ?? null}::text))`,
    },
    {
      type: sql`case when ${atpAfter} = 0 then 'stock.out' else 'stock.low' end`,
      aggregateType: 'stock_level',
      aggregateId: `${line.variantId}@${line.locationId}`,
      actor,
      data: sql`jsonb_build_object('movement', jsonb_build_object('type', 'reservation', 'reservedDelta', ${line.quantity}::int, 'reference', ${id}::text), 'level', ${level})`,
      when: sql`${atpAfter} = 0 or (${atpAfter} <= ${low} and ${atpAfter} + ${line.quantity} > ${low})`,
    },
  ]);
  const r = await db.execute<{ on_hand: number; reserved: number; safety_stock: number }>(sql`
    with lvl as (
      update stock_levels set reserved = reserved + ${line.quantity}, updated_at = now()
      where variant_id = ${line.variantId} and location_id = ${line.locationId} and on_hand - reserved - safety_stock >= ${line.quantity}
      returning on_hand, reserved, safety_stock, low_stock_threshold),
    res as (
      insert into reservations (id, variant_id, location_id, quantity, reference, expires_at)
      select ${id}, ${line.variantId}, ${line.locationId}, ${line.quantity}, ${reference}, ${expiresAt} from lvl),
    mov as (
      insert into stock_movements (variant_id, location_id, type, reserved_delta, reference, actor)
      select ${line.variantId}, ${line.locationId}, 'reservation', ${line.quantity}, ${id}, ${JSON.stringify(actor)}::jsonb from lvl),
    ev as (${events})
    select on_hand, reserved, safety_stock from lvl`);
  if (!r.rows.length) {
    const cur = await db.execute<LevelRow>(sql`select on_hand, reserved, safety_stock, incoming from stock_levels where variant_id = ${line.variantId} and location_id = ${line.locationId}`);
    const c = cur.rows[0];
    throw new InsufficientStock([{ ...line, available: c ? atp({ onHand: c.on_hand, reserved: c.reserved, safetyStock: c.safety_stock }) : 0 }]);
  }
  return id;
}

export async function reserve(db: Db, ctx: RequestContext, lines: ReservationLine[], opts: { reference?: string; ttlMinutes?: number } = {}) {
  for (const line of lines) {
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) throw badRequest('Quantities are whole numbers above 0.', [{ field: '/lines', message: 'quantity must be above 0' }]);
  }
  const expiresAt = opts.ttlMinutes ? new Date(Date.now() + opts.ttlMinutes * 60_000) : null;
  const reference = opts.reference ?? null;
  // Reservations arriving together share one transaction and one commit (see reserve-batch.ts);
  // alone, one line goes in one statement.
  const batcher = batcherFor(db, async (actor, line, ref, exp) => ({ id: await reserveOne(db, actor, line, ref, exp), line, availableToPromise: -1 }), LOW_STOCK_THRESHOLD);
  const made = await batcher.reserve(ctx.actor, lines, reference, expiresAt).catch((err: unknown) => {
    throw err instanceof BatchShort ? new InsufficientStock(err.short) : err;
  });
  return made.map((m) => ({ id: m.id, ...m.line, status: 'active' as const, reference, expiresAt: expiresAt?.toISOString() ?? null }));
}

type ReservationEnd = 'released' | 'converted' | 'expired';

/** Ends an active reservation: gives the stock back (released, expired) or ships it (converted). */
export async function endReservation(tx: Tx, actor: Actor, id: string, how: ReservationEnd, reason?: string) {
  const [r] = await tx
    .update(reservations)
    .set({ status: how, updatedAt: new Date() })
    .where(and(eq(reservations.id, id), eq(reservations.status, 'active')))
    .returning();
  if (!r) {
    const [existing] = await tx.select().from(reservations).where(eq(reservations.id, id));
    if (!existing) throw notFound('reservation', id);
    throw conflict(`Reservation ${id} is ${existing.status} already.`, 'reservation_not_active', { status: existing.status });
  }
  await applyMovement(tx, actor, {
    variantId: r.variantId,
    locationId: r.locationId,
    type: how === 'converted' ? 'sale' : 'release',
    reservedDelta: -r.quantity,
    onHandDelta: how === 'converted' ? -r.quantity : 0,
    reason: reason ?? (how === 'expired' ? 'reservation expired' : null),
    reference: id,
  });
  await emit(tx, { type: `reservation.${how}`, aggregateType: 'reservation', aggregateId: id, actor, data: { reservation: { id, variantId: r.variantId, locationId: r.locationId, quantity: r.quantity, reference: r.reference } } });
  return r;
}

/**
 * Releases every active reservation made for `reference` (a cart being checked out): how a flow
 * undoes a reservation whose answer it may never have received.
 */
export async function releaseReservationsFor(tx: Tx, actor: Actor, reference: string, reason: string) {
  const active = await tx.select({ id: reservations.id }).from(reservations).where(and(eq(reservations.reference, reference), eq(reservations.status, 'active'))).orderBy(reservations.id);
  for (const r of active) await endReservation(tx, actor, r.id, 'released', reason);
  return active.length;
}

export async function changeReservation(db: Db, ctx: RequestContext, id: string, how: 'released' | 'converted', reason?: string) {
  return db.transaction((tx) => endReservation(tx, ctx.actor, id, how, reason));
}

export async function extendReservation(db: Db, id: string, minutes: number) {
  const [r] = await db
    .update(reservations)
    .set({ expiresAt: new Date(Date.now() + minutes * 60_000), updatedAt: new Date() })
    .where(and(eq(reservations.id, id), eq(reservations.status, 'active')))
    .returning();
  if (!r) throw notFound('active reservation', id);
  return r;
}

export async function getReservation(db: Executor, id: string) {
  const [r] = await db.select().from(reservations).where(eq(reservations.id, id));
  if (!r) throw notFound('reservation', id);
  return r;
}

/** The job that releases reservations whose time is up; returns how many it released. */
export async function expireReservations(db: Db, limit = 500): Promise<number> {
  const due = await db
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(eq(reservations.status, 'active'), lte(reservations.expiresAt, new Date())))
    .orderBy(asc(reservations.expiresAt))
    .limit(limit);
  let n = 0;
  for (const { id } of due) {
    try {
      await db.transaction((tx) => endReservation(tx, { type: 'system', label: 'reservation expiry' }, id, 'expired'));
      n++;
    } catch (err) {
      if ((err as Problem).code !== 'reservation_not_active') throw err;
    }
  }
  return n;
}

// ---------------------------------------------------------------- reads

export async function levelsForVariant(db: Executor, variantId: string) {
  return db
    .select({ level: stockLevels, location: stockLocations })
    .from(stockLevels)
    .innerJoin(stockLocations, eq(stockLocations.id, stockLevels.locationId))
    .where(eq(stockLevels.variantId, variantId))
    .orderBy(asc(stockLocations.code));
}

/** Every level at a location; `lowStockThreshold` on the page is the location's fallback for levels without their own. */
export async function levelsForLocation(db: Executor, locationId: string, q: { limit: number; cursor?: string; status?: 'in_stock' | 'low' | 'out' }) {
  const loc = await getLocation(db, locationId);
  const fallback = loc.lowStockThreshold ?? (await getLowStockDefault(db));
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [eq(stockLevels.locationId, locationId)];
  if (after) where.push(gt(stockLevels.variantId, after));
  const avail = sql`greatest(0, ${stockLevels.onHand} - ${stockLevels.reserved} - ${stockLevels.safetyStock})`;
  if (q.status === 'out') where.push(sql`${avail} = 0`);
  if (q.status === 'low') where.push(sql`${avail} between 1 and coalesce(${stockLevels.lowStockThreshold}, ${fallback}::int)`);
  if (q.status === 'in_stock') where.push(sql`${avail} > 0`);
  const rows = await db.select().from(stockLevels).where(and(...where)).orderBy(asc(stockLevels.variantId)).limit(q.limit + 1);
  return { ...toPage(rows, q.limit, (r) => r.variantId), lowStockThreshold: fallback };
}

/**
 * A level as the API shows it. `fallbackThreshold` is what applies when the level has no threshold
 * of its own (its location's, else the global default).
 */
export function publicLevel(l: typeof stockLevels.$inferSelect, fallbackThreshold: number = LOW_STOCK_THRESHOLD) {
  const available = atp(l);
  const low = l.lowStockThreshold ?? fallbackThreshold;
  return {
    variantId: l.variantId,
    locationId: l.locationId,
    onHand: l.onHand,
    reserved: l.reserved,
    safetyStock: l.safetyStock,
    incoming: l.incoming,
    availableToPromise: available,
    lowStockThreshold: l.lowStockThreshold,
    effectiveLowStockThreshold: low,
    status: stockStatusOf(available, low),
    version: l.version,
    updatedAt: l.updatedAt.toISOString(),
  };
}

/** One variant's levels at every location, each with the low-stock threshold that applies to it. */
export async function publicLevelsForVariant(db: Executor, variantId: string) {
  const rows = await levelsForVariant(db, variantId);
  const global = await getLowStockDefault(db);
  return rows.map((r) => publicLevel(r.level, r.location.lowStockThreshold ?? global));
}

/** A level; one that was never touched reads as zeros (version 1). */
export async function getLevel(db: Executor, key: { variantId?: string; sku?: string }, locationId: string) {
  const v = await resolveVariant(db, key);
  const loc = await getLocation(db, locationId);
  const [l] = await db.select().from(stockLevels).where(and(eq(stockLevels.variantId, v.id), eq(stockLevels.locationId, locationId)));
  const level = l ?? { variantId: v.id, locationId, onHand: 0, reserved: 0, safetyStock: 0, incoming: 0, lowStockThreshold: null, version: 1, updatedAt: new Date() };
  return publicLevel(level, loc.lowStockThreshold ?? (await getLowStockDefault(db)));
}

export interface LevelSettings {
  safetyStock?: number;
  /** null: use the location's (else the global) default again. */
  lowStockThreshold?: number | null;
}

/**
 * Changes a level's planning settings (safety stock, low-stock threshold) under If-Match. No stock
 * moves, so no ledger row; the alerts still follow: a level that becomes low (or out, or available
 * again) because of the new settings raises the same events a movement would.
 */
export async function updateLevelSettings(db: Db, ctx: RequestContext, key: { variantId?: string; sku?: string }, locationId: string, patch: LevelSettings, expected: number | undefined) {
  const v = await resolveVariant(db, key);
  const loc = await getLocation(db, locationId);
  if (patch.safetyStock !== undefined && (!Number.isInteger(patch.safetyStock) || patch.safetyStock < 0)) throw badRequest('Safety stock is a whole number of 0 or more.', [{ field: '/safetyStock', message: 'must be 0 or more' }]);
  if (patch.lowStockThreshold != null && (!Number.isInteger(patch.lowStockThreshold) || patch.lowStockThreshold < 0)) throw badRequest('The low-stock threshold is a whole number of 0 or more, or null.', [{ field: '/lowStockThreshold', message: 'must be 0 or more' }]);
  return db.transaction(async (tx) => {
    await tx.execute(sql`insert into stock_levels (variant_id, location_id) values (${v.id}, ${locationId}) on conflict do nothing`);
    const [before] = await tx.select().from(stockLevels).where(and(eq(stockLevels.variantId, v.id), eq(stockLevels.locationId, locationId))).for('update');
    checkVersion('stock level', `${v.id}@${locationId}`, before.version, expected);
    const fallback = loc.lowStockThreshold ?? (await getLowStockDefault(tx));
    const [after] = await tx
      .update(stockLevels)
      .set({
        safetyStock: patch.safetyStock ?? before.safetyStock,
        lowStockThreshold: patch.lowStockThreshold === undefined ? before.lowStockThreshold : patch.lowStockThreshold,
        version: before.version + 1,
        updatedAt: new Date(),
      })
      .where(and(eq(stockLevels.variantId, v.id), eq(stockLevels.locationId, locationId)))
      .returning();
    const was = publicLevel(before, fallback);
    const now = publicLevel(after, fallback);
    const settings = (l: typeof was) => ({ safetyStock: l.safetyStock, lowStockThreshold: l.lowStockThreshold, effectiveLowStockThreshold: l.effectiveLowStockThreshold });
    const level = { variantId: v.id, locationId, onHand: now.onHand, reserved: now.reserved, safetyStock: now.safetyStock, availableToPromise: now.availableToPromise, lowStockThreshold: now.effectiveLowStockThreshold };
    const movement = { type: 'settings' as const, onHandDelta: 0, reservedDelta: 0, reason: null, reference: null };
    const events: EventOf<'stock.settings_changed' | 'stock.out' | 'stock.low' | 'stock.back_in_stock'>[] = [{ type: 'stock.settings_changed', data: { before: settings(was), after: settings(now), level } }];
    if (was.availableToPromise > 0 && now.availableToPromise === 0) events.push({ type: 'stock.out', data: { movement, level } });
    else if (was.status !== 'low' && now.status === 'low') events.push({ type: 'stock.low', data: { movement, level } });
    if (was.availableToPromise === 0 && now.availableToPromise > 0) events.push({ type: 'stock.back_in_stock', data: { movement, level } });
    await emit(tx, ...events.map((e) => ({ ...e, aggregateType: 'stock_level', aggregateId: `${v.id}@${locationId}`, actor: ctx.actor })));
    await recordAudit(tx, ctx, { action: 'stock.settings', resourceType: 'stock_level', resourceId: `${v.id}@${locationId}`, before: settings(was), after: settings(now) });
    return now;
  });
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Where a variant can be had: stores (and warehouses) with their ATP, nearest first when `near` is given. */
export async function availability(db: Executor, key: { variantId?: string; sku?: string }, near?: { lat: number; lon: number }) {
  const v = await resolveVariant(db, key);
  const rows = await levelsForVariant(db, v.id);
  const all = await listLocations(db);
  const byLoc = new Map(rows.map((r) => [r.location.id, r.level]));
  const locations = all
    .filter((l) => l.status === 'active' && l.type !== 'supplier')
    .map((l) => {
      const lvl = byLoc.get(l.id);
      const available = lvl ? atp(lvl) : 0;
      return {
        location: publicLocation(l),
        availableToPromise: available,
        inStock: available > 0,
        pickup: l.pickup && available > 0,
        distanceKm: near && l.latitude != null && l.longitude != null ? Math.round(distanceKm(near, { lat: l.latitude, lon: l.longitude }) * 10) / 10 : null,
      };
    })
    .sort((a, b) => (near ? (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) : a.location.code < b.location.code ? -1 : 1));
  return { variantId: v.id, sku: v.sku, totalAvailable: locations.reduce((s, l) => s + l.availableToPromise, 0), locations };
}

/** `locationIds`: only movements at these locations (a caller's store scope); `[]` finds none. */
export async function listMovements(db: Executor, q: { variantId?: string; locationIds?: readonly string[]; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (q.variantId) where.push(eq(stockMovements.variantId, q.variantId));
  if (q.locationIds) where.push(q.locationIds.length ? inArray(stockMovements.locationId, [...q.locationIds]) : sql`false`);
  if (after) where.push(lt(stockMovements.seq, Number(after)));
  const rows = await db.select().from(stockMovements).where(where.length ? and(...where) : undefined).orderBy(desc(stockMovements.seq)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => String(r.seq));
}

/** Proves level = sum of the ledger for every variant and location; returns the mismatches. */
export async function verifyLedger(db: Executor) {
  const r = await db.execute<{ variant_id: string; location_id: string; on_hand: number; reserved: number; ledger_on_hand: number; ledger_reserved: number }>(sql`
    select coalesce(l.variant_id, m.variant_id) as variant_id, coalesce(l.location_id, m.location_id) as location_id,
           coalesce(l.on_hand, 0) as on_hand, coalesce(l.reserved, 0) as reserved,
           coalesce(m.on_hand, 0)::int as ledger_on_hand, coalesce(m.reserved, 0)::int as ledger_reserved
    from stock_levels l
    full join (select variant_id, location_id, sum(on_hand_delta) as on_hand, sum(reserved_delta) as reserved from stock_movements group by 1, 2) m
      on m.variant_id = l.variant_id and m.location_id = l.location_id
    where coalesce(l.on_hand, 0) <> coalesce(m.on_hand, 0) or coalesce(l.reserved, 0) <> coalesce(m.reserved, 0)`);
  const [{ n }] = (await db.execute<{ n: number }>(sql`select count(*)::int as n from stock_levels`)).rows;
  return { levelsChecked: n, mismatches: r.rows };
}


// ---------------------------------------------------------------- transfers

export async function getTransfer(db: Executor, id: string) {
  const [t] = await db.select().from(transfers).where(eq(transfers.id, id));
  if (!t) throw notFound('transfer', id);
  const lines = await db.select().from(transferLines).where(eq(transferLines.transferId, id)).orderBy(asc(transferLines.variantId));
  return { ...t, lines };
}

export type TransferView = Awaited<ReturnType<typeof getTransfer>>;

export function publicTransfer(t: TransferView) {
  return {
    id: t.id,
    fromLocationId: t.fromLocationId,
    toLocationId: t.toLocationId,
    status: t.status,
    note: t.note,
    lines: t.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity, shipped: l.shipped, received: l.received, difference: l.received != null && l.shipped != null ? l.received - l.shipped : null, differenceReason: l.differenceReason })),
    createdAt: t.createdAt.toISOString(),
    shippedAt: t.shippedAt?.toISOString() ?? null,
    receivedAt: t.receivedAt?.toISOString() ?? null,
    version: t.version,
  };
}

async function transferEvent(tx: Tx, ctx: RequestContext, type: `transfer.${'requested' | 'shipped' | 'received' | 'cancelled'}`, id: string) {
  const t = publicTransfer(await getTransfer(tx, id));
  await emit(tx, { type, aggregateType: 'transfer', aggregateId: id, actor: ctx.actor, data: { transfer: t } });
  return t;
}

export async function requestTransfer(db: Db, ctx: RequestContext, input: { fromLocationId: string; toLocationId: string; lines: Array<{ variantId: string; quantity: number }>; note?: string }) {
  if (input.fromLocationId === input.toLocationId) throw badRequest('A transfer goes between two different locations.', [{ field: '/toLocationId', message: 'same as fromLocationId' }]);
  await getLocation(db, input.fromLocationId);
  await getLocation(db, input.toLocationId);
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    if (seen.has(l.variantId)) throw badRequest('Each variant once per transfer.', [{ field: `/lines/${i}/variantId`, message: 'listed twice' }]);
    seen.add(l.variantId);
  });
  return db.transaction(async (tx) => {
    const id = newId('transfer');
    await tx.insert(transfers).values({ id, fromLocationId: input.fromLocationId, toLocationId: input.toLocationId, note: input.note ?? null });
    await tx.insert(transferLines).values(input.lines.map((l) => ({ transferId: id, variantId: l.variantId, quantity: l.quantity })));
    for (const l of input.lines) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: input.toLocationId, type: 'adjustment', incomingDelta: l.quantity });
    await recordAudit(tx, ctx, { action: 'transfer.request', resourceType: 'transfer', resourceId: id, after: input });
    return transferEvent(tx, ctx, 'transfer.requested', id);
  });
}

/** Ships what is there: the stock leaves the source (transfer_out). */
export async function shipTransfer(db: Db, ctx: RequestContext, id: string, shipped?: Array<{ variantId: string; quantity: number }>) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'transfer', id);
    const t = await getTransfer(tx, id);
    if (t.status !== 'requested') throw conflict(`Transfer ${id} is ${t.status}; only a requested transfer can ship.`, 'transfer_state');
    for (const l of t.lines) {
      const qty = shipped?.find((s) => s.variantId === l.variantId)?.quantity ?? l.quantity;
      if (qty < 0 || qty > l.quantity) throw badRequest(`Ship between 0 and ${l.quantity} of ${l.variantId}.`, [{ field: '/lines', message: 'shipped quantity out of range' }]);
      if (qty > 0) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: t.fromLocationId, type: 'transfer_out', onHandDelta: -qty, reference: id });
      if (qty < l.quantity) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: t.toLocationId, type: 'adjustment', incomingDelta: qty - l.quantity });
      await tx.update(transferLines).set({ shipped: qty }).where(and(eq(transferLines.transferId, id), eq(transferLines.variantId, l.variantId)));
    }
    await tx.update(transfers).set({ status: 'shipped', shippedAt: new Date(), version: t.version + 1 }).where(eq(transfers.id, id));
    await recordAudit(tx, ctx, { action: 'transfer.ship', resourceType: 'transfer', resourceId: id, after: shipped ?? 'as requested' });
    return transferEvent(tx, ctx, 'transfer.shipped', id);
  });
}

/** Receives at the destination (transfer_in); any difference with what shipped is recorded with its reason. */
export async function receiveTransfer(db: Db, ctx: RequestContext, id: string, received?: Array<{ variantId: string; quantity: number; reason?: string }>) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'transfer', id);
    const t = await getTransfer(tx, id);
    if (t.status !== 'shipped') throw conflict(`Transfer ${id} is ${t.status}; only a shipped transfer can be received.`, 'transfer_state');
    for (const l of t.lines) {
      const given = received?.find((r) => r.variantId === l.variantId);
      const qty = given?.quantity ?? l.shipped ?? 0;
      if (qty < 0) throw badRequest('Received quantities are 0 or more.', [{ field: '/lines', message: 'negative' }]);
      const differs = qty !== (l.shipped ?? 0);
      if (differs && !given?.reason) throw badRequest(`${l.variantId}: received ${qty} but ${l.shipped} shipped; give a reason for the difference.`, [{ field: '/lines', message: 'reason required for a difference' }]);
      await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: t.toLocationId, type: 'transfer_in', onHandDelta: qty, incomingDelta: -(l.shipped ?? 0), reason: differs ? given?.reason : null, reference: id });
      await tx.update(transferLines).set({ received: qty, differenceReason: differs ? given!.reason! : null }).where(and(eq(transferLines.transferId, id), eq(transferLines.variantId, l.variantId)));
    }
    await tx.update(transfers).set({ status: 'received', receivedAt: new Date(), version: t.version + 1 }).where(eq(transfers.id, id));
    await recordAudit(tx, ctx, { action: 'transfer.receive', resourceType: 'transfer', resourceId: id, after: received ?? 'as shipped' });
    return transferEvent(tx, ctx, 'transfer.received', id);
  });
}

export async function cancelTransfer(db: Db, ctx: RequestContext, id: string) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'transfer', id);
    const t = await getTransfer(tx, id);
    if (t.status !== 'requested') throw conflict(`Transfer ${id} is ${t.status}; only a requested transfer can be cancelled.`, 'transfer_state');
    for (const l of t.lines) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: t.toLocationId, type: 'adjustment', incomingDelta: -l.quantity });
    await tx.update(transfers).set({ status: 'cancelled', version: t.version + 1 }).where(eq(transfers.id, id));
    await recordAudit(tx, ctx, { action: 'transfer.cancel', resourceType: 'transfer', resourceId: id });
    return transferEvent(tx, ctx, 'transfer.cancelled', id);
  });
}

/** `scope`: only transfers with at least one end at these locations (a caller's stores); `[]` finds none. */
export async function listTransfers(db: Executor, q: { locationId?: string; fromLocationId?: string; toLocationId?: string; status?: string; scope?: readonly string[]; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (q.scope) where.push(q.scope.length ? or(inArray(transfers.fromLocationId, [...q.scope]), inArray(transfers.toLocationId, [...q.scope]))! : sql`false`);
  if (after) where.push(lt(transfers.id, after));
  if (q.status) where.push(eq(transfers.status, q.status as 'requested'));
  if (q.fromLocationId) where.push(eq(transfers.fromLocationId, q.fromLocationId));
  if (q.toLocationId) where.push(eq(transfers.toLocationId, q.toLocationId));
  if (q.locationId) where.push(sql`(${transfers.fromLocationId} = ${q.locationId} or ${transfers.toLocationId} = ${q.locationId})`);
  const rows = await db.select({ id: transfers.id }).from(transfers).where(where.length ? and(...where) : undefined).orderBy(desc(transfers.id)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: await Promise.all(page.data.map(async (r) => publicTransfer(await getTransfer(db, r.id)))) };
}

// ---------------------------------------------------------------- cycle counts

export async function getCountSheet(db: Executor, id: string) {
  const [c] = await db.select().from(countSheets).where(eq(countSheets.id, id));
  if (!c) throw notFound('count sheet', id);
  const lines = await db.select().from(countLines).where(eq(countLines.sheetId, id)).orderBy(asc(countLines.variantId));
  return { ...c, lines };
}

export function publicCountSheet(c: Awaited<ReturnType<typeof getCountSheet>>) {
  const lines = c.lines.map((l) => ({ variantId: l.variantId, expected: l.expected, counted: l.counted, variance: l.counted == null ? null : l.counted - l.expected }));
  return {
    id: c.id,
    locationId: c.locationId,
    zone: c.zone,
    status: c.status,
    lines,
    variance: {
      linesCounted: lines.filter((l) => l.counted != null).length,
      linesWithVariance: lines.filter((l) => l.variance).length,
      netUnits: lines.reduce((s, l) => s + (l.variance ?? 0), 0),
      absoluteUnits: lines.reduce((s, l) => s + Math.abs(l.variance ?? 0), 0),
    },
    createdAt: c.createdAt.toISOString(),
    submittedAt: c.submittedAt?.toISOString() ?? null,
    decidedAt: c.decidedAt?.toISOString() ?? null,
    decidedBy: c.decidedBy,
    version: c.version,
  };
}

/** Count sheets, newest first; filter by location, zone and status. */
/** `locationIds`: only sheets at these locations (a caller's store scope); `[]` finds none. */
export async function listCountSheets(db: Executor, q: { locationIds?: readonly string[]; zone?: string; status?: string; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(countSheets.id, after));
  if (q.locationIds) where.push(q.locationIds.length ? inArray(countSheets.locationId, [...q.locationIds]) : sql`false`);
  if (q.zone) where.push(eq(countSheets.zone, q.zone));
  if (q.status) where.push(eq(countSheets.status, q.status as 'open'));
  const rows = await db.select({ id: countSheets.id }).from(countSheets).where(where.length ? and(...where) : undefined).orderBy(desc(countSheets.id)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: await Promise.all(page.data.map(async (r) => publicCountSheet(await getCountSheet(db, r.id)))) };
}

/** A count sheet for a store zone: the variants to count with what the system expects now. */
export async function createCountSheet(db: Db, ctx: RequestContext, input: { locationId: string; zone?: string; variantIds: string[] }) {
  await getLocation(db, input.locationId);
  return db.transaction(async (tx) => {
    const id = newId('countSheet');
    await tx.insert(countSheets).values({ id, locationId: input.locationId, zone: input.zone ?? null });
    const levels = await tx.select().from(stockLevels).where(and(eq(stockLevels.locationId, input.locationId), sql`${stockLevels.variantId} in ${input.variantIds}`));
    const onHand = new Map(levels.map((l) => [l.variantId, l.onHand]));
    await tx.insert(countLines).values([...new Set(input.variantIds)].map((variantId) => ({ sheetId: id, variantId, expected: onHand.get(variantId) ?? 0 })));
    await recordAudit(tx, ctx, { action: 'count.create', resourceType: 'count_sheet', resourceId: id, after: input });
    const sheet = publicCountSheet(await getCountSheet(tx, id));
    await emit(tx, { type: 'count.created', aggregateType: 'count_sheet', aggregateId: id, actor: ctx.actor, data: { countSheet: sheet } });
    return sheet;
  });
}

export async function enterCounts(db: Db, ctx: RequestContext, id: string, counts: Array<{ variantId: string; counted: number }>, submit: boolean) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'count_sheet', id);
    const c = await getCountSheet(tx, id);
    if (c.status !== 'open') throw conflict(`Count sheet ${id} is ${c.status}; counts can only be entered while it is open.`, 'count_state');
    for (const [i, n] of counts.entries()) {
      if (!c.lines.some((l) => l.variantId === n.variantId)) throw badRequest(`${n.variantId} is not on this count sheet.`, [{ field: `/counts/${i}/variantId`, message: 'not on the sheet' }]);
      await tx.update(countLines).set({ counted: n.counted }).where(and(eq(countLines.sheetId, id), eq(countLines.variantId, n.variantId)));
    }
    if (submit) {
      const missing = (await getCountSheet(tx, id)).lines.filter((l) => l.counted == null);
      if (missing.length) throw badRequest(`Count every line before submitting; ${missing.length} still open.`, [{ field: '/counts', message: `missing: ${missing.map((m) => m.variantId).join(', ')}` }]);
      await tx.update(countSheets).set({ status: 'submitted', submittedAt: new Date(), version: c.version + 1 }).where(eq(countSheets.id, id));
    } else {
      await tx.update(countSheets).set({ version: c.version + 1 }).where(eq(countSheets.id, id));
    }
    await recordAudit(tx, ctx, { action: submit ? 'count.submit' : 'count.enter', resourceType: 'count_sheet', resourceId: id, after: counts });
    const sheet = publicCountSheet(await getCountSheet(tx, id));
    if (submit) await emit(tx, { type: 'count.submitted', aggregateType: 'count_sheet', aggregateId: id, actor: ctx.actor, data: { countSheet: sheet } });
    return sheet;
  });
}

/** Approval books each variance as a count correction; rejection changes no stock. */
export async function decideCount(db: Db, ctx: RequestContext, id: string, approve: boolean) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'count_sheet', id);
    const c = await getCountSheet(tx, id);
    if (c.status !== 'submitted') throw conflict(`Count sheet ${id} is ${c.status}; only a submitted count can be approved or rejected.`, 'count_state');
    if (approve) {
      for (const l of c.lines) {
        const variance = (l.counted ?? l.expected) - l.expected;
        if (variance) await applyMovement(tx, ctx.actor, { variantId: l.variantId, locationId: c.locationId, type: 'count_correction', onHandDelta: variance, reason: `cycle count ${id}`, reference: id });
      }
    }
    await tx.update(countSheets).set({ status: approve ? 'approved' : 'rejected', decidedAt: new Date(), decidedBy: ctx.actor.id ?? ctx.actor.label ?? null, version: c.version + 1 }).where(eq(countSheets.id, id));
    await recordAudit(tx, ctx, { action: approve ? 'count.approve' : 'count.reject', resourceType: 'count_sheet', resourceId: id });
    const sheet = publicCountSheet(await getCountSheet(tx, id));
    await emit(tx, { type: approve ? 'count.approved' : 'count.rejected', aggregateType: 'count_sheet', aggregateId: id, actor: ctx.actor, data: { countSheet: sheet } });
    return sheet;
  });
}
