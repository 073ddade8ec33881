// Reservations that arrive together commit together. One stock level's row lock is held until its
// transaction's commit record is on disk, so reservations of one SKU, each in its own transaction,
// take turns at one disk flush apiece. Here the reservations asked for in one turn of the event
// loop, or while the batches before them are being written, go as one batch: one transaction
// that locks the levels they touch (in one fixed order, so batches of several
// processes cannot deadlock), decides every request in arrival order against what is available
// after the requests before it, and writes all levels, reservations, ledger rows and events in
// one statement. PostgreSQL's row locks and its check that reserved never exceeds on hand still
// guard the stock; batching only shares the flush. A request on its own, with nothing in flight,
// goes at once. Each request keeps its own answer: all of its lines reserved, or none of them and
// an InsufficientStock that says what was available.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.js';
import { outboxInsert, type Actor, type NewEvent } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';

export interface BatchLine {
  variantId: string;
  locationId: string;
  quantity: number;
}

export interface BatchReservation {
  id: string;
  line: BatchLine;
  /** ATP at that level right after this reservation. */
  availableToPromise: number;
}

export interface ShortLine extends BatchLine {
  available: number;
}

interface Request {
  actor: Actor;
  lines: BatchLine[];
  reference: string | null;
  expiresAt: Date | null;
  resolve: (made: BatchReservation[]) => void;
  reject: (err: unknown) => void;
}

interface LevelState {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  lowThreshold: number;
  /** Reserved by this batch so far. */
  added: number;
}

/** Thrown (per request) when some line does not fit; the caller turns it into its own problem. */
export class BatchShort extends Error {
  constructor(readonly short: ShortLine[]) {
    super('insufficient stock');
  }
}

const key = (variantId: string, locationId: string) => `${variantId}\u0000${locationId}`;
const atpOf = (l: LevelState) => Math.max(0, l.onHand - l.reserved - l.added - l.safetyStock);

export class ReservationBatcher {
  private queue: Request[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly db: Db,
    /**
     * One line of one request with nothing else waiting: the single-statement path (one round
     * trip, no explicit transaction) beats a batch of one.
     */
    private readonly single?: (actor: Actor, line: BatchLine, reference: string | null, expiresAt: Date | null) => Promise<BatchReservation>,
    /** The most requests one transaction takes; the rest wait for the next. */
    private readonly maxBatch = 200,
    /** Fallback low-stock threshold when neither the level, its location nor the settings give one. */
    private readonly defaultLowThreshold = 3,
    /**
     * Batches written at the same time. Batches on different SKUs then share the disk flush too
     * (PostgreSQL's group commit); batches on one SKU simply queue at its row lock.
     */
    private readonly maxInFlight = 4,
  ) {}

  reserve(actor: Actor, lines: BatchLine[], reference: string | null, expiresAt: Date | null): Promise<BatchReservation[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ actor, lines, reference, expiresAt, resolve, reject });
      this.schedule();
    });
  }

  /** Dispatches once the current turn of the event loop is over, so requests made together go together. */
  private schedule() {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length && this.inFlight < this.maxInFlight) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.inFlight++;
        void this.run(batch).finally(() => {
          this.inFlight--;
          if (this.queue.length) this.schedule();
        });
      }
    });
  }

  private async run(batch: Request[]) {
    if (batch.length === 1 && batch[0].lines.length === 1 && this.single) {
      const [r] = batch;
      await this.single(r.actor, r.lines[0], r.reference, r.expiresAt).then((made) => r.resolve([made]), r.reject);
      return;
    }
    try {
      const outcomes = await this.db.transaction((tx) => this.decideAndWrite(tx, batch));
      outcomes.forEach((o, i) => (o instanceof BatchShort ? batch[i].reject(o) : batch[i].resolve(o)));
    } catch (err) {
      // The batch as a whole failed (a lost connection, a deadlock with some other writer): each
      // request gets its own transaction, so one cause cannot fail the others.
      if (batch.length === 1) return batch[0].reject(err);
      await Promise.all(
        batch.map((r) =>
          this.db.transaction((tx) => this.decideAndWrite(tx, [r])).then(
            ([o]) => (o instanceof BatchShort ? r.reject(o) : r.resolve(o)),
            (e: unknown) => r.reject(e),
          ),
        ),
      );
    }
  }

  private async decideAndWrite(tx: Tx, batch: Request[]): Promise<Array<BatchReservation[] | BatchShort>> {
    const wanted = new Map<string, { variantId: string; locationId: string }>();
    for (const r of batch) for (const l of r.lines) wanted.set(key(l.variantId, l.locationId), { variantId: l.variantId, locationId: l.locationId });
    const pairs = [...wanted.values()];
    // Locked in one order (bytewise), whoever asks: batches of several processes cannot deadlock.
    const locked = await tx.execute<{ variant_id: string; location_id: string; on_hand: number; reserved: number; safety_stock: number; low_threshold: number | null }>(sql`
      select s.variant_id, s.location_id, s.on_hand, s.reserved, s.safety_stock,
        coalesce(s.low_stock_threshold, loc.low_stock_threshold, (select low_stock_threshold from inventory_settings where id = 'default')) as low_threshold
      from stock_levels s
      join unnest(${sql.param(pairs.map((p) => p.variantId))}::text[], ${sql.param(pairs.map((p) => p.locationId))}::text[]) as w(variant_id, location_id)
        on w.variant_id = s.variant_id and w.location_id = s.location_id
      left join stock_locations loc on loc.id = s.location_id
      order by s.variant_id collate "C", s.location_id collate "C"
      for update of s`);
    const levels = new Map<string, LevelState>();
    for (const r of locked.rows) {
      levels.set(key(r.variant_id, r.location_id), {
        variantId: r.variant_id,
        locationId: r.location_id,
        onHand: r.on_hand,
        reserved: r.reserved,
        safetyStock: r.safety_stock,
        lowThreshold: r.low_threshold ?? this.defaultLowThreshold,
        added: 0,
      });
    }

    const outcomes: Array<BatchReservation[] | BatchShort> = [];
    const reservationRows: Array<{ id: string; variantId: string; locationId: string; quantity: number; reference: string | null; expiresAt: Date | null; actor: Actor }> = [];
    const events: NewEvent[] = [];
    for (const r of batch) {
      // A request may name one level twice; it needs the sum.
      const need = new Map<string, number>();
      for (const l of r.lines) need.set(key(l.variantId, l.locationId), (need.get(key(l.variantId, l.locationId)) ?? 0) + l.quantity);
      const short: ShortLine[] = [];
      for (const l of r.lines) {
        const level = levels.get(key(l.variantId, l.locationId));
        const available = level ? atpOf(level) : 0;
        if (available < need.get(key(l.variantId, l.locationId))!) short.push({ ...l, available });
      }
      if (short.length) {
        outcomes.push(new BatchShort(short));
        continue;
      }
      const made: BatchReservation[] = [];
      for (const l of r.lines) {
        const level = levels.get(key(l.variantId, l.locationId))!;
        const before = atpOf(level);
        level.added += l.quantity;
        const after = atpOf(level);
        const id = newId('reservation');
        made.push({ id, line: l, availableToPromise: after });
        reservationRows.push({ id, variantId: l.variantId, locationId: l.locationId, quantity: l.quantity, reference: r.reference, expiresAt: r.expiresAt, actor: r.actor });
        events.push({
          type: 'reservation.created',
          aggregateType: 'reservation',
          aggregateId: id,
          actor: r.actor,
          data: { reservation: { id, variantId: l.variantId, locationId: l.locationId, quantity: l.quantity, reference: r.reference, expiresAt: r.expiresAt?.toISOString() ?? null } },
        });
        if (after === 0 || (after <= level.lowThreshold && before > level.lowThreshold)) {
          events.push({
            type: after === 0 ? 'stock.out' : 'stock.low',
            aggregateType: 'stock_level',
            aggregateId: `${l.variantId}@${l.locationId}`,
            actor: r.actor,
            data: {
              movement: { type: 'reservation', reservedDelta: l.quantity, reference: id },
              level: { variantId: l.variantId, locationId: l.locationId, onHand: level.onHand, reserved: level.reserved + level.added, safetyStock: level.safetyStock, availableToPromise: after, lowStockThreshold: level.lowThreshold },
            },
          });
        }
      }
      outcomes.push(made);
    }

    if (reservationRows.length) {
      const changed = [...levels.values()].filter((l) => l.added > 0);
      const col = <T>(f: (x: (typeof reservationRows)[number]) => T) => sql.param(reservationRows.map(f));
      // Levels, reservations and their ledger rows in one statement. The database's own check
      // (reserved ≤ on hand) still stands behind the decision made above under the row locks.
      await tx.execute(sql`
        with lvl as (
          update stock_levels s set reserved = s.reserved + d.added, updated_at = now()
          from unnest(${sql.param(changed.map((l) => l.variantId))}::text[], ${sql.param(changed.map((l) => l.locationId))}::text[], ${sql.param(changed.map((l) => l.added))}::int[]) as d(variant_id, location_id, added)
          where s.variant_id = d.variant_id and s.location_id = d.location_id
          returning 1),
        res as (
          insert into reservations (id, variant_id, location_id, quantity, reference, expires_at)
          select * from unnest(${col((x) => x.id)}::text[], ${col((x) => x.variantId)}::text[], ${col((x) => x.locationId)}::text[], ${col((x) => x.quantity)}::int[], ${col((x) => x.reference)}::text[], ${col((x) => x.expiresAt?.toISOString() ?? null)}::timestamptz[])
          returning 1),
        mov as (
          insert into stock_movements (variant_id, location_id, type, reserved_delta, reference, actor)
          select v, l, 'reservation', q, id, a::jsonb
          from unnest(${col((x) => x.variantId)}::text[], ${col((x) => x.locationId)}::text[], ${col((x) => x.quantity)}::int[], ${col((x) => x.id)}::text[], ${col((x) => JSON.stringify(x.actor))}::text[]) as m(v, l, q, id, a)
          returning 1)
        ${outboxInsert(events)}`);
    }
    return outcomes;
  }
}

const batchers = new WeakMap<Db, ReservationBatcher>();

/** The batcher of one database handle (one per process and pool). */
export function batcherFor(db: Db, single?: ConstructorParameters<typeof ReservationBatcher>[1], defaultLowThreshold?: number): ReservationBatcher {
  let b = batchers.get(db);
  if (!b) batchers.set(db, (b = new ReservationBatcher(db, single, 200, defaultLowThreshold, 4)));
  return b;
}
