// Durable flows: work made of named steps that survives the process running it.
//
// A flow is an async function that takes its steps through a `FlowScope`. Each step's effect and
// the record of it (its name and result: what its compensation needs) commit in one transaction,
// so a run never holds an effect it does not know of. A run is a row in flow_runs, leased by the
// process that runs it; the lease is renewed by every step and by a heartbeat.
//
// When a step fails before the run's pivot (the step past which the work is done and is completed,
// never undone), the steps taken are compensated in reverse, each compensation committing with the
// mark that it ran. After the pivot a failure leaves the run to be completed later. When the
// process dies, its runs' leases run out and a recovery job (`recoverDue`) in any process takes
// them over: it replays the flow's function, where every recorded step answers its recorded result
// without running again, and then either compensates (a run lost before its pivot) or goes on (a
// run past its pivot, or woken from a wait).
//
// Replay asks one thing of a flow's code: between steps it must be deterministic, given its input
// and the results of its steps. Whatever reads the world (the database, the clock, random ids) or
// changes it happens inside a step.
//
// A step can also wait: for a duration, until a time, or for an event (a type and an aggregate id)
// with an optional time-out. The run is then `waiting`, holds no lease, and is resumed, in any
// process, by the recovery job once its time has come or by the event subscription when its event
// has been committed.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../db.js';
import { sqlState } from '../db.js';
import { Problem } from '../errors.js';
import { newId } from '../ids.js';
import { scrubText } from '../log.js';
import type { Subscription } from '../events/outbox.js';

// ---------------------------------------------------------------- what a flow is made of

export interface TxStep<T> {
  /** The step's work, in a transaction; the step's record commits with it. */
  run(tx: Tx): Promise<T>;
  /** Undoes the step, given what it answered; in a transaction with the mark that it was undone. */
  compensate?(tx: Tx, result: T): Promise<void>;
  /** Past this step the run is never undone: a later failure is retried until the run completes. */
  pivot?: boolean;
}

export interface CallStep<T> {
  /**
   * Work outside any transaction: a call to another system, or work that runs in transactions of
   * its own (a batched reservation). A process dying during it or before its answer is recorded
   * leaves it to the recovery: carried on, it is called again (so it must be safe to repeat:
   * idempotent, or cumulative such as "capture what is still due"); undone, its compensation runs
   * without the answer.
   */
  call(): Promise<T>;
  /**
   * Undoes the step: given its answer, or `undefined` when the process died before the answer was
   * recorded, when it must undo whatever the call may have done (found by `intent`). A step with a
   * compensation has its intent recorded before the call is made.
   */
  compensate?(result: T | undefined, intent: unknown): Promise<void>;
  /** What the compensation needs when the answer is not known (e.g. the reference the call books under). */
  intent?: unknown;
  pivot?: boolean;
}

/** The event a waiting step was woken by, as the flow receives it. */
export interface FlowEvent {
  id: string;
  type: string;
  aggregateId: string;
  data: Record<string, unknown>;
  occurredAt: string;
}

export interface FlowScope {
  readonly runId: string;
  readonly flow: string;
  readonly key: string;
  /** 1 for the first execution; more when a recovery or a wake-up replays the run. */
  readonly attempt: number;
  step<T>(name: string, step: TxStep<T>): Promise<T>;
  call<T>(name: string, step: CallStep<T>): Promise<T>;
  /** Waits `ms` from the moment the run first reaches this step. */
  sleep(name: string, ms: number): Promise<void>;
  /** Waits until `at`. */
  sleepUntil(name: string, at: Date): Promise<void>;
  /** Waits for the first event of `type` about `aggregateId` committed after the wait began; null when `timeoutMs` passed first. */
  waitForEvent(name: string, on: { type: string; aggregateId: string; timeoutMs?: number }): Promise<FlowEvent | null>;
}

export interface FlowDefinition<I, O> {
  /** Unique; stored with every run, so a renamed flow leaves its old runs without a definition. */
  name: string;
  /** The flow's body. */
  run(flow: FlowScope, input: I): Promise<O>;
  /**
   * What is stored of the input for replays (default: all of it). Leave out secrets (card numbers):
   * a replay never runs a step again that was recorded, so only steps still to come may need them.
   */
  storedInput?(input: I): unknown;
  /** A run lost (its process died) before its pivot: undone (default) or carried on by replay. */
  whenLost?: 'compensate' | 'resume';
}

export function defineFlow<I, O>(def: FlowDefinition<I, O>): FlowDefinition<I, O> {
  return def;
}

export type FlowStatus = 'running' | 'waiting' | 'compensating' | 'completed' | 'compensated' | 'failed';

export type FlowOutcome<O> = { status: 'completed'; runId: string | null; output: O } | { status: 'waiting'; runId: string; wakeAt: Date | null };

interface StepRecord {
  name: string;
  at: string;
  result?: unknown;
  /** A call step whose answer is not recorded (yet): what its compensation needs. */
  intent?: unknown;
  started?: boolean;
  pivot?: boolean;
  compensatedAt?: string;
}

interface RunRow {
  id: string;
  flow: string;
  key: string;
  status: FlowStatus;
  input: unknown;
  steps: StepRecord[];
  pivotAt: Date | null;
  attempts: number;
}

// ---------------------------------------------------------------- failures the runner itself raises

/**
 * This execution no longer holds the run: its lease ran out (the process stalled) and a recovery
 * took it over, which undoes or completes it. The caller is told to try again shortly (503).
 */
export class LeaseLost extends Problem {
  constructor(runId: string) {
    super({ status: 503, code: 'flow_interrupted', title: 'Interrupted', detail: `This request's work (flow run ${runId}) stalled and was taken over by the recovery, which settles it; try again in a moment.`, headers: { 'retry-after': '2' } });
  }
}

/** Raised inside a run to park it; never reaches the flow's caller. */
class Suspend {
  constructor(
    readonly wakeAt: Date | null,
    readonly event: { type: string; aggregateId: string } | null,
  ) {}
}

/** Replay for compensation reached a step that had not been taken: compensate what came before. */
class StopReplay {}

/**
 * Test-only: stands for the process dying at this point. The run is left exactly as it is, with its
 * lease held, for the recovery job to find once the lease has run out.
 */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
  }
}

// ---------------------------------------------------------------- faults injected by tests

export type FaultPoint = 'before' | 'after' | 'crash_before' | 'crash_after';
const faults = new Map<string, { point: FaultPoint; error?: () => Error }>();

/**
 * Makes step `step` of flow `flow` fail (`before`: instead of running; `after`: once it has
 * committed) or the process "die" there (`crash_before`, `crash_after`: see SimulatedCrash), for
 * the next run that reaches it. Only honoured under a test runner (VITEST or NODE_ENV=test).
 */
export function injectFault(flow: string, step: string, point: FaultPoint, error?: () => Error) {
  if (!testing()) throw new Error('injectFault is for tests only');
  faults.set(`${flow}/${step}`, { point, error });
}

export function clearFaults() {
  faults.clear();
}

function testing() {
  return !!process.env.VITEST || process.env.NODE_ENV === 'test';
}

function fault(flow: string, step: string, at: 'before' | 'after') {
  if (!faults.size) return;
  const f = faults.get(`${flow}/${step}`);
  if (!f || !f.point.endsWith(at)) return;
  faults.delete(`${flow}/${step}`);
  if (f.point.startsWith('crash')) throw new SimulatedCrash(`${at} step ${step} of ${flow}`);
  throw f.error?.() ?? new Error(`injected failure ${at} step ${step} of ${flow}`);
}

// ---------------------------------------------------------------- the runner

export interface FlowRunnerOptions {
  /** How long a run stays with its process without a sign of life; a recovery takes it over after. */
  leaseMs?: number;
  /** How long a run past its pivot waits before a failed attempt is tried again (doubling, capped at an hour). */
  retryBaseMs?: number;
  /** Ended runs are deleted after this many days. */
  retentionDays?: number;
}

/** NOTIFY channel: a waiting run became due. */
export const FLOWS_CHANNEL = 'winkel_flows';

const DEFAULTS: Required<FlowRunnerOptions> = { leaseMs: 30_000, retryBaseMs: 5_000, retentionDays: 30 };

/** Whether an error is the caller's (a 4xx problem) rather than the system's. */
function describeError(err: unknown) {
  if (err instanceof Problem) return { status: err.status, code: err.code, message: scrubText(err.message).slice(0, 500) };
  if (err instanceof Error) return { name: err.name, message: scrubText(err.message).slice(0, 500) };
  return { message: scrubText(String(err)).slice(0, 500) };
}

export class FlowRunner {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  /** Definitions of any input and output (their methods take them bivariantly). */
  private readonly defs = new Map<string, FlowDefinition<unknown, unknown>>();
  private readonly opts: Required<FlowRunnerOptions>;
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    opts: FlowRunnerOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  }

  /** Makes a flow runnable (and recoverable) in this process; registering a name again replaces it. */
  register<I, O>(def: FlowDefinition<I, O>) {
    this.defs.set(def.name, def as FlowDefinition<unknown, unknown>);
  }

  definition(name: string) {
    return this.defs.get(name);
  }

  /**
   * Runs a flow in this process and answers its output. A run that parks itself (a wait) answers
   * `waiting`; `run` below insists on completion.
   */
  async start<I, O>(def: FlowDefinition<I, O>, key: string, input: I): Promise<FlowOutcome<O>> {
    if (!this.defs.has(def.name)) this.register(def);
    const id = newId('flowRun');
    const exec = new Execution<I, O>(this, def, { id, flow: def.name, key, status: 'running', input: def.storedInput ? def.storedInput(input) : input, steps: [], pivotAt: null, attempts: 1 }, input, false, 'forward', `${this.owner}#${id}#1`);
    return exec.go();
  }

  /** Runs a flow to its end in this process. */
  async run<I, O>(def: FlowDefinition<I, O>, key: string, input: I): Promise<O> {
    const r = await this.start(def, key, input);
    if (r.status !== 'completed') throw new Error(`flow ${def.name} for ${key} is waiting; use start() for flows that wait`);
    return r.output;
  }

  /**
   * One round of the recovery job: takes over runs whose process died (lease run out) and waiting
   * runs whose time has come, and carries each on. Answers how many it took.
   */
  async recoverDue(limit = 10, only?: { flow: string; key: string }): Promise<number> {
    await this.prune();
    const taken = await this.db.execute<Record<string, unknown>>(sql`
      with due as (
        select id, status as was from flow_runs
        where ((status in ('running', 'compensating') and lease_until < now()) or (status = 'waiting' and wake_at <= now()))
          ${only ? sql`and flow = ${only.flow} and key = ${only.key}` : sql``}
        order by coalesce(lease_until, wake_at)
        limit ${limit}
        for update skip locked)
      update flow_runs r set lease_owner = ${this.owner} || '#' || r.id || '#' || (r.attempts + 1), lease_until = clock_timestamp() + make_interval(secs => ${this.opts.leaseMs / 1000}),
        attempts = r.attempts + 1, updated_at = now(),
        status = case when r.status = 'waiting' then 'running' else r.status end,
        wake_at = null, wait_event_type = null, wait_aggregate_id = null
      from due where r.id = due.id
      returning r.id, r.flow, r.key, r.status, r.input, r.steps, r.pivot_at, r.attempts, r.lease_owner, due.was`);
    for (const row of taken.rows) {
      const run: RunRow = { id: row.id as string, flow: row.flow as string, key: row.key as string, status: row.status as FlowStatus, input: row.input, steps: (row.steps as StepRecord[]) ?? [], pivotAt: row.pivot_at ? new Date(row.pivot_at as string) : null, attempts: row.attempts as number };
      await this.resume(run, row.was as FlowStatus, row.lease_owner as string).catch((err) => this.log.error({ err: describeError(err), runId: run.id, flow: run.flow }, 'flow recovery failed'));
    }
    return taken.rows.length;
  }

  /** Recovers the run of `flow` for `key` at once if its process died; true when one was taken over. */
  async recoverKey(flow: string, key: string): Promise<boolean> {
    return (await this.recoverDue(1, { flow, key })) > 0;
  }

  private async resume(run: RunRow, was: FlowStatus, owner: string) {
    const def = this.defs.get(run.flow);
    if (!def) {
      // Left for a process that knows the flow (or for an operator); looked at again in a while.
      this.log.error({ runId: run.id, flow: run.flow }, 'flow run has no definition in this process');
      await this.db.execute(sql`update flow_runs set lease_until = now() + interval '10 minutes', last_error = ${JSON.stringify({ message: `no definition of flow ${run.flow}` })}::jsonb where id = ${run.id}`);
      return;
    }
    // Woken from a wait, or past its pivot: carried on. Lost before its pivot: undone (unless the flow says to carry on).
    const lostBeforePivot = was === 'compensating' || (was === 'running' && !run.pivotAt && (def.whenLost ?? 'compensate') === 'compensate');
    const exec = new Execution(this, def, run, run.input, true, lostBeforePivot ? 'compensate' : 'forward', owner);
    this.log.warn({ runId: run.id, flow: run.flow, key: run.key, mode: lostBeforePivot ? 'compensate' : 'forward', attempt: run.attempts }, 'resuming flow run');
    await exec.go().catch((err) => {
      // The error is the run's (recorded on it); recovery itself went as it should.
      if (!(err instanceof LeaseLost)) this.log.warn({ err: describeError(err), runId: run.id, flow: run.flow }, 'resumed flow run ended with an error');
    });
  }

  /**
   * The outbox subscription that wakes runs waiting for an event: in the transaction that moves its
   * cursor, the event is recorded as the wait's result and the run is made due; a NOTIFY on
   * `winkel_flows` (delivered at commit) tells recovery loops to carry it on at once. Costs one read
   * per batch of events while nothing waits.
   */
  subscription(): Subscription<Set<string>> {
    return {
      name: 'flows.waits',
      types: ['*'],
      mode: 'tx',
      prepare: async (tx) => {
        const r = await tx.execute<{ t: string; a: string }>(sql`select distinct wait_event_type as t, wait_aggregate_id as a from flow_runs where status = 'waiting' and wait_event_type is not null`);
        return new Set(r.rows.map((x) => `${x.t} ${x.a}`));
      },
      wants: (e, waited) => waited.has(`${e.type} ${e.aggregateId}`),
      handle: async (e, tx) => {
        const r = await tx.execute(sql`
          update flow_runs set wake_at = now(), updated_at = now(),
            steps = jsonb_set(steps, array[(jsonb_array_length(steps) - 1)::text, 'result', 'event'],
              ${JSON.stringify({ id: e.id, type: e.type, aggregateId: e.aggregateId, data: e.data, occurredAt: e.occurredAt })}::jsonb)
          where status = 'waiting' and wait_event_type = ${e.type} and wait_aggregate_id = ${e.aggregateId}
            and (steps -> -1 -> 'result' ->> 'since')::timestamptz <= ${e.occurredAt}::timestamptz
            and (steps -> -1 -> 'result' -> 'event') = 'null'::jsonb`);
        if (r.rowCount) await tx.execute(sql`select pg_notify(${FLOWS_CHANNEL}, '')`);
      },
    };
  }

  /** Deletes ended runs past their retention, at most once a minute. */
  private async prune() {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.db.execute(sql`delete from flow_runs where ended_at < now() - make_interval(days => ${this.opts.retentionDays})`);
  }

  // -------------------------------------------------- bookkeeping the executions share

  /** @internal */ get options() {
    return this.opts;
  }
  /** @internal */ get database() {
    return this.db;
  }
  /** @internal */ get logger() {
    return this.log;
  }
}

// ---------------------------------------------------------------- one execution of a run

type Mode = 'forward' | 'compensate';

class Execution<I, O> {
  private readonly recorded = new Map<string, { index: number; rec: StepRecord }>();
  private readonly seen = new Set<string>();
  private readonly undo: Array<{ name: string; index: number; fn: (tx: Tx | null) => Promise<void>; inTx: boolean }> = [];
  private pivoted: boolean;
  private stored: boolean;
  /** How many of `row.steps` the database holds; the rest were taken since and are written with the next record. */
  private dbLen: number;
  /** Held records the database has in an older form (a call step's answer, a compensation mark). */
  private readonly dirty = new Set<number>();
  private status: 'running' | 'compensating';
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly runner: FlowRunner,
    private readonly def: FlowDefinition<I, O>,
    private readonly row: RunRow,
    private readonly input: unknown,
    /** Whether the row exists already (a resumed run). */
    stored: boolean,
    private readonly mode: Mode,
    /**
     * Whom the lease names: this execution, not the process, so that a recovery in the same process
     * that took the run over is a different owner from the execution it took it from.
     */
    private readonly owner: string,
  ) {
    row.steps.forEach((rec, index) => this.recorded.set(rec.name, { index, rec }));
    this.pivoted = !!row.pivotAt;
    this.stored = stored;
    this.dbLen = row.steps.length;
    this.status = row.status === 'compensating' ? 'compensating' : 'running';
  }

  private get db() {
    return this.runner.database;
  }

  private leaseSql() {
    return sql`clock_timestamp() + make_interval(secs => ${this.runner.options.leaseMs / 1000})`;
  }

  /** A transaction that writes the run's row: what this execution holds in memory follows its fate. */
  private async transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const saved = { steps: this.row.steps.map((r) => ({ ...r })), dbLen: this.dbLen, dirty: [...this.dirty], stored: this.stored, status: this.status };
    try {
      return await this.db.transaction(fn);
    } catch (err) {
      this.row.steps.splice(0, this.row.steps.length, ...saved.steps);
      this.dbLen = saved.dbLen;
      this.dirty.clear();
      for (const i of saved.dirty) this.dirty.add(i);
      if (!saved.stored && this.stored) {
        this.stored = false;
        this.stopBeat();
      }
      throw err;
    }
  }

  async go(): Promise<FlowOutcome<O>> {
    if (this.stored) this.beat();
    try {
      const output = await this.def.run(this.scope(), this.input as I);
      await this.finish('completed', output);
      return { status: 'completed', runId: this.stored ? this.row.id : null, output };
    } catch (err) {
      if (err instanceof Suspend) return { status: 'waiting', runId: this.row.id, wakeAt: err.wakeAt };
      if (err instanceof SimulatedCrash || err instanceof LeaseLost) throw err;
      if (err instanceof StopReplay || !this.pivoted) {
        await this.compensate(err instanceof StopReplay ? null : err);
        if (err instanceof StopReplay) return { status: 'completed', runId: this.row.id, output: undefined as O };
        throw err;
      }
      // Past the pivot: the run stays to be completed; the next attempt comes after a pause.
      await this.retryLater(err);
      throw err;
    } finally {
      this.stopBeat();
    }
  }

  private beat() {
    if (this.heartbeat) return;
    const every = Math.max(250, Math.floor(this.runner.options.leaseMs / 3));
    this.heartbeat = setInterval(() => {
      this.db
        .execute(sql`update flow_runs set lease_until = ${this.leaseSql()} where id = ${this.row.id} and lease_owner = ${this.owner} and status in ('running', 'compensating')`)
        .catch((err) => this.runner.logger.warn({ err: describeError(err), runId: this.row.id }, 'flow lease renewal failed'));
    }, every);
    this.heartbeat.unref();
  }

  private stopBeat() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private scope(): FlowScope {
    return {
      runId: this.row.id,
      flow: this.row.flow,
      key: this.row.key,
      attempt: this.row.attempts,
      step: (name, s) => this.txStep(name, s),
      call: (name, s) => this.callStep(name, s),
      sleep: (name, ms) => this.wait(name, () => ({ until: new Date(Date.now() + ms).toISOString() }), null).then(() => undefined),
      sleepUntil: (name, at) => this.wait(name, () => ({ until: at.toISOString() }), null).then(() => undefined),
      waitForEvent: (name, on) => this.wait(name, () => ({ until: on.timeoutMs != null ? new Date(Date.now() + on.timeoutMs).toISOString() : null, since: new Date().toISOString(), event: null }), on),
    };
  }

  private claimName(name: string) {
    if (this.seen.has(name)) throw new Error(`flow ${this.def.name}: step name "${name}" is used twice in one run; give each step its own name`);
    this.seen.add(name);
  }

  private lineUp(name: string, index: number, fn: ((tx: Tx | null) => Promise<void>) | undefined, inTx: boolean) {
    if (fn && !this.pivoted && !this.row.steps[index]?.compensatedAt) this.undo.push({ name, index, fn, inTx });
  }

  private async txStep<T>(name: string, s: TxStep<T>): Promise<T> {
    this.claimName(name);
    const prior = this.recorded.get(name);
    if (prior) {
      this.lineUp(name, prior.index, s.compensate ? (tx) => s.compensate!(tx!, prior.rec.result as T) : undefined, true);
      if (s.pivot) this.pivoted = true;
      return prior.rec.result as T;
    }
    if (this.mode === 'compensate') throw new StopReplay();
    fault(this.def.name, name, 'before');
    const rec: StepRecord = { name, at: '' };
    const result = await this.transact(async (tx) => {
      const r = await s.run(tx);
      Object.assign(rec, { at: new Date().toISOString(), ...(r !== undefined ? { result: r } : {}), ...(s.pivot ? { pivot: true } : {}) });
      await this.write(tx, { add: rec, pivot: s.pivot });
      return r;
    });
    const index = this.row.steps.length - 1;
    this.recorded.set(name, { index, rec });
    this.lineUp(name, index, s.compensate ? (tx) => s.compensate!(tx!, result) : undefined, true);
    if (s.pivot) this.pivoted = true;
    fault(this.def.name, name, 'after');
    return result;
  }

  private async callStep<T>(name: string, s: CallStep<T>): Promise<T> {
    this.claimName(name);
    const comp = s.compensate;
    const prior = this.recorded.get(name);
    if (prior && !prior.rec.started) {
      this.lineUp(name, prior.index, comp ? () => comp(prior.rec.result as T, prior.rec.intent ?? s.intent ?? null) : undefined, false);
      if (s.pivot) this.pivoted = true;
      return prior.rec.result as T;
    }
    if (this.mode === 'compensate') {
      // Called, answer unknown: undone by what it was called for.
      if (prior) this.lineUp(name, prior.index, comp ? () => comp(undefined, prior.rec.intent ?? null) : undefined, false);
      throw new StopReplay();
    }
    fault(this.def.name, name, 'before');
    let index = prior?.index;
    if (index === undefined && comp) {
      // The intent is on record before anything happens, so a lost run is undone even mid-call.
      await this.transact((tx) => this.write(tx, { add: { name, at: new Date().toISOString(), started: true, intent: s.intent ?? null } }));
      index = this.row.steps.length - 1;
      this.recorded.set(name, { index, rec: this.row.steps[index] });
    }
    const result = await s.call();
    const done: StepRecord = { name, at: new Date().toISOString(), ...(result !== undefined ? { result } : {}), ...(s.intent !== undefined ? { intent: s.intent } : {}), ...(s.pivot ? { pivot: true } : {}) };
    if (index === undefined) {
      this.row.steps.push(done);
      index = this.row.steps.length - 1;
    } else {
      this.row.steps[index] = done;
      if (index < this.dbLen) this.dirty.add(index);
    }
    // A pivot is written at once; any other answer goes with the next record (a run lost before
    // then has the call made with its answer unknown, or not made: both are handled above).
    if (s.pivot) await this.transact((tx) => this.write(tx, { pivot: true }));
    this.recorded.set(name, { index, rec: done });
    this.lineUp(name, index, comp ? () => comp(result, s.intent ?? null) : undefined, false);
    if (s.pivot) this.pivoted = true;
    fault(this.def.name, name, 'after');
    return result;
  }

  /**
   * Brings the run's row up to date in the caller's transaction: inserts it at the first record,
   * else appends the new records and rewrites the changed ones. Fails (rolling the caller's work
   * back) when this process no longer holds the run.
   */
  private async write(tx: Tx, w: { add?: StepRecord; pivot?: boolean; park?: { wakeAt: Date | null; event: { type: string; aggregateId: string } | null } } = {}) {
    if (w.add) this.row.steps.push(w.add);
    const park = w.park;
    const status = park ? 'waiting' : this.status;
    const wake = park ? sql`${park.wakeAt ? park.wakeAt.toISOString() : null}::timestamptz` : sql`null`;
    const evType = park?.event?.type ?? null;
    const evAgg = park?.event?.aggregateId ?? null;
    const owner = park ? null : this.owner;
    const lease = park ? sql`null` : this.leaseSql();
    try {
      if (!this.stored) {
        try {
          await tx.execute(sql`
            insert into flow_runs (id, flow, key, status, input, steps, pivot_at, lease_owner, lease_until, wake_at, wait_event_type, wait_aggregate_id)
            values (${this.row.id}, ${this.row.flow}, ${this.row.key}, ${status}, ${JSON.stringify(this.row.input ?? null)}::jsonb, ${JSON.stringify(this.row.steps)}::jsonb,
              ${w.pivot ? sql`now()` : sql`null`}, ${owner}, ${lease}, ${wake}, ${evType}, ${evAgg})`);
        } catch (err) {
          if (sqlState(err) === '23505') throw new Problem({ status: 409, code: 'flow_in_progress', title: 'Conflict', detail: `A ${this.row.flow} for ${this.row.key} is already under way.` });
          throw err;
        }
      } else {
        let steps = sql`steps`;
        for (const i of this.dirty) steps = sql`jsonb_set(${steps}, array[${String(i)}], ${JSON.stringify(this.row.steps[i])}::jsonb)`;
        const added = this.row.steps.slice(this.dbLen);
        if (added.length) steps = sql`${steps} || ${JSON.stringify(added)}::jsonb`;
        const r = await tx.execute(sql`
          update flow_runs set steps = ${steps}, updated_at = now(), status = ${status},
            pivot_at = ${w.pivot ? sql`coalesce(pivot_at, now())` : sql`pivot_at`},
            lease_owner = ${owner}, lease_until = ${lease}, wake_at = ${wake}, wait_event_type = ${evType}, wait_aggregate_id = ${evAgg}
          where id = ${this.row.id} and lease_owner = ${this.owner} and status in ('running', 'compensating')`);
        if (!r.rowCount) throw new LeaseLost(this.row.id);
      }
    } catch (err) {
      // Not written: the record stays with the work it belongs to, which rolls back with it.
      if (w.add) this.row.steps.pop();
      throw err;
    }
    this.dirty.clear();
    this.dbLen = this.row.steps.length;
    if (!this.stored) {
      this.stored = true;
      // The row becomes visible when this transaction commits; a renewal before then finds nothing, harmlessly.
      if (!park) this.beat();
    }
  }

  private async wait(name: string, first: () => { until: string | null; since?: string; event?: null }, on: { type: string; aggregateId: string } | null): Promise<FlowEvent | null> {
    this.claimName(name);
    const prior = this.recorded.get(name);
    if (!prior) {
      if (this.mode === 'compensate') throw new StopReplay();
      fault(this.def.name, name, 'before');
      const w = first();
      const due = w.until !== null && new Date(w.until) <= new Date();
      const rec: StepRecord = { name, at: new Date().toISOString(), result: w };
      // The wait's record (its deadline) and the parking of the run commit together.
      await this.transact((tx) => this.write(tx, { add: rec, park: due ? undefined : { wakeAt: w.until ? new Date(w.until) : null, event: on } }));
      this.recorded.set(name, { index: this.row.steps.length - 1, rec });
      if (due) return null;
      this.stopBeat();
      throw new Suspend(w.until ? new Date(w.until) : null, on);
    }
    const w = prior.rec.result as { until: string | null; since?: string; event?: FlowEvent | null };
    if (on && w.event) return w.event;
    if (w.until !== null && new Date(w.until) <= new Date()) return null;
    if (this.mode === 'compensate') throw new StopReplay();
    // Woken before its time (a clock a little behind): wait on.
    await this.transact((tx) => this.write(tx, { park: { wakeAt: w.until ? new Date(w.until) : null, event: on } }));
    this.stopBeat();
    throw new Suspend(w.until ? new Date(w.until) : null, on);
  }

  /** Undoes the steps taken, last first; each undo commits with its mark. Leaves the run to recovery when one fails. */
  private async compensate(cause: unknown) {
    if (!this.stored) return;
    const id = this.row.id;
    const owner = this.owner;
    try {
      this.status = 'compensating';
      await this.transact(async (tx) => {
        await this.write(tx);
        if (cause) await tx.execute(sql`update flow_runs set last_error = ${JSON.stringify(describeError(cause))}::jsonb where id = ${id}`);
      });
      for (const u of [...this.undo].reverse()) {
        const mark = async (tx: Tx) => {
          this.row.steps[u.index] = { ...this.row.steps[u.index], compensatedAt: new Date().toISOString() };
          if (u.index < this.dbLen) this.dirty.add(u.index);
          await this.write(tx);
        };
        if (u.inTx) {
          await this.transact(async (tx) => {
            await u.fn(tx);
            await mark(tx);
          });
        } else {
          await u.fn(null);
          await this.transact(mark);
        }
      }
      await this.finish('compensated', undefined);
    } catch (err) {
      if (err instanceof LeaseLost) return;
      // The rest is undone by the recovery job after a pause.
      this.runner.logger.error({ err: describeError(err), runId: id, flow: this.row.flow }, 'flow compensation failed; the recovery job will finish it');
      await this.db.execute(sql`update flow_runs set lease_until = clock_timestamp() + make_interval(secs => ${this.backoffMs() / 1000}) where id = ${id} and lease_owner = ${owner}`).catch(() => undefined);
    }
  }

  private backoffMs() {
    return Math.min(3_600_000, this.runner.options.retryBaseMs * 2 ** Math.min(10, Math.max(0, this.row.attempts - 1)));
  }

  private async retryLater(err: unknown) {
    if (!this.stored) return;
    await this
      .transact(async (tx) => {
        await this.write(tx);
        await tx.execute(sql`update flow_runs set lease_until = clock_timestamp() + make_interval(secs => ${this.backoffMs() / 1000}), last_error = ${JSON.stringify(describeError(err))}::jsonb where id = ${this.row.id}`);
      })
      .catch(() => undefined);
  }

  /** Ends the run: what it answered is kept, its input and step results (personal data, often) are not. */
  private async finish(status: 'completed' | 'compensated', output: unknown) {
    if (!this.stored) return;
    const steps = this.row.steps.map(({ name, at, pivot, compensatedAt, started }) => ({ name, at, ...(pivot ? { pivot } : {}), ...(compensatedAt ? { compensatedAt } : {}), ...(started ? { started } : {}) }));
    await this.db.execute(sql`
      update flow_runs set status = ${status}, output = ${output === undefined ? null : JSON.stringify(output)}::jsonb, input = null, steps = ${JSON.stringify(steps)}::jsonb,
        lease_owner = null, lease_until = null, wake_at = null, ended_at = now(), updated_at = now()
      where id = ${this.row.id} and lease_owner = ${this.owner}`);
  }
}
