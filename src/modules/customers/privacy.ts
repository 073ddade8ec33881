// What the customer data platform holds on a person, for GDPR export and erasure (registered by
// the privacy module): collected events, and their place in the identity graph (profiles,
// identifiers, links, timeline entries, merges).
//
// A person is found here from what they proved (account ids, verified e-mails) and their own
// browsers (anonymous ids seen with their account and with nobody else); e-mails, phones and
// names that events merely declared are traces, scrubbed where they are the person's, never
// followed. Erasure takes out the person's identifiers and every link that carried one; whatever
// else was on their profile only because of those links (a claimed e-mail, say) is resolved again
// on its own, so nobody else's evidence goes with them.
import { sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../platform/db.js';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { changedRows, selectRows, textArray } from '../../platform/privacy/scrub.js';
import { keyOf, resolveObservations } from './identity.js';
import { refreshProfiles } from './profiles.js';
import { anonymousIdsOf, profileIdsHolding } from './trust.js';

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? [v.trim()] : []);

function eventsWhere(p: Person) {
  return sql`(user_id = any(${textArray(p.customerIds)}) or anonymous_id = any(${textArray(p.anonymousIds)}) or previous_id = any(${textArray([...p.customerIds, ...p.anonymousIds])}))`;
}

export const collectedEventsHolder: DataHolder = {
  module: 'collected_events',
  tables: ['collected_events'],
  async discover(db, p) {
    const anonymousIds = await anonymousIdsOf(db, { customerIds: p.customerIds, emails: p.emails }, { proven: false });
    const probe = { ...p, anonymousIds: [...new Set([...p.anonymousIds, ...anonymousIds])] };
    if (!probe.customerIds.length && !probe.anonymousIds.length) return {};
    const traits = await selectRows(
      db,
      sql`select traits->>'email' as email, traits->>'phone' as phone, traits->>'name' as name, nullif(concat_ws(' ', traits->>'firstName', traits->>'lastName'), '') as full,
            traits->>'firstName' as first, context->>'ip' as ip, context->>'userAgent' as ua
          from collected_events where ${eventsWhere(probe)} and (traits is not null or context ? 'ip' or context ? 'userAgent')`,
    );
    return {
      anonymousIds,
      names: traits.flatMap((t) => [...str(t.name), ...str(t.full)]),
      traces: traits.flatMap((t) => [...str(t.email), ...str(t.phone), ...str(t.first), ...str(t.ip), ...str(t.ua)]),
    };
  },
  async export(db, p) {
    if (!p.customerIds.length && !p.anonymousIds.length) return [];
    return selectRows(
      db,
      sql`select message_id as "messageId", type, event, name, anonymous_id as "anonymousId", user_id as "userId", timestamp, properties, traits, context
          from collected_events where ${eventsWhere(p)} order by timestamp, id`,
    );
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!p.customerIds.length && !p.anonymousIds.length) return {};
    return { collected_events: await changedRows(tx, sql`delete from collected_events where ${eventsWhere(p)}`) };
  },
};

/** The person's identifier keys in the identity graph (every identifier of a profile staff named). */
async function personKeys(db: Executor, p: Person): Promise<string[]> {
  const named = p.namedProfileIds.length ? await selectRows(db, sql`select key from profile_identifiers where profile_id = any(${textArray(p.namedProfileIds)})`) : [];
  return [
    ...p.customerIds.map((v) => keyOf('customer_id', v)),
    ...[...p.emails, ...p.accountEmails].map((v) => keyOf('email', v)),
    ...p.anonymousIds.map((v) => keyOf('anonymous_id', v)),
    ...p.phones.map((v) => keyOf('phone', v)),
    ...p.cardFingerprints.map((v) => keyOf('card_fingerprint', v)),
    ...named.map((r) => String(r.key)),
  ];
}

export const profilesHolder: DataHolder = {
  module: 'profiles',
  tables: ['profiles', 'profile_identifiers', 'identity_links', 'order_links', 'anonymous_users', 'timeline_entries', 'profile_merges', 'profile_separations'],
  keeps: 'Identifiers, links and timeline entries of anyone else that were on the person’s profile stay, resolved again without the person.',
  async discover(db, p) {
    const profileIds = await profileIdsHolding(db, { customerIds: p.customerIds, emails: p.emails, anonymousIds: p.anonymousIds, phones: p.phones });
    // A profile staff named is theirs whole: its browsers too (not its accounts or addresses,
    // which staff name themselves when they mean them).
    const browsers = p.namedProfileIds.length
      ? await selectRows(db, sql`select value from profile_identifiers where profile_id = any(${textArray(p.namedProfileIds)}) and kind = 'anonymous_id'`)
      : [];
    const anonymousIds = browsers.map((r) => String(r.value));
    if (!profileIds.length) return { anonymousIds };
    const traits = await selectRows(
      db,
      sql`select traits->>'name' as name, nullif(concat_ws(' ', traits->>'firstName', traits->>'lastName'), '') as full, traits->>'email' as email, traits->>'phone' as phone
          from profiles where id = any(${textArray(profileIds)})`,
    );
    return { profileIds, anonymousIds, names: traits.flatMap((t) => [...str(t.name), ...str(t.full)]), traces: traits.flatMap((t) => [...str(t.email), ...str(t.phone)]) };
  },
  async export(db, p) {
    const keys = await personKeys(db, p);
    if (!p.profileIds.length && !keys.length) return { profiles: [], identifiers: [], timeline: [], merges: [] };
    const ids = textArray(p.profileIds);
    return {
      profiles: await selectRows(db, sql`select * from profiles where id = any(${ids})`),
      identifiers: await selectRows(db, sql`select key, kind, value, profile_id as "profileId", first_seen_at as "firstSeenAt" from profile_identifiers where profile_id = any(${ids}) or key = any(${textArray(keys)})`),
      // Entries of their profile that their own identifiers placed there.
      timeline: await selectRows(
        db,
        sql`select t.* from timeline_entries t join identity_links l on l.id = t.link_id where t.profile_id = any(${ids}) and l.keys && ${textArray(keys)} order by t.occurred_at, t.id`,
      ),
      merges: await selectRows(db, sql`select * from profile_merges where survivor_id = any(${ids}) or merged_id = any(${ids})`),
    };
  },
  async erase(tx, p): Promise<Record<string, number>> {
    const keys = textArray(await personKeys(tx, p));
    const out: Record<string, number> = {};
    // The links that carried any of the person's identifiers, and the profiles they touched.
    const links = await selectRows(tx, sql`select id, keys, profile_id from identity_links where keys && ${keys}`);
    const linkIds = textArray(links.map((l) => String(l.id)));
    const carried = textArray([...new Set(links.flatMap((l) => l.keys as string[]))]);
    const touched = new Set<string>([...p.profileIds, ...links.map((l) => l.profile_id as string | null).filter((x): x is string => !!x)]);
    // Profiles that were merged into theirs by their own identifiers (their anonymous visits).
    const absorbed = await selectRows(tx, sql`select merged_id from profile_merges where kind = 'merge' and (survivor_keys && ${keys} or merged_keys && ${keys})`);
    out.timeline_entries = await changedRows(tx, sql`delete from timeline_entries where link_id = any(${linkIds})`);
    // The person's orders stop leading to them: order_links points at their links.
    out.order_links = await changedRows(tx, sql`delete from order_links where link_id = any(${linkIds})`);
    out.identity_links = await changedRows(tx, sql`delete from identity_links where id = any(${linkIds})`);
    out.anonymous_users = await changedRows(tx, sql`delete from anonymous_users where anonymous_key = any(${keys}) or user_key = any(${keys})`);
    out.profile_merges = await changedRows(tx, sql`delete from profile_merges where survivor_keys && ${keys} or merged_keys && ${keys}`);
    out.profile_separations = await changedRows(tx, sql`delete from profile_separations where side_a && ${keys} or side_b && ${keys}`);
    // Their identifiers, and those their links carried that no remaining link carries (a value
    // only their own events declared).
    out.profile_identifiers = await changedRows(
      tx,
      sql`delete from profile_identifiers i where i.key = any(${keys}) or (i.key = any(${carried}) and not exists (select 1 from identity_links l where l.keys @> array[i.key]))`,
    );
    // Profiles left with nobody's identifiers go; the others are resolved again from what remains
    // (they may fall apart into the people they were joined from) and recounted.
    const left = await selectRows(tx, sql`select key, profile_id from profile_identifiers where profile_id = any(${textArray([...touched])})`);
    const living = new Set(left.map((r) => String(r.profile_id)));
    const gone = textArray([...touched].filter((id) => !living.has(id)));
    const merged = textArray(absorbed.map((r) => String(r.merged_id)));
    out.profile_merges += await changedRows(tx, sql`delete from profile_merges where survivor_id = any(${gone}) or merged_id = any(${gone})`);
    out.profiles = await changedRows(
      tx,
      sql`delete from profiles where id = any(${gone}) or (status = 'merged' and (merged_into = any(${gone}) or id = any(${merged})) and not exists (select 1 from profile_identifiers i where i.profile_id = profiles.id))`,
    );
    if (left.length) {
      const r = await resolveObservations(tx as Tx, [], { actor: { type: 'system', label: 'privacy erasure' }, extraKeys: left.map((x) => String(x.key)) });
      await refreshProfiles(tx as Tx, [...new Set([...living, ...r.touchedProfiles])].sort());
      out.profiles_resolved_again = living.size;
    }
    return out;
  },
};
