// The typed event catalog: each event type's payload has a schema (src/modules/*/events.ts); `emit`
// refuses a payload that does not match it (the compiler, and outside production a check at run
// time that names the type and the field), subscribers read payloads typed, and a subscription
// seen for the first time starts at the current end of the outbox unless it asks for a backfill.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/events.js';
import type { Db } from '../src/platform/db.js';
import { SYSTEM } from '../src/platform/context.js';
import { reserve } from '../src/modules/inventory/service.js';
import { checkEventPayload, emit, EventPayloadError, isEvent, OutboxRelay, type DomainEvent, type EventType, type NewEvent } from '../src/platform/events/outbox.js';
import { useTestDatabase } from './helpers/db.js';
import { eventually } from './helpers/server.js';

let db: Db;
const log = pino({ level: 'silent' });
useTestDatabase(5, (t) => (db = t.db));

const placed = (orderId: string) =>
  ({
    type: 'order.placed',
    aggregateType: 'order',
    aggregateId: orderId,
    customerId: null,
    data: {
      payAtPickup: false,
      order: { id: orderId, channel: 'web', storeId: null, total: 1250, currency: 'EUR', note: null, lines: [{ sku: 'TEE-M', quantity: 1, total: 1250 }] },
      customer: { id: null, email: 'shopper@example.com' },
    },
  }) satisfies NewEvent<'order.placed'>;

/** Emits, past the compiler, an event whose payload does not match its type. */
const emitUnchecked = (event: Record<string, unknown>) => db.transaction((tx) => emit(tx, event as unknown as NewEvent));

describe('event payloads', () => {
  it('a payload that matches its type’s schema is recorded as given', async () => {
    const [id] = await db.transaction((tx) => emit(tx, placed('ord_ok')));
    const r = await db.execute<{ data: unknown }>(sql`select data from outbox_events where id = ${id}`);
    expect(r.rows[0]!.data).toEqual(placed('ord_ok').data);
  });

  it('does not compile when the payload does not match (tsc checks this file)', () => {
    const wrong = () =>
      // @ts-expect-error: total is a number of cents, not a text
      emit(db, { ...placed('ord_x'), data: { ...placed('ord_x').data, order: { ...placed('ord_x').data.order, total: '12.50' } } });
    const unknownType = () =>
      // @ts-expect-error: no catalogue lists this type
      emit(db, { type: 'order.plced', aggregateType: 'order', aggregateId: 'ord_x', data: {} });
    expect(typeof wrong).toBe('function');
    expect(typeof unknownType).toBe('function');
  });

  it('a mismatching payload is refused at run time, naming the type and the field, and nothing is recorded', async () => {
    const bad = placed('ord_bad');
    const err = await emitUnchecked({ ...bad, data: { ...bad.data, order: { ...bad.data.order, total: 12.5 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventPayloadError);
    expect((err as EventPayloadError).eventType).toBe('order.placed');
    expect((err as EventPayloadError).problems).toEqual([expect.objectContaining({ path: '/order/total' })]);
    expect((err as Error).message).toContain('order.placed');
    expect((err as Error).message).toContain('/order/total');

    // A required field left out, a wrong enum value, a field no schema declares: each refused.
    const { payAtPickup: _gone, ...withoutPayAtPickup } = bad.data;
    expect(await emitUnchecked({ ...bad, data: withoutPayAtPickup }).catch((e: EventPayloadError) => e.problems.map((p) => p.path))).toEqual(['']);
    const channel = await emitUnchecked({ ...bad, data: { ...bad.data, order: { ...bad.data.order, channel: 'fax' } } }).catch((e: EventPayloadError) => e.message);
    expect(channel).toContain('/order/channel');
    const extra = await emitUnchecked({ ...bad, data: { ...bad.data, secret: 'not declared' } }).catch((e: EventPayloadError) => e.message);
    expect(extra).toContain('order.placed');
    const r = await db.execute(sql`select 1 from outbox_events where aggregate_id = 'ord_bad'`);
    expect(r.rows).toHaveLength(0);
  });

  it('events a statement writes in SQL (a reservation in one round trip) match their schemas too', async () => {
    await db.execute(sql`insert into stock_locations (id, code, name, type) values ('loc_sqlpath', 'SQLPATH', 'SQL path', 'warehouse')`);
    await db.execute(sql`insert into stock_levels (variant_id, location_id, on_hand) values ('var_sqlpath', 'loc_sqlpath', 2)`);
    // One line alone takes the one-statement path (emitFromRows); taking all stock also writes stock.out.
    await reserve(db, SYSTEM, [{ variantId: 'var_sqlpath', locationId: 'loc_sqlpath', quantity: 2 }], { reference: 'cart_sqlpath', ttlMinutes: 30 });
    const r = await db.execute<{ type: string; data: unknown }>(sql`select type, data from outbox_events where aggregate_id like '%sqlpath%' or data->'reservation'->>'variantId' = 'var_sqlpath' order by seq`);
    expect(r.rows.map((e) => e.type)).toEqual(['reservation.created', 'stock.out']);
    for (const e of r.rows) expect(() => checkEventPayload(e.type, e.data), e.type).not.toThrow();
  });

  it('every event type in the catalog has a payload schema that describes an object', () => {
    expect(EVENT_TYPES.length).toBeGreaterThan(90);
    for (const e of EVENT_TYPES) {
      const p = e.payload as { type?: string; anyOf?: Array<{ type?: string }> };
      expect(p.type === 'object' || (p.anyOf ?? []).every((x) => x.type === 'object'), e.type).toBe(true);
    }
  });

  it('isEvent narrows an event to its type, with its payload typed', () => {
    const e: DomainEvent = { ...placed('ord_n'), id: 'evt_1', actor: null, occurredAt: new Date().toISOString(), seq: 1 };
    expect(isEvent(e, 'order.cancelled', 'order.completed')).toBe(false);
    if (!isEvent(e, 'order.placed')) throw new Error('not narrowed');
    const total: number = e.data.order.total; // typed: no cast
    expect(total).toBe(1250);
  });
});

describe('a new subscription', () => {
  const t = (type: string) => type as EventType;
  const emitMadeUp = (k: number) =>
    db.transaction((tx) => emit(tx, { type: t('history.thing'), aggregateType: 'history', aggregateId: 'h', data: { k } } as unknown as NewEvent));

  it('starts at the current end of the outbox, unless it asks for a backfill', async () => {
    for (const k of [1, 2, 3]) await emitMadeUp(k);
    // Settled: no transaction that began before they committed is still running. (The horizon is
    // the whole server's: a transaction still open elsewhere, in another test file's database,
    // holds it back, and a new cursor then starts before these, on the safe side.)
    await eventually(async () => {
      const r = await db.execute<{ settled: boolean }>(sql`select max(tx_id) < pg_snapshot_xmin(pg_current_snapshot()) as settled from outbox_events where type = 'history.thing'`);
      return r.rows[0]!.settled;
    }, 60_000);
    const fresh: number[] = [];
    const history: number[] = [];
    const relay = new OutboxRelay(db, log, 50);
    relay.subscribe({ name: 'test.fresh', types: ['history.*'], mode: 'tx', handle: async (e) => void fresh.push(e.data.k as number) });
    relay.subscribe({ name: 'test.history', types: ['history.*'], mode: 'tx', backfill: true, handle: async (e) => void history.push(e.data.k as number) });
    await relay.start();
    await emitMadeUp(4);
    await eventually(async () => fresh.length >= 1 && history.length >= 4, 20_000);
    await relay.stop();
    expect(fresh).toEqual([4]);
    expect(history).toEqual([1, 2, 3, 4]);

    // Started again, both go on from their cursors: nothing twice, nothing missed.
    await emitMadeUp(5);
    const again = new OutboxRelay(db, log, 50);
    again.subscribe({ name: 'test.fresh', types: ['history.*'], mode: 'tx', handle: async (e) => void fresh.push(e.data.k as number) });
    again.subscribe({ name: 'test.history', types: ['history.*'], mode: 'tx', backfill: true, handle: async (e) => void history.push(e.data.k as number) });
    await again.start();
    await eventually(async () => fresh.length >= 2 && history.length >= 5, 20_000);
    await again.stop();
    expect(fresh).toEqual([4, 5]);
    expect(history).toEqual([1, 2, 3, 4, 5]);
  });
});
