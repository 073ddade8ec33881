// The transactional outbox: an event exists if and only if its change committed; subscribers see
// every committed event once, in order per aggregate, also with many concurrent writers; a failing
// handler holds its subscription at that event and retries.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db.js';
import { emit, lockAggregate, OutboxRelay, type DomainEvent, type EventType, type NewEvent } from '../src/platform/events/outbox.js';
import { useTestDatabase } from './helpers/db.js';
import { eventually } from './helpers/server.js';

let db: Db;
const log = pino({ level: 'silent' });
/** Event types made up for these tests: no module emits them, so they are in no catalogue. */
const t = (type: string) => type as EventType;
/** `emit` for those made-up types, whose payloads no catalogue declares (and so are not checked). */
const emitMadeUp = (tx: Parameters<typeof emit>[0], ...events: Array<{ type: EventType; aggregateType: string; aggregateId: string; data: Record<string, unknown> }>): Promise<string[]> => emit(tx, ...(events as unknown as NewEvent[]));

useTestDatabase(30, (t) => (db = t.db));

describe('outbox', () => {
  it('writes no event when the transaction rolls back', async () => {
    await db
      .transaction(async (tx) => {
        await emitMadeUp(tx, { type: t('test.rolled_back'), aggregateType: 'test', aggregateId: 'a1', data: {} });
        throw new Error('abort');
      })
      .catch(() => undefined);
    await db.transaction((tx) => emitMadeUp(tx, { type: t('test.committed'), aggregateType: 'test', aggregateId: 'a1', data: {} }));
    const rows = await db.execute<{ type: string }>(sql`select type from outbox_events where aggregate_id = 'a1'`);
    expect(rows.rows.map((r) => r.type)).toEqual(['test.committed']);
  });

  it('delivers every event of 40 concurrent writers exactly once, in order per aggregate', async () => {
    const seen: DomainEvent[] = [];
    const relay = new OutboxRelay(db, log, 50);
    relay.subscribe({
      name: 'test.collector',
      types: ['test.step'],
      mode: 'tx',
      handle: async (e, tx) => {
        seen.push(e);
        await tx.execute(sql`select 1`);
      },
    });
    // Two relays compete for the same subscription, as two processes would.
    const rival = new OutboxRelay(db, log, 50);
    rival.subscribe({ name: 'test.collector', types: ['test.step'], mode: 'tx', handle: async (e) => void seen.push(e) });
    await relay.start();
    await rival.start();
    await db.execute(sql`create table if not exists counters (id text primary key, n int not null)`);
    const aggregates = Array.from({ length: 8 }, (_, i) => `agg${i}`);
    for (const a of aggregates) await db.execute(sql`insert into counters values (${a}, 0) on conflict do nothing`);
    const perWriter = 10;
    await Promise.all(
      Array.from({ length: 40 }, (_, w) =>
        (async () => {
          for (let i = 0; i < perWriter; i++) {
            const agg = aggregates[(w + i) % aggregates.length];
            await db.transaction(async (tx) => {
              // Lock the aggregate first (the ordering rule in outbox.ts), then record the step.
              await lockAggregate(tx, 'counter', agg);
              const r = await tx.execute<{ n: number }>(sql`update counters set n = n + 1 where id = ${agg} returning n`);
              await emitMadeUp(tx, { type: t('test.step'), aggregateType: 'counter', aggregateId: agg, data: { n: r.rows[0].n } });
            });
          }
        })(),
      ),
    );
    await eventually(async () => seen.length >= 400, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    await relay.stop();
    await rival.stop();
    expect(seen).toHaveLength(400);
    expect(new Set(seen.map((e) => e.id)).size).toBe(400);
    for (const a of aggregates) {
      const ns = seen.filter((e) => e.aggregateId === a).map((e) => e.data.n as number);
      expect(ns).toEqual([...ns].sort((x, y) => x - y));
      expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => i + 1));
    }
  });

  it('holds a subscription at a failing event and retries it, keeping the order', async () => {
    const handled: string[] = [];
    let failures = 0;
    const relay = new OutboxRelay(db, log, 50);
    relay.subscribe({
      name: 'test.flaky',
      types: ['flaky.*'],
      mode: 'tx',
      handle: async (e) => {
        if (e.data.k === 2 && failures < 2) {
          failures++;
          throw new Error('receiver down');
        }
        handled.push(String(e.data.k));
      },
    });
    await relay.start();
    for (const k of [1, 2, 3]) await db.transaction((tx) => emitMadeUp(tx, { type: t('flaky.thing'), aggregateType: 'flaky', aggregateId: 'f', data: { k } }));
    await eventually(async () => handled.length === 3, 20_000);
    await relay.stop();
    expect(handled).toEqual(['1', '2', '3']);
    expect(failures).toBe(2);
    const cursor = await db.execute<{ failures: number; last_error: string | null }>(sql`select failures, last_error from event_cursors where name = 'test.flaky'`);
    expect(cursor.rows[0]).toEqual({ failures: 0, last_error: null });
  });

  it('keeps a failing handler’s error on the cursor without the values its query was given', async () => {
    const relay = new OutboxRelay(db, log, 50);
    relay.subscribe({
      name: 'test.leaky',
      types: ['leaky.*'],
      mode: 'tx',
      // A query that fails with a person's e-mail among its parameters, as a real handler's might.
      handle: async (e, tx) => void (await tx.execute(sql`select ${String(e.data.email)}::uuid`)),
    });
    await relay.start();
    await db.transaction((tx) => emitMadeUp(tx, { type: t('leaky.thing'), aggregateType: 'leaky', aggregateId: 'l', data: { email: 'private.person@example.com' } }));
    const cursor = await eventually(async () => {
      const r = await db.execute<{ last_error: string | null }>(sql`select last_error from event_cursors where name = 'test.leaky'`);
      return r.rows[0]?.last_error ?? undefined;
    }, 20_000);
    await relay.stop();
    expect(cursor).toContain('uuid');
    expect(cursor).not.toContain('private.person@example.com');
  });

  it('reads what a batch is checked against once, and passes declined events without handling them', async () => {
    const handled: number[] = [];
    let prepared = 0;
    const relay = new OutboxRelay(db, log, 50);
    relay.subscribe<{ even: boolean }>({
      name: 'test.picky',
      types: ['picky.*'],
      mode: 'tx',
      // Its events are written before the relay starts (below): it asks for them.
      backfill: true,
      prepare: async (tx) => {
        prepared++;
        await tx.execute(sql`select 1`);
        return { even: true };
      },
      wants: (e, state) => ((e.data.k as number) % 2 === 0) === state.even,
      handle: async (e, _tx, state) => {
        expect(state).toEqual({ even: true });
        handled.push(e.data.k as number);
      },
    });
    // Written before the relay starts, so that all ten arrive in one batch.
    await db.transaction((tx) => emitMadeUp(tx, ...Array.from({ length: 10 }, (_, k) => ({ type: t('picky.thing'), aggregateType: 'picky', aggregateId: 'p', data: { k } }))));
    await relay.start();
    await eventually(async () => handled.length === 5, 20_000);
    await db.transaction((tx) => emitMadeUp(tx, { type: t('picky.thing'), aggregateType: 'picky', aggregateId: 'p', data: { k: 11 } }));
    // The declined last event still moves the cursor: nothing is left behind for this subscription.
    await eventually(async () => {
      const r = await db.execute<{ behind: boolean }>(sql`select exists (select 1 from outbox_events e, event_cursors c where c.name = 'test.picky' and e.type like 'picky.%' and (e.tx_id, e.seq) > (c.last_tx_id, c.last_seq)) as behind`);
      return r.rows[0]!.behind === false;
    }, 20_000);
    await relay.stop();
    expect(handled).toEqual([0, 2, 4, 6, 8]);
    // Once per batch that holds such events (the ten may straddle two batches of 200), never per event.
    expect(prepared).toBeGreaterThanOrEqual(2);
    expect(prepared).toBeLessThanOrEqual(3);
  });
});
