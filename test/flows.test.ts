// The durable flow runner itself (src/platform/flows/runner.ts), against the real database: steps
// undone last first, a run taken over by another runner when its own died (undone before the pivot,
// completed after it), a step of a run that lost its lease rolled back, waits that resume in
// another runner (after a time, or on an event committed through the outbox), one open run per key,
// and nothing of the input or the results kept once a run has ended.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db.js';
import { emit, OutboxRelay } from '../src/platform/events/outbox.js';
import { clearFaults, defineFlow, FlowRunner, injectFault, SimulatedCrash, type FlowScope } from '../src/platform/flows/runner.js';
import { useTestDatabase } from './helpers/db.js';
import { eventually } from './helpers/server.js';

let db: Db;
useTestDatabase(8, (t) => (db = t.db));
const log = pino({ level: 'silent' });

beforeAll(async () => {
  await db.execute(sql`create table flow_test_effects (seq serial primary key, run text not null, what text not null)`);
});
afterEach(() => clearFaults());

const effects = async (run: string) => (await db.execute<{ what: string }>(sql`select what from flow_test_effects where run = ${run} order by seq`)).rows.map((r) => r.what);
const runRow = async (id: string) => (await db.execute<{ status: string; input: unknown; steps: Array<Record<string, unknown>>; output: unknown; pivot_at: string | null }>(sql`select * from flow_runs where id = ${id}`)).rows[0];
const runOfKey = async (flow: string, key: string) => (await db.execute<{ id: string; status: string; steps: Array<Record<string, unknown>> }>(sql`select id, status, steps from flow_runs where flow = ${flow} and key = ${key} order by created_at desc limit 1`)).rows[0];

/** A step that writes "+name" and is undone by writing "-name". */
const effect = (flow: FlowScope, name: string, extra: { pivot?: boolean } = {}) =>
  flow.step(name, {
    ...extra,
    run: async (tx) => {
      await tx.execute(sql`insert into flow_test_effects (run, what) values (${flow.key}, ${`+${name}`})`);
      return { did: name };
    },
    compensate: async (tx, r) => void (await tx.execute(sql`insert into flow_test_effects (run, what) values (${flow.key}, ${`-${r.did}`})`)),
  });

const threeSteps = defineFlow<{ fail?: boolean; secret?: string }, string>({
  name: 'test.three',
  storedInput: ({ secret: _s, ...rest }) => rest,
  run: async (flow, input) => {
    await effect(flow, 'a');
    await effect(flow, 'b');
    if (input.fail) throw new Error('c went wrong');
    await effect(flow, 'c', { pivot: true });
    await effect(flow, 'd');
    return 'done';
  },
});

const runner = (leaseMs = 400) => {
  const r = new FlowRunner(db, log, { leaseMs, retryBaseMs: 100 });
  r.register(threeSteps);
  return r;
};

describe('a flow run', () => {
  it('completes, keeping what it answered but not its input or step results', async () => {
    const out = await runner().start(threeSteps, 'k-ok', { secret: 'card 4242' });
    expect(out).toMatchObject({ status: 'completed', output: 'done' });
    expect(await effects('k-ok')).toEqual(['+a', '+b', '+c', '+d']);
    const row = await runRow(out.runId!);
    expect(row).toMatchObject({ status: 'completed', input: null, output: 'done' });
    expect(row.steps.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(row.steps.every((s) => s.result === undefined)).toBe(true);
    expect(JSON.stringify(row)).not.toContain('4242');
  });

  it('undoes the steps taken, last first, when one fails before the pivot', async () => {
    await expect(runner().run(threeSteps, 'k-fail', { fail: true })).rejects.toThrow('c went wrong');
    expect(await effects('k-fail')).toEqual(['+a', '+b', '-b', '-a']);
    const run = await runOfKey('test.three', 'k-fail');
    expect(run.status).toBe('compensated');
    expect(run.steps.every((s) => typeof s.compensatedAt === 'string')).toBe(true);
  });

  it('whose process died before the pivot is undone by another runner once its lease ran out', async () => {
    injectFault('test.three', 'b', 'crash_after');
    await expect(runner().run(threeSteps, 'k-dead', {})).rejects.toBeInstanceOf(SimulatedCrash);
    const other = runner();
    // Not while the lease holds.
    expect(await other.recoverDue()).toBe(0);
    await eventually(async () => (await other.recoverDue()) > 0, 5000, 50);
    expect(await effects('k-dead')).toEqual(['+a', '+b', '-b', '-a']);
    expect((await runOfKey('test.three', 'k-dead')).status).toBe('compensated');
  });

  it('whose process died past the pivot is completed by another runner, running only the steps not taken', async () => {
    injectFault('test.three', 'c', 'crash_after');
    await expect(runner().run(threeSteps, 'k-pivot', {})).rejects.toBeInstanceOf(SimulatedCrash);
    const other = runner();
    await eventually(async () => (await other.recoverDue()) > 0, 5000, 50);
    expect(await effects('k-pivot')).toEqual(['+a', '+b', '+c', '+d']);
    expect(await runOfKey('test.three', 'k-pivot')).toMatchObject({ status: 'completed' });
  });

  it('failing past the pivot stays to be completed, and is, by the recovery', async () => {
    injectFault('test.three', 'd', 'before');
    const r = runner();
    await expect(r.run(threeSteps, 'k-retry', {})).rejects.toThrow('injected failure');
    expect((await runOfKey('test.three', 'k-retry')).status).toBe('running');
    await eventually(async () => (await r.recoverDue()) > 0, 5000, 50);
    expect(await effects('k-retry')).toEqual(['+a', '+b', '+c', '+d']);
    expect((await runOfKey('test.three', 'k-retry')).status).toBe('completed');
  });

  for (const taker of ['another runner', 'the same runner'] as const)
    it(`that lost its lease to ${taker} cannot commit another step, even while the new owner is undoing it`, async () => {
      let releaseStep!: () => void;
      const stepGate = new Promise<void>((r) => (releaseStep = r));
      let releaseUndo!: () => void;
      const undoGate = new Promise<void>((r) => (releaseUndo = r));
      const slow = defineFlow<Record<string, never>, string>({
        name: `test.slow.${taker === 'another runner' ? 'other' : 'same'}`,
        run: async (flow) => {
          await flow.step('a', {
            run: async (tx) => void (await tx.execute(sql`insert into flow_test_effects (run, what) values (${flow.key}, '+a')`)),
            // The new owner's undo takes its time too.
            compensate: async (tx) => {
              await undoGate;
              await tx.execute(sql`insert into flow_test_effects (run, what) values (${flow.key}, '-a')`);
            },
          });
          // A slow step (a provider taking its time): the run's lease runs out meanwhile.
          await flow.step('b', {
            run: async (tx) => {
              await stepGate;
              await tx.execute(sql`insert into flow_test_effects (run, what) values (${flow.key}, '+b')`);
            },
          });
          return 'late';
        },
      });
      const first = new FlowRunner(db, log, { leaseMs: 60_000 });
      first.register(slow);
      const key = `k-lost-${taker.split(' ')[0]}`;
      const pending = first.run(slow, key, {});
      pending.catch(() => undefined);
      await eventually(async () => (await db.execute(sql`select 1 from flow_runs where flow = ${slow.name} and key = ${key}`)).rows.length === 1, 5000, 20);
      await db.execute(sql`update flow_runs set lease_until = now() - interval '1 second' where flow = ${slow.name} and key = ${key}`);
      // A recovery in the same process is a new owner too: the execution it took over must not go on.
      const second = taker === 'another runner' ? new FlowRunner(db, log, { leaseMs: 60_000 }) : first;
      second.register(slow);
      const recovering = second.recoverDue();
      await eventually(async () => (await db.execute<{ status: string }>(sql`select status from flow_runs where flow = ${slow.name} and key = ${key}`)).rows[0].status === 'compensating', 5000, 20);
      // The old execution wakes up while its run is being undone.
      releaseStep();
      await expect(pending).rejects.toThrow('taken over');
      releaseUndo();
      expect(await recovering).toBe(1);
      expect(await effects(key)).toEqual(['+a', '-a']);
      expect((await runOfKey(slow.name, key)).status).toBe('compensated');
    });

  it('is one per flow and key while it is open', async () => {
    const parked = defineFlow<Record<string, never>, void>({ name: 'test.parked', run: async (flow) => void (await flow.sleep('nap', 60_000)) });
    const r = runner();
    expect(await r.start(parked, 'k-one', {})).toMatchObject({ status: 'waiting' });
    await expect(r.start(parked, 'k-one', {})).rejects.toMatchObject({ status: 409, code: 'flow_in_progress' });
  });
});

describe('a waiting run', () => {
  const napper = defineFlow<{ ms: number }, string>({
    name: 'test.nap',
    whenLost: 'resume',
    run: async (flow, input) => {
      await effect(flow, 'before');
      await flow.sleep('nap', input.ms);
      await effect(flow, 'after');
      return 'rested';
    },
  });

  it('sleeps without a lease and is carried on by another runner once its time has come', async () => {
    const out = await runner().start(napper, 'k-nap', { ms: 300 });
    expect(out.status).toBe('waiting');
    expect(await runRow(out.runId!)).toMatchObject({ status: 'waiting' });
    const other = runner();
    other.register(napper);
    expect(await other.recoverDue()).toBe(0);
    await eventually(async () => (await other.recoverDue()) > 0, 5000, 50);
    expect(await effects('k-nap')).toEqual(['+before', '+after']);
    expect(await runRow(out.runId!)).toMatchObject({ status: 'completed', output: 'rested' });
  });

  const awaiting = defineFlow<{ orderId: string }, string>({
    name: 'test.await',
    whenLost: 'resume',
    run: async (flow, input) => {
      const e = await flow.waitForEvent('delivered', { type: 'order.note_added', aggregateId: input.orderId, timeoutMs: 60_000 });
      await flow.step('saw', { run: async (tx) => void (await tx.execute(sql`insert into flow_test_effects (run, what) values (${flow.key}, ${`saw ${e?.type} ${String((e?.data as { note?: { body?: string } })?.note?.body)}`})`)) });
      return e ? 'event' : 'timeout';
    },
  });

  const noteAdded = (orderId: string, body: string) => ({
    orderId,
    order: { id: orderId, channel: 'web' as const, storeId: null },
    note: { id: 'note_flowtest', orderId, body, visibility: 'internal' as const, author: { type: 'staff', id: null, label: null }, createdAt: new Date().toISOString() },
  });

  it('waits for an event, which the outbox subscription records and wakes it for', async () => {
    const r = runner();
    r.register(awaiting);
    const relay = new OutboxRelay(db, log);
    relay.subscribe(r.subscription());
    await relay.start();
    try {
      const out = await r.start(awaiting, 'k-event', { orderId: 'ord_flowtest' });
      expect(out.status).toBe('waiting');
      // Another order's event does not wake it.
      await db.transaction((tx) => emit(tx, { type: 'order.note_added', aggregateType: 'order', aggregateId: 'ord_other', data: noteAdded('ord_other', 'no') }));
      await db.transaction((tx) => emit(tx, { type: 'order.note_added', aggregateType: 'order', aggregateId: 'ord_flowtest', data: noteAdded('ord_flowtest', 'left at the door') }));
      await eventually(async () => (await r.recoverDue()) > 0, 10_000, 50);
      expect(await effects('k-event')).toEqual(['saw order.note_added left at the door']);
      expect(await runRow(out.runId!)).toMatchObject({ status: 'completed', output: 'event' });
    } finally {
      await relay.stop();
    }
  });

  it('that waits for an event gives up at its time-out', async () => {
    const quick = defineFlow<Record<string, never>, string>({
      name: 'test.timeout',
      whenLost: 'resume',
      run: async (flow) => ((await flow.waitForEvent('never', { type: 'order.note_added', aggregateId: 'ord_never', timeoutMs: 200 })) ? 'event' : 'timeout'),
    });
    const r = runner();
    const out = await r.start(quick, 'k-timeout', {});
    expect(out.status).toBe('waiting');
    await eventually(async () => (await r.recoverDue()) > 0, 5000, 50);
    expect(await runRow(out.runId!)).toMatchObject({ status: 'completed', output: 'timeout' });
  });
});
