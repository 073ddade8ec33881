// Domain events through a transactional outbox. `emit` writes the event in the caller's
// transaction, so an event exists if and only if its change committed. The relay hands committed
// events to subscribers in commit-safe order: an event is released only once every transaction
// that could still write an earlier one has ended (PostgreSQL's snapshot xmin horizon), and then
// in (transaction id, sequence) order.
//
// Order per aggregate: PostgreSQL gives a transaction its id at its first write, or when it starts
// waiting for a row lock. Two transactions queueing for the same row can therefore get ids in the
// opposite order to their commits. `lockAggregate` takes an advisory lock instead, which needs no
// transaction id: call it first in a transaction that changes an existing aggregate, and its
// events reach subscribers in the order the changes were made.
import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { newId } from '../ids.js';
import type { Db, Executor, Tx } from '../db.js';
import { outboxEvents } from '../schema.js';
import { scrubText } from '../log.js';

export interface Actor {
  type: 'staff' | 'api_key' | 'customer' | 'system' | 'anonymous';
  id?: string;
  label?: string;
}

/**
 * Every event type Winkel emits, each mapped to the type of its payload (`data`). Each module
 * declares its own in an `events.ts` catalogue (a description and a typebox schema per type);
 * src/events.ts joins them and fills this interface in (declaration merging), so emitting a type
 * that no catalogue lists, or a payload that does not match its type's schema, does not compile.
 */
export interface EventTypeRegistry {}
export type EventType = keyof EventTypeRegistry & string;
/** The payload (`data`) of an event of type `T`, as its catalogue's schema describes it. */
export type EventData<T extends EventType> = EventTypeRegistry[T];

/** One event type of a module's catalogue: when it happens (one line) and what its `data` holds. */
export interface EventDefinition<P extends TSchema = TSchema> {
  description: string;
  payload: P;
}

/** A module's event types, each with when it happens (shown in docs/API.md) and its payload schema. */
export type EventCatalogue = Record<string, EventDefinition>;

/** Declares one event type of a catalogue. */
export function defineEvent<P extends TSchema>(description: string, payload: P): EventDefinition<P> {
  return { description, payload };
}

interface NewEventEnvelope {
  aggregateType: string;
  aggregateId: string;
  /** The customer this event belongs to, so it lands in that customer's timeline. */
  customerId?: string | null;
  actor?: Actor;
}

/** An event to record: for each type, `data` must match that type's payload schema. */
export type NewEvent<T extends EventType = EventType> = { [K in T]: NewEventEnvelope & { type: K; data: EventData<K> } }[T];

/** An event's type with its payload, before it has an envelope (for code that picks the type at run time). */
export type EventOf<T extends EventType = EventType> = { [K in T]: { type: K; data: EventData<K> } }[T];

interface DomainEventEnvelope {
  id: string;
  aggregateType: string;
  aggregateId: string;
  customerId: string | null;
  actor: Actor | null;
  occurredAt: string;
  /** Position in the outbox; increases in commit-safe order per aggregate. */
  seq: number;
}

/**
 * What subscribers, webhooks and NATS receive. `DomainEvent` is any event (its `data` untyped);
 * `DomainEvent<'order.placed'>` is one of that type with its payload typed: narrow to it with
 * `isEvent`.
 */
export type DomainEvent<T extends string = string> = string extends T
  ? DomainEventEnvelope & { type: string; data: Record<string, unknown> }
  : T extends EventType
    ? DomainEventEnvelope & { type: T; data: EventData<T> }
    : never;

/**
 * Whether an event is of one of these types; narrows it to those types with their payloads typed.
 * Events are checked against their schema when they are recorded (outside production), so the
 * payload has the declared shape, except that an erasure (GDPR) replaces the person's details in
 * recorded events by "[erased]".
 */
export function isEvent<T extends EventType>(event: DomainEvent, ...types: T[]): event is DomainEvent<T> & DomainEvent {
  return (types as string[]).includes(event.type);
}

// ---- payload checks ---------------------------------------------------------------------------

/**
 * Whether `emit` checks each payload against its type's schema. Outside production it does, and
 * throws on a mismatch, so tests and development find a payload that drifted from its catalogue.
 * Measured in docs/DECISIONS.md: a compiled check costs a few microseconds per event.
 */
const CHECK_PAYLOADS = process.env.NODE_ENV !== 'production';

/** A payload that does not match its event type's schema. */
export class EventPayloadError extends Error {
  constructor(
    readonly eventType: string,
    readonly problems: Array<{ path: string; message: string }>,
  ) {
    super(`event ${eventType}: data does not match its schema: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
    this.name = 'EventPayloadError';
  }
}

const payloadSchemas = new Map<string, TSchema>();
const payloadCheckers = new Map<string, Validator>();

/**
 * Tells `emit` the payload schema of every event type (src/events.ts does, from the catalogues). A
 * type without one is not checked at run time; the compiler already refuses a type no catalogue
 * lists.
 */
export function registerEventPayloads(schemas: Record<string, TSchema>) {
  for (const [type, schema] of Object.entries(schemas)) {
    payloadSchemas.set(type, schema);
    payloadCheckers.delete(type);
  }
}

/**
 * The schema as `emit` checks it: every object closed (`additionalProperties: false`) unless it
 * says otherwise, so that a field emitted but not declared in the catalogue is found too. The
 * published schema stays open: a new field is an addition, not a break, for webhook consumers.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' && v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (out.type === 'object' && out.properties && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

function checkerOf(type: string): Validator | undefined {
  let c = payloadCheckers.get(type);
  if (!c) {
    const schema = payloadSchemas.get(type);
    if (!schema) return undefined;
    c = Compile(closed(schema) as TSchema);
    payloadCheckers.set(type, c);
  }
  return c;
}

/** Throws an EventPayloadError naming the type and the failing paths when a payload does not match. */
export function checkEventPayload(type: string, data: unknown): void {
  const c = checkerOf(type);
  if (!c || c.Check(data)) return;
  const problems = c.Errors(data).map((e) => ({ path: e.instancePath, message: e.message ?? e.keyword }));
  throw new EventPayloadError(type, problems.length ? problems : [{ path: '', message: 'does not match' }]);
}

function checkPayloads(events: readonly NewEvent[]) {
  if (!CHECK_PAYLOADS) return;
  for (const e of events) checkEventPayload(e.type, e.data);
}

export const OUTBOX_CHANNEL = 'winkel_outbox';
/** How often relays look for new events; the delivery latency of an event is about this. */
export const RELAY_POLL_MS = 100;

/**
 * Serialises changes to one aggregate so that its events are delivered in order. Must come before
 * the transaction's first write; lock several aggregates in a stable (sorted) order.
 */
export async function lockAggregate(tx: Tx, aggregateType: string, aggregateId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${aggregateType}:${aggregateId}`}, 0))`);
}

/**
 * Waits for every subscriber's batch under way to finish and holds the rest off until the caller's
 * transaction ends (a relay skips a cursor that is locked). For rare changes that rewrite events
 * already recorded, such as an erasure: a batch read before the rewrite would act on the old copy.
 * Take it before any lock a subscriber's handler may ask for.
 */
export async function lockEventCursors(tx: Tx): Promise<void> {
  await tx.execute(sql`select name from event_cursors order by name for update`);
}

const emitListeners = new Set<(types: string[]) => void>();

/**
 * Tells `listener` the types of the events this process records, as they are recorded (before the
 * transaction commits, so the change may still roll back). For in-memory caches that must not
 * outlive a change; returns the function that stops it.
 */
export function onEmitted(listener: (types: string[]) => void): () => void {
  emitListeners.add(listener);
  return () => emitListeners.delete(listener);
}

function tellListeners(events: NewEvent[]) {
  if (!emitListeners.size) return;
  const types = events.map((e) => e.type);
  for (const l of emitListeners) l(types);
}

/** Records events as part of the caller's transaction. */
export async function emit(tx: Executor, ...events: NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  checkPayloads(events);
  tellListeners(events);
  const rows = events.map((e) => ({
    id: newId('event'),
    type: e.type,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    customerId: e.customerId ?? null,
    actor: e.actor ?? null,
    data: e.data,
  }));
  await tx.insert(outboxEvents).values(rows);
  // No NOTIFY here: PostgreSQL serialises the commits of all transactions that notify (one global
  // queue lock held through the commit flush), which capped busy writers at one commit per fsync.
  // The relays poll every RELAY_POLL_MS instead; see OutboxRelay.
  return rows.map((r) => r.id);
}

/**
 * `emit` as the last part of a caller's own statement: an INSERT of these events into the outbox,
 * to follow a `with …` list of data-modifying CTEs, so that a hot path writes its change and its
 * events in one round trip.
 */
export function outboxInsert(events: NewEvent[]): SQL {
  if (!events.length) return sql`select 1`;
  const col = <T>(f: (e: NewEvent) => T) => sql.param(events.map(f));
  checkPayloads(events);
  tellListeners(events);
  return sql`insert into outbox_events (id, type, aggregate_type, aggregate_id, customer_id, actor, data)
    select * from unnest(${sql.param(events.map(() => newId('event')))}::text[], ${col((e) => e.type)}::text[], ${col((e) => e.aggregateType)}::text[], ${col((e) => e.aggregateId)}::text[],
      ${col((e) => e.customerId ?? null)}::text[], ${col((e) => (e.actor ? JSON.stringify(e.actor) : null))}::jsonb[], ${col((e) => JSON.stringify(e.data))}::jsonb[])`;
}

export interface EventFromRow {
  /** A type, or an SQL expression choosing between listed types (e.g. `case … then 'stock.out' …`). */
  type: EventType | SQL;
  aggregateType: string;
  aggregateId: string;
  customerId?: string | null;
  actor?: Actor;
  /**
   * A jsonb expression over the source row. It must build the payload its type's schema declares:
   * written by the database, it is seen by neither the compiler nor `emit`'s run-time check.
   */
  data: SQL;
  /** Emit only for source rows where this holds. */
  when?: SQL;
}

/**
 * The body of a CTE that writes events for the rows of another CTE, for hot paths that do their
 * whole change in one statement (one round trip, atomic without an explicit transaction).
 */
export function emitFromRows(source: string, events: EventFromRow[]): SQL {
  const parts = events.map(
    (e) =>
      sql`select ${newId('event')}, ${e.type}, ${e.aggregateType}, ${e.aggregateId}, ${e.customerId ?? null}, ${e.actor ? JSON.stringify(e.actor) : null}::jsonb, ${e.data}
          from ${sql.identifier(source)} ${e.when ? sql`where ${e.when}` : sql``}`,
  );
  return sql`insert into outbox_events (id, type, aggregate_type, aggregate_id, customer_id, actor, data) ${sql.join(parts, sql` union all `)}`;
}

export type EventHandler<S = undefined> = (event: DomainEvent, tx: Tx, state: S) => Promise<void>;

export interface Subscription<S = undefined> {
  /** Unique and stable: the cursor is stored under this name. */
  name: string;
  /** Event types to receive ('*' for all, or a prefix ending in '.*'). */
  types: string[];
  /**
   * 'tx': the handler runs in the transaction that advances the cursor (exactly once for database
   * effects). 'stream': the handler is idempotent and may instead be fed from NATS JetStream by
   * `winkel worker` processes when NATS_URL is set.
   */
  mode: 'tx' | 'stream';
  /**
   * Where a subscription seen for the first time (no cursor yet) starts. By default at the current
   * end of the outbox: it receives what is recorded from then on, not the past. `true`: from the
   * beginning, so it first receives every event ever recorded (a read model built from the history,
   * such as the customer timeline). Only the first start counts: later starts go on from the
   * cursor either way.
   */
  backfill?: boolean;
  /**
   * Once per batch, in the transaction that handles it and before its first event: what every
   * event is checked against (e.g. the enabled webhook endpoints), instead of a read per event.
   */
  prepare?: (tx: Tx) => Promise<S>;
  /**
   * Whether an event needs `handle` at all. An event it declines costs nothing more: no savepoint,
   * no round trip (a catalog import's thousands of product events, for the customer timeline).
   */
  wants?: (event: DomainEvent, state: S) => boolean;
  handle: EventHandler<S>;
}

/** A subscription of any state type, as the relay and the NATS consumers hold them. */
export type AnySubscription = Subscription<any>;

export function matchesType(patterns: string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

type RawEvent = {
  seq: string | number;
  /** Text form: compared as xid8 in SQL, never as text (a text order puts '999' after '1000'). */
  tx_text: string;
  id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  customer_id: string | null;
  actor: Actor | null;
  data: Record<string, unknown>;
  occurred_at: Date | string;
};

export function toDomainEvent(r: RawEvent): DomainEvent {
  return {
    id: r.id,
    type: r.type,
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    customerId: r.customer_id,
    actor: r.actor,
    data: r.data,
    occurredAt: new Date(r.occurred_at).toISOString(),
    seq: Number(r.seq),
  };
}

const BATCH = 200;

/** Feeds committed events to subscribers, each from its own cursor; safe to run in many processes. */
export class OutboxRelay {
  private subs: AnySubscription[] = [];
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pending = false;
  /** Subscriptions whose stream handling has moved to NATS consumers. */
  private external = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly pollMs = RELAY_POLL_MS,
  ) {}

  subscribe<S>(sub: Subscription<S>) {
    if (this.subs.some((s) => s.name === sub.name)) throw new Error(`duplicate subscription ${sub.name}`);
    this.subs.push(sub);
  }

  get subscriptions(): readonly AnySubscription[] {
    return this.subs;
  }

  /** Marks a stream subscription as handled elsewhere (NATS); the relay then skips it. */
  handOff(name: string) {
    this.external.add(name);
  }

  async start() {
    if (this.running) return;
    this.running = true;
    for (const s of this.subs) await this.registerCursor(s);
    this.loop = this.run();
  }

  /**
   * Gives a subscription seen for the first time its cursor: at the start of the outbox with
   * `backfill`, else at its current end. The end is the last event before the horizon (every
   * transaction that could still write an earlier one has ended), so an event that commits later
   * is never behind the cursor; an event that committed just before may still be delivered.
   */
  private async registerCursor(s: AnySubscription) {
    if (s.backfill) {
      await this.db.execute(sql`insert into event_cursors (name) values (${s.name}) on conflict do nothing`);
      return;
    }
    await this.db.execute(sql`
      with last as (
        select tx_id, seq from outbox_events
        where tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by tx_id desc, seq desc limit 1)
      insert into event_cursors (name, last_tx_id, last_seq)
      select ${s.name}, coalesce((select tx_id from last), '0'::xid8), coalesce((select seq from last), 0)
      on conflict do nothing`);
  }

  poke() {
    this.pending = true;
    this.wake?.();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run() {
    while (this.running) {
      this.pending = false;
      let busy = false;
      const mine = this.subs.filter((s) => !this.external.has(s.name));
      // One look for all subscriptions first: an idle relay then costs one statement per poll instead
      // of a transaction per subscription.
      let due: Set<string>;
      try {
        due = mine.length ? await this.due(mine.map((s) => s.name)) : new Set();
      } catch (err) {
        this.log.error({ err }, 'outbox: could not look for new events; will retry');
        due = new Set();
      }
      for (const sub of mine) {
        if (!this.running) break;
        if (!due.has(sub.name)) continue;
        try {
          const n = await this.drain(sub);
          if (n === BATCH) busy = true;
        } catch (err) {
          this.log.error({ err, subscription: sub.name }, 'outbox: subscriber failed; will retry');
        }
      }
      // An event committed while the relay worked may still be behind the horizon: look again soon.
      if (!busy && this.running) await this.sleep(this.pending ? 20 : this.pollMs);
    }
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * The subscriptions with committed events past their cursor that are not waiting out a back-off.
   * Reads without locking; `drain` takes the cursor's lock and looks again.
   */
  private async due(names: string[]): Promise<Set<string>> {
    const r = await this.db.execute<{ name: string }>(sql`
      select c.name from event_cursors c
      where c.name = any(${sql.param(names)}::text[]) and (c.retry_at is null or c.retry_at <= now())
        and exists (select 1 from outbox_events e where (e.tx_id, e.seq) > (c.last_tx_id, c.last_seq) and e.tx_id < pg_snapshot_xmin(pg_current_snapshot()))`);
    return new Set(r.rows.map((x) => x.name));
  }

  /** Processes one batch for one subscription; returns how many events it looked at. */
  async drain(sub: AnySubscription): Promise<number> {
    let seen = 0;
    let failed: { event: DomainEvent; err: unknown } | undefined;
    await this.db.transaction(async (tx) => {
      const cur = await tx.execute<{ last_tx_id: string; last_seq: string; retry_at: Date | null }>(
        sql`select last_tx_id, last_seq, retry_at from event_cursors where name = ${sub.name} for update skip locked`,
      );
      const cursor = cur.rows[0];
      if (!cursor) return; // another process holds this subscription right now
      if (cursor.retry_at && new Date(cursor.retry_at) > new Date()) return;
      const res = await tx.execute<RawEvent>(sql`
        select seq, tx_id::text as tx_text, id, type, aggregate_type, aggregate_id, customer_id, actor, data, occurred_at
        from outbox_events
        where (tx_id, seq) > (${cursor.last_tx_id}::xid8, ${cursor.last_seq}::bigint)
          and tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by outbox_events.tx_id, outbox_events.seq
        limit ${BATCH}`);
      seen = res.rows.length;
      const events = res.rows.map(toDomainEvent);
      const state = sub.prepare && events.some((e) => matchesType(sub.types, e.type)) ? await sub.prepare(tx) : undefined;
      let last: RawEvent | undefined;
      for (const [i, row] of res.rows.entries()) {
        const event = events[i]!;
        if (matchesType(sub.types, event.type) && (!sub.wants || sub.wants(event, state))) {
          try {
            await tx.transaction(async (inner) => {
              await sub.handle(event, inner, state);
            });
          } catch (err) {
            failed = { event, err };
            break;
          }
        }
        last = row;
      }
      if (last) {
        await tx.execute(sql`update event_cursors set last_tx_id = ${last.tx_text}::xid8, last_seq = ${Number(last.seq)}, failures = 0, last_error = null, retry_at = null, updated_at = now() where name = ${sub.name}`);
      }
      if (failed) {
        // Keep order: the subscription stops at the failing event and retries it with back-off.
        // Kept on the cursor row for operators: without the query parameters or values it quotes.
        const msg = scrubText(String((failed.err as Error)?.message ?? failed.err)).slice(0, 2000);
        await tx.execute(sql`update event_cursors set failures = failures + 1, last_error = ${`${failed.event.id}: ${msg}`},
          retry_at = now() + least(interval '5 minutes', interval '1 second' * power(2, failures)), updated_at = now() where name = ${sub.name}`);
      }
    });
    if (failed) {
      this.log.error({ err: failed.err, subscription: sub.name, eventId: failed.event.id }, 'outbox: handler failed; retrying with back-off');
      return 0;
    }
    return seen;
  }
}
