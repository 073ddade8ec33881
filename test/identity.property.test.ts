// Identity resolution is order-independent: the same events, in any order and cut into any
// batches, give the same profiles (the same identifiers and the same events together).
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db.js';
import type { IdentifierKind, Observation } from '../src/modules/customers/identity.js';
import { ingest } from '../src/modules/customers/profiles.js';
import { useTestDatabase } from './helpers/db.js';

let db: Db;
useTestDatabase(4, (t) => (db = t.db));

const UNIVERSE: Array<[IdentifierKind, string[]]> = [
  ['customer_id', ['cus_1', 'cus_2', 'cus_3']],
  ['email', ['a@x.nl', 'b@x.nl', 'c@x.nl']],
  ['phone', ['+31611111111', '+31622222222']],
  ['loyalty_card', ['L1', 'L2']],
  ['anonymous_id', ['anon-1', 'anon-2', 'anon-3', 'kiosk']],
];
const identifierArb = fc.constantFrom(...UNIVERSE.flatMap(([kind, values]) => values.map((value) => ({ kind, value }))));

const eventsArb = fc
  .array(fc.record({ ids: fc.uniqueArray(identifierArb, { minLength: 1, maxLength: 3, selector: (i) => `${i.kind}:${i.value}` }), minute: fc.integer({ min: 0, max: 50 }) }), { minLength: 1, maxLength: 25 })
  .map((events) =>
    events.map(
      (e, i): Observation => ({
        source: 'collect',
        sourceId: `collect:e${i}`,
        // Equal times happen: the order must not depend on arrival then either.
        occurredAt: new Date(Date.UTC(2026, 10, 1, 10, e.minute)),
        type: 'track',
        name: 'Seen',
        channel: 'online',
        data: {},
        identifiers: e.ids,
      }),
    ),
  );

/** Profiles as sets of identifiers and events, without their (random) ids. */
async function partition() {
  const ids = await db.execute<{ profile_id: string; key: string }>(sql`select profile_id, key from profile_identifiers where profile_id is not null`);
  const entries = await db.execute<{ profile_id: string; source_id: string }>(sql`select profile_id, source_id from timeline_entries`);
  const groups = new Map<string, string[]>();
  for (const r of ids.rows) (groups.get(r.profile_id) ?? groups.set(r.profile_id, []).get(r.profile_id)!).push(r.key);
  for (const r of entries.rows) (groups.get(r.profile_id) ?? groups.set(r.profile_id, []).get(r.profile_id)!).push(r.source_id);
  return [...groups.values()].map((g) => g.sort().join(' ')).sort();
}

async function reset() {
  await db.execute(sql`truncate profiles, profile_identifiers, identity_links, anonymous_users, timeline_entries, profile_merges, profile_separations`);
}

async function run(events: Observation[], cuts: number[]) {
  await reset();
  let start = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < events.length)].sort((a, b) => a - b).concat(events.length)) {
    const batch = events.slice(start, cut);
    start = cut;
    if (batch.length) await db.transaction((tx) => ingest(tx, batch));
  }
  return partition();
}

describe('identity resolution', () => {
  it('gives the same profiles for the same events in any order and any batching', async () => {
    await db.execute(sql`insert into identity_rules (id, rules) values (1, ${JSON.stringify({ anonymousIdMaxUsers: 2 })}::jsonb) on conflict (id) do update set rules = excluded.rules`);
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.array(fc.nat(25), { maxLength: 4 }), fc.array(fc.nat(25), { maxLength: 4 }), fc.integer(), async (events, cutsA, cutsB, seed) => {
        const inOrder = await run(events, cutsA);
        // A deterministic shuffle from the seed, so a failure replays.
        const shuffled = events
          .map((e, i) => ({ e, k: Math.sin(seed + i * 7919) }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.e);
        const reordered = await run(shuffled, cutsB);
        expect(reordered).toEqual(inOrder);
        // Every event rests on exactly one profile.
        expect(inOrder.join(' ').split(' ').filter((w) => w.startsWith('collect:')).length).toBe(events.length);
      }),
      { numRuns: 80 },
    );
  }, 240_000);
});
