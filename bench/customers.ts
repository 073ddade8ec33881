// Customer data: event ingestion over HTTP (batches of 500, with identity resolution and timeline
// writes) against a raw COPY of the same rows into a table of the same shape and indexes, in the
// same run; then the same load with the server killed (SIGKILL) halfway and restarted, counting
// every acknowledged event afterwards.
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BenchContext, Benchmark } from './lib/bench.js';
import { commandFor } from './lib/bench.js';
import { ratio, type Section } from './lib/results.js';
import { percentile } from './lib/stats.js';
import { startReference } from './lib/reference.js';
import { api, startWinkel, type WinkelProcess } from './lib/winkel.js';

const COMMAND = commandFor('customers');
const BATCH = 500;
const SENDERS = 4;
const PEOPLE = 5_000;

interface Ev {
  messageId: string;
  type: 'track' | 'page' | 'identify';
  event?: string;
  name?: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/**
 * A shop's traffic: each person browses under an anonymous id; one in five of their events comes
 * after sign-in (with their account id), and one in ten is an identify with their e-mail, so the
 * identity graph has real merges to make.
 */
function makeBatch(seed: number): Ev[] {
  const out: Ev[] = [];
  const base = Date.now() - 86_400_000;
  for (let k = 0; k < BATCH; k++) {
    const n = seed * BATCH + k;
    const person = (n * 7919) % PEOPLE;
    const anonymousId = `anon-${person}`;
    // Spread over the last day; never in the future (the collector refuses clock skew beyond a limit).
    const timestamp = new Date(base + (n % 2_000_000) * 40).toISOString();
    const r = n % 10;
    if (r === 0) out.push({ messageId: randomUUID(), type: 'identify', anonymousId, userId: `user-${person}`, timestamp, traits: { email: `shopper${person}@example.com`, firstName: `Shopper ${person}` } });
    else if (r < 3) out.push({ messageId: randomUUID(), type: 'track', event: 'Product Viewed', anonymousId, userId: `user-${person}`, timestamp, properties: { sku: `SKU-${n % 400}`, price: 1299 } });
    else out.push({ messageId: randomUUID(), type: 'page', name: 'Product', anonymousId, timestamp, properties: { path: `/p/${n % 400}` }, context: { userAgent: 'bench' } });
  }
  return out;
}

/** Sends batches from SENDERS concurrent clients until `stopAt` or `total` batches; returns what was acknowledged. */
async function send(winkel: { url: string }, key: string, batches: Ev[][], stopAt: number) {
  const acked: string[] = [];
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < batches.length && performance.now() < stopAt) {
        const batch = batches[next++];
        const t = performance.now();
        try {
          const res = await fetch(`${winkel.url}/v1/collect/batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ batch }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await res.json()) as { accepted: number; rejected: unknown[] };
          if (res.status !== 200 || body.rejected.length) throw new Error(`answered ${res.status}`);
          for (const e of batch) acked.push(e.messageId);
          latencies.push(performance.now() - t);
        } catch {
          failed++;
          // A refused connection (the server was killed): nothing of this batch counts as acknowledged.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }),
  );
  return { acked, latencies, failed };
}

const csvField = (v: unknown) => (v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));

/** The reference: the same rows, as stored, COPYed in batches of 500 from SENDERS connections. */
async function copyReference(url: string, batches: Ev[][]) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('drop table if exists bench_copy_events');
  await admin.query('create table bench_copy_events (like collected_events including defaults including indexes including constraints)');
  const columns = (await admin.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'collected_events' and is_generated = 'NEVER' order by ordinal_position`)).rows.map((r) => r.column_name);
  await admin.end();
  const rowOf = (e: Ev): Record<string, unknown> => ({
    id: `cev_${e.messageId.replace(/-/g, '').slice(0, 26)}`,
    message_id: e.messageId,
    type: e.type,
    event: e.event ?? null,
    name: e.name ?? null,
    anonymous_id: e.anonymousId,
    user_id: e.userId ?? null,
    previous_id: null,
    timestamp: e.timestamp,
    received_at: new Date().toISOString(),
    context: e.context ? JSON.stringify(e.context) : null,
    properties: e.properties ? JSON.stringify(e.properties) : null,
    traits: e.traits ? JSON.stringify(e.traits) : null,
    source_id: 'key_bench',
  });
  const clients = await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (next < batches.length) {
        const batch = batches[next++];
        const text = batch.map((e) => columns.map((col) => csvField(rowOf(e)[col])).join('\t')).join('\n') + '\n';
        await pipeline(Readable.from([text]), c.query(copyFrom(`copy bench_copy_events (${columns.join(', ')}) from stdin`)));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return (batches.length * BATCH) / seconds;
}

async function publishableKey(winkel: WinkelProcess) {
  const admin = (await api<{ token: string }>(winkel.url, null, 'POST', '/v1/auth/sign-in', { email: winkel.email, password: winkel.password })).token;
  return (await api<{ token: string }>(winkel.url, admin, 'POST', '/v1/api-keys', { kind: 'publishable', name: 'bench collector' })).token;
}

async function customersBench({ db }: BenchContext): Promise<Section> {
  const date = new Date().toISOString();
  const TOTAL_BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? 200);
  const batches = Array.from({ length: TOTAL_BATCHES }, (_, i) => makeBatch(i));

  // 1. Throughput.
  const url = await db.freshDatabase('customers');
  const winkel = await startWinkel({ databaseUrl: url });
  let rate: number;
  let lat: number[];
  let peakRssMb: number;
  const profileTimes: number[] = [];
  const refTimes: number[] = [];
  try {
    const key = await publishableKey(winkel);
    // Warm-up: a few batches that do not count.
    await send(winkel, key, Array.from({ length: 8 }, (_, i) => makeBatch(100_000 + i)), performance.now() + 30_000);
    const started = performance.now();
    const r = await send(winkel, key, batches, performance.now() + 120_000);
    const seconds = (performance.now() - started) / 1000;
    if (r.failed) throw new Error(`${r.failed} batches failed`);
    rate = r.acked.length / seconds;
    lat = r.latencies.sort((a, b) => a - b);

    // The 360° view of one person with 10,000 events: their profile and the first page of their
    // timeline, one request at a time (each latency is its own), interleaved with the bare route.
    const vip = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: BATCH }, (_, k): Ev => {
        const n = b * BATCH + k;
        const timestamp = new Date(Date.now() - 86_400_000 + n * 5000).toISOString();
        return n === 0
          ? { messageId: randomUUID(), type: 'identify', anonymousId: 'anon-vip', userId: 'user-vip', timestamp, traits: { email: 'vip@example.com' } }
          : { messageId: randomUUID(), type: n % 3 ? 'page' : 'track', name: 'Product', event: 'Product Viewed', anonymousId: 'anon-vip', timestamp, properties: { sku: `SKU-${n % 400}` } };
      }),
    );
    const sent = await send(winkel, key, vip, performance.now() + 120_000);
    if (sent.failed) throw new Error(`${sent.failed} batches for the 10,000-event profile failed`);
    const staff = (await api<{ token: string }>(winkel.url, null, 'POST', '/v1/auth/sign-in', { email: winkel.email, password: winkel.password })).token;
    const auth = { authorization: `Bearer ${staff}` };
    const found = (await api<{ id: string }>(winkel.url, staff, 'GET', '/v1/profiles/lookup?anonymousId=anon-vip')).id;
    const ref = await startReference();
    try {
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        const [a, b] = await Promise.all([fetch(`${winkel.url}/v1/profiles/${found}`, { headers: auth }), fetch(`${winkel.url}/v1/profiles/${found}/timeline?limit=50`, { headers: auth })]);
        const page = (await b.json()) as { data: unknown[] };
        await a.text();
        if (a.status !== 200 || b.status !== 200 || page.data.length !== 50) throw new Error(`360° view answered ${a.status}/${b.status}`);
        if (i >= 20) profileTimes.push(performance.now() - t0);
        const t1 = performance.now();
        await (await fetch(`${ref.url}/ping`)).text();
        if (i >= 20) refTimes.push(performance.now() - t1);
      }
    } finally {
      await ref.stop();
    }
    profileTimes.sort((a, b) => a - b);
    refTimes.sort((a, b) => a - b);
    peakRssMb = winkel.rss.stop();
  } finally {
    await winkel.stop();
  }
  const copyRate = await copyReference(url, batches);

  // 2. Kill and restart mid-load: every acknowledged event must be there afterwards.
  const killUrl = await db.freshDatabase('customers_kill');
  let first = await startWinkel({ databaseUrl: killUrl });
  const killKey = await publishableKey(first);
  const killBatches = Array.from({ length: 400 }, (_, i) => makeBatch(200_000 + i));
  const killer = setTimeout(() => first.child.kill('SIGKILL'), 3000);
  const during = await send(first, killKey, killBatches, performance.now() + 8_000);
  clearTimeout(killer);
  first.child.kill('SIGKILL');
  await first.stop().catch(() => undefined);
  first = await startWinkel({ databaseUrl: killUrl, restart: true });
  let missing = -1;
  try {
    const c = new pg.Client({ connectionString: killUrl });
    await c.connect();
    const found = await c.query<{ n: number }>('select count(*)::int as n from collected_events where message_id = any($1::text[])', [during.acked]);
    missing = during.acked.length - found.rows[0].n;
    await c.end();
  } finally {
    await first.stop();
  }

  const rounded = Math.round(rate);
  return {
    title: 'Customer data',
    intro: `Event ingestion: ${TOTAL_BATCHES} batches of ${BATCH} events (${(TOTAL_BATCHES * BATCH).toLocaleString('en-US')} in all) from ${SENDERS} concurrent senders to \`POST /v1/collect/batch\` with a publishable key, for ${PEOPLE.toLocaleString('en-US')} people (anonymous page views, signed-in product views, identifies with an e-mail), each stored with identity resolution and its timeline entry. Reference: the same rows, as they are stored, COPYed in batches of ${BATCH} from ${SENDERS} connections into a table with the same columns and indexes, in the same run. Then one person with 10,000 events: their profile and the first 50 entries of their timeline, fetched together 280 times one after the other by a staff user, against the bare Fastify route fetched in between. Then the same traffic again on a fresh database, with the server killed (SIGKILL) 3 s into it and started again, counting every event whose batch was acknowledged.`,
    peakRssMb,
    figures: {
      'customers.ingest_events_per_second': {
        value: rounded,
        unit: 'events/s',
        reference: Math.round(copyRate),
        referenceLabel: 'rows/s raw COPY',
        ratio: ratio(rate, copyRate),
        goal: '≥ 50,000 events/s in batches of 500',
        met: rate >= 50_000,
        command: COMMAND,
        date,
        p50Ms: Math.round(percentile(lat, 50)),
        p99Ms: Math.round(percentile(lat, 99)),
        detail: 'per batch of 500',
      },
      'customers.profile_360_p99': {
        value: Math.round(percentile(profileTimes, 99) * 100) / 100,
        unit: 'ms',
        reference: Math.round(percentile(refTimes, 99) * 100) / 100,
        referenceLabel: 'ms bare route p99',
        ratio: ratio(percentile(profileTimes, 99), percentile(refTimes, 99)),
        goal: 'p99 < 20 ms for the first page',
        met: percentile(profileTimes, 99) < 20,
        command: COMMAND,
        date,
        p50Ms: Math.round(percentile(profileTimes, 50) * 100) / 100,
        detail: 'profile and first timeline page (50 of 10,000 events), fetched together',
      },
      'customers.ingest_lost_after_kill': {
        value: missing,
        unit: 'events',
        reference: during.acked.length,
        referenceLabel: 'acknowledged before the kill',
        ratio: null,
        goal: 'no acknowledged event lost',
        met: missing === 0 && during.acked.length > 0,
        command: COMMAND,
        date,
        detail: `${during.failed} batches refused or cut off by the kill (not acknowledged, so not counted)`,
      },
    },
  };
}

export const customers: Benchmark = { name: 'customers', summary: 'event ingestion with identity resolution vs raw COPY; no loss when killed', run: customersBench };
