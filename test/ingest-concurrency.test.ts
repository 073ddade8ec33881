// Batches that arrive at the same time, over real parallel connections, give the same profiles as
// the same batches one after the other; and a profile's counters and declared traits, kept up to
// date batch by batch, are what a recount from its timeline gives.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { collect, type IncomingEvent } from '../src/modules/customers/collect.js';
import { refreshProfiles } from '../src/modules/customers/profiles.js';
import type { Db } from '../src/platform/db.js';
import { useTestDatabase } from './helpers/db.js';

let db: Db;
useTestDatabase(10, (t) => (db = t.db));

/** A small shop's traffic from a fixed seed: 40 people, some signing in, some with a phone or a shared kiosk id. */
function traffic(seed: number, count: number, from: number): IncomingEvent[] {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  const out: IncomingEvent[] = [];
  for (let i = 0; i < count; i++) {
    const person = rnd(40);
    const timestamp = new Date(Date.UTC(2026, 10, 1, 9, 0, 0) + (from + rnd(600)) * 1000).toISOString();
    const anonymousId = rnd(15) === 0 ? 'kiosk' : `anon-${person}`;
    const kind = rnd(10);
    const messageId = `s${seed}-${from}-${i}`;
    if (kind === 0) out.push({ type: 'identify', messageId, anonymousId, userId: `cus_${person}`, timestamp, traits: { email: `p${person}@example.com`, firstName: `Name ${rnd(3)}` } });
    else if (kind === 1) out.push({ type: 'identify', messageId, anonymousId, timestamp, traits: { phone: `06${String(10_000_000 + person)}`, plan: `plan-${rnd(4)}` } });
    else if (kind < 4) out.push({ type: 'track', messageId, event: 'Product Viewed', anonymousId, userId: `cus_${person}`, timestamp });
    else out.push({ type: 'page', messageId, name: 'Product', anonymousId, timestamp });
  }
  return out;
}

async function reset() {
  await db.execute(sql`truncate collected_events, profiles, profile_identifiers, identity_links, anonymous_users, timeline_entries, profile_merges, profile_separations`);
}

/** Every active profile as its identifiers, entries, counters and declared traits, without its (random) id. */
async function state() {
  const rows = await db.execute<{ keys: string; entries: string; event_count: number; first_seen_at: Date | null; last_seen_at: Date | null; traits: unknown }>(sql`
    select (select string_agg(key, ' ' order by key) from profile_identifiers i where i.profile_id = p.id) as keys,
      (select string_agg(source_id, ' ' order by source_id) from timeline_entries t where t.profile_id = p.id) as entries,
      p.event_count, p.first_seen_at, p.last_seen_at, p.traits
    from profiles p where p.status = 'active'`);
  return rows.rows
    .map((r) => JSON.stringify({ ...r, first_seen_at: r.first_seen_at && new Date(r.first_seen_at).toISOString(), last_seen_at: r.last_seen_at && new Date(r.last_seen_at).toISOString() }))
    .sort();
}

async function send(batches: IncomingEvent[][], senders: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const r = await collect(db, batch, null);
        expect(r.rejected).toEqual([]);
      }
    }),
  );
}

describe('ingestion from parallel senders', () => {
  it('gives the same profiles, counters and declared traits as the same batches one at a time', async () => {
    await db.execute(sql`insert into identity_rules (id, rules) values (1, ${JSON.stringify({ anonymousIdMaxUsers: 3 })}::jsonb) on conflict (id) do update set rules = excluded.rules`);
    for (const seed of [7, 11, 23]) {
      // First the people become known, then most later batches add no evidence (they run side by
      // side under the shared lock) while some bring new people or earlier sightings.
      const batches = [traffic(seed, 60, 0), ...Array.from({ length: 16 }, (_, b) => traffic(seed * 100 + b, 25, 600 + (b % 4 === 3 ? -700 : b * 60)))];
      await reset();
      await send(batches, 1);
      const oneByOne = await state();
      await reset();
      await send(batches.slice(0, 1), 1);
      await send(batches.slice(1), 8);
      const together = await state();
      expect(together).toEqual(oneByOne);
      // Counters and declared traits kept up to date batch by batch equal a recount.
      const ids = (await db.execute<{ id: string }>(sql`select id from profiles where status = 'active'`)).rows.map((r) => r.id);
      await db.transaction((tx) => refreshProfiles(tx, ids));
      expect(await state()).toEqual(together);
      const counted = await db.execute<{ n: number; sum: number }>(sql`select (select count(*) from collected_events)::int as n, (select sum(event_count) from profiles where status = 'active')::int as sum`);
      expect(counted.rows[0].sum).toBe(counted.rows[0].n);
    }
  }, 120_000);
});
