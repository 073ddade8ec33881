// Identity resolution: which events belong to the same person.
//
// Every event carries identifiers (an anonymous id, an account id, an e-mail, …). Each distinct set
// of identifiers seen together is an identity link: evidence that they are one person. Profiles
// are the connected groups of identifiers under the identity rules, computed by one deterministic
// procedure over the links (union in a fixed order: strongest evidence first, then oldest), so the
// same events in any order give the same profiles. A batch recomputes only the part of the graph it
// touches (its closure), which contains every link that could change the outcome.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../platform/db.js';
import { badRequest, type FieldError } from '../../platform/errors.js';
import { emit, type Actor } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { identityRules, profileMerges } from './schema.js';

export const IDENTIFIER_KINDS = ['customer_id', 'email', 'phone', 'loyalty_card', 'card_fingerprint', 'social', 'anonymous_id'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export interface IdentityRules {
  /** Every kind, strongest first: decides which evidence is applied first and where an event rests. */
  priority: IdentifierKind[];
  /** Kinds that may join profiles. A kind set to false still identifies, but never merges. */
  merge: Record<IdentifierKind, boolean>;
  /** At most this many identifiers of a kind on one profile (e.g. one account id). */
  maxPerProfile: Partial<Record<IdentifierKind, number>>;
  /** An anonymous id seen with more people than this (a kiosk, a shared tablet) stops merging. */
  anonymousIdMaxUsers: number;
  /** Values that are never used (the shop's own test e-mail, "0000"), compared after normalisation. */
  blocked: Partial<Record<IdentifierKind, string[]>>;
  /** Country for phone numbers written without an international prefix. */
  phoneDefaultCountry: string;
}

export const DEFAULT_RULES: IdentityRules = {
  priority: [...IDENTIFIER_KINDS],
  merge: { customer_id: true, email: true, phone: true, loyalty_card: true, card_fingerprint: true, social: true, anonymous_id: true },
  maxPerProfile: { customer_id: 1 },
  anonymousIdMaxUsers: 5,
  blocked: { loyalty_card: ['0000'], phone: [], email: [], anonymous_id: ['undefined', 'null', '00000000-0000-0000-0000-000000000000'] },
  phoneDefaultCountry: 'NL',
};

// ---- normalisation ----------------------------------------------------------------------------

/** Calling codes of the countries Winkel's shops usually meet; others need a +prefix. */
export const CALLING_CODES: Record<string, string> = { NL: '31', BE: '32', LU: '352', DE: '49', FR: '33', GB: '44', IE: '353', ES: '34', IT: '39', PL: '48', AT: '43', CH: '41', DK: '45', SE: '46', NO: '47', US: '1' };

/** E.164: +, country code, number; national numbers get the default country's code. */
export function normalisePhone(raw: string, defaultCountry: string): string | null {
  let s = raw.trim().replace(/\(0\)/g, '').replace(/[\s\-()./]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!s.startsWith('+')) {
    const cc = CALLING_CODES[defaultCountry];
    if (!cc || !/^\d+$/.test(s)) return null;
    s = `+${cc}${s.replace(/^0/, '')}`;
  }
  return /^\+[1-9]\d{6,14}$/.test(s) ? s : null;
}

/** The stored form of an identifier, or null when it is not a usable value of its kind. */
export function normaliseIdentifier(kind: IdentifierKind, raw: unknown, rules: Pick<IdentityRules, 'phoneDefaultCountry'>): string | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
  if (typeof raw !== 'string') return null;
  const v = raw.trim();
  if (!v || v.length > 320) return null;
  switch (kind) {
    case 'email': {
      // Lower-cased and trimmed only: dots and +tags are significant to most providers, so folding
      // them (as Gmail would) could join two different people.
      const e = v.toLowerCase();
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : null;
    }
    case 'phone':
      return normalisePhone(v, rules.phoneDefaultCountry);
    case 'loyalty_card':
      return v.replace(/[\s-]/g, '').toUpperCase() || null;
    case 'social': {
      const m = /^([a-z0-9_.-]+):@?(.+)$/i.exec(v);
      return m ? `${m[1].toLowerCase()}:${m[2].trim().toLowerCase()}` : null;
    }
    default:
      return v;
  }
}

export const keyOf = (kind: IdentifierKind, value: string) => `${kind}:${value}`;
export const kindOfKey = (key: string) => key.slice(0, key.indexOf(':')) as IdentifierKind;
export const valueOfKey = (key: string) => key.slice(key.indexOf(':') + 1);

// ---- rules ------------------------------------------------------------------------------------

export function checkRules(input: unknown): IdentityRules {
  const errors: FieldError[] = [];
  const r = { ...DEFAULT_RULES, ...(input as Partial<IdentityRules>) };
  const kinds = IDENTIFIER_KINDS as readonly string[];
  if (!Array.isArray(r.priority) || r.priority.length !== kinds.length || new Set(r.priority).size !== kinds.length || !r.priority.every((k) => kinds.includes(k))) {
    errors.push({ field: '/priority', message: `list every kind once: ${kinds.join(', ')}` });
  }
  const merge = { ...DEFAULT_RULES.merge, ...(r.merge ?? {}) };
  for (const k of Object.keys(merge)) if (!kinds.includes(k)) errors.push({ field: `/merge/${k}`, message: 'unknown identifier kind' });
  for (const [k, n] of Object.entries(r.maxPerProfile ?? {})) {
    if (!kinds.includes(k)) errors.push({ field: `/maxPerProfile/${k}`, message: 'unknown identifier kind' });
    else if (!Number.isInteger(n) || (n as number) < 1) errors.push({ field: `/maxPerProfile/${k}`, message: 'a whole number of at least 1' });
  }
  if (!Number.isInteger(r.anonymousIdMaxUsers) || r.anonymousIdMaxUsers < 1) errors.push({ field: '/anonymousIdMaxUsers', message: 'a whole number of at least 1' });
  if (!CALLING_CODES[r.phoneDefaultCountry]) errors.push({ field: '/phoneDefaultCountry', message: `one of ${Object.keys(CALLING_CODES).join(', ')}` });
  const blocked: Partial<Record<IdentifierKind, string[]>> = {};
  for (const [k, values] of Object.entries(r.blocked ?? {})) {
    if (!kinds.includes(k)) {
      errors.push({ field: `/blocked/${k}`, message: 'unknown identifier kind' });
      continue;
    }
    if (!Array.isArray(values)) {
      errors.push({ field: `/blocked/${k}`, message: 'a list of values' });
      continue;
    }
    // Stored normalised so that "Test@Shop.nl " blocks test@shop.nl; a value that cannot be
    // normalised is kept as given.
    blocked[k as IdentifierKind] = [...new Set(values.map((v) => normaliseIdentifier(k as IdentifierKind, v, r) ?? String(v).trim()))];
  }
  if (errors.length) throw badRequest('The identity rules are not valid.', errors);
  return { priority: r.priority, merge, maxPerProfile: { ...(r.maxPerProfile ?? {}) }, anonymousIdMaxUsers: r.anonymousIdMaxUsers, blocked, phoneDefaultCountry: r.phoneDefaultCountry };
}

export async function loadRules(db: Executor): Promise<IdentityRules & { version: number }> {
  const [row] = await db.select().from(identityRules).where(sql`${identityRules.id} = 1`);
  return rulesOf(row);
}

const rulesOf = (row: { rules: unknown; version: number | null } | undefined): IdentityRules & { version: number } =>
  row?.rules ? { ...DEFAULT_RULES, ...(row.rules as IdentityRules), version: row.version ?? 0 } : { ...DEFAULT_RULES, version: 0 };

// ---- observations -----------------------------------------------------------------------------

export type TimelineChannel = 'online' | 'store' | 'service';

/** One thing a person did, from any source, with the identifiers it carried. */
export interface Observation {
  source: 'collect' | 'event' | 'social' | 'store_visit';
  sourceId: string;
  occurredAt: Date;
  type: string;
  name?: string | null;
  channel: TimelineChannel;
  salesChannel?: string | null;
  storeId?: string | null;
  amount?: number | null;
  currency?: string | null;
  category?: string | null;
  /** The order it is about, if any (kept on the timeline entry). */
  orderId?: string | null;
  data: Record<string, unknown>;
  identifiers: Array<{ kind: IdentifierKind; value: unknown }>;
  /**
   * How far its identifiers are vouched for (see Trust below). Default: `proven` for business events
   * (the module that emitted them authenticated its caller), `claimed` for everything else.
   */
  trust?: Trust;
}

/**
 * Trust of the evidence that identifiers belong together. `proven`: an authenticated source saw
 * them together (a customer session naming only its own account, staff, a secret key, Winkel's own
 * business events such as a checkout by the signed-in customer). `claimed`: an unauthenticated
 * source said so (a publishable key, the anonymous browser SDK). A link is proven once any event
 * that carried it was. Claims still join behaviour on profiles for analytics; what grants access
 * to a person's data follows proven links only (src/modules/customers/trust.ts).
 */
export type Trust = 'proven' | 'claimed';
export const trustOf = (obs: Pick<Observation, 'source' | 'trust'>): Trust => obs.trust ?? (obs.source === 'event' ? 'proven' : 'claimed');

interface Prepared {
  obs: Observation;
  keys: string[];
  linkId: string;
  proven: boolean;
}

const linkIdOf = (keys: string[]) => createHash('sha256').update(keys.join('\n')).digest('base64url').slice(0, 27);

/** The normalised, unblocked identifier keys of an observation, sorted. */
export function keysOf(obs: Pick<Observation, 'identifiers'>, rules: IdentityRules): string[] {
  const out = new Set<string>();
  for (const { kind, value } of obs.identifiers) {
    if (!(IDENTIFIER_KINDS as readonly string[]).includes(kind)) continue;
    const v = normaliseIdentifier(kind, value, rules);
    if (v === null || rules.blocked[kind]?.includes(v)) continue;
    out.add(keyOf(kind, v));
  }
  return [...out].sort();
}

// ---- the resolver -----------------------------------------------------------------------------

type IdRow = {
  key: string;
  kind: IdentifierKind;
  profile_id: string | null;
  origin_profile_id: string | null;
  user_count: number;
  first_seen_at: Date;
  first_source_id: string;
};
type LinkRow = {
  id: string;
  keys: string[];
  profile_id: string | null;
  first_at: Date;
  first_source_id: string;
};
type SeparationRow = {
  id: string;
  side_a: string[];
  side_b: string[];
};

// The resolver's lock. A batch that adds evidence to the graph (a new identifier, a new link, an
// earlier first sighting) takes it exclusively: the closure it reads must not change under it, and
// no entry may join a link's timeline while the link moves to another profile. A batch that adds
// none (every link already known, and seen no later than now) changes no link or identifier: it
// takes it shared, so such batches (the steady state of a shop's traffic) run side by side.
export const RESOLVER_LOCK = 0x77696e6b;

/**
 * Holds the identity graph still for the rest of the transaction: waits for batches under way and
 * keeps new ones out until it ends. For rare changes that must see the whole graph as it stands,
 * such as an erasure (a batch committing halfway through could leave a link or an entry behind).
 */
export async function lockIdentityGraph(tx: Tx) {
  await tx.execute(sql`select pg_advisory_xact_lock(${RESOLVER_LOCK})`);
}

/**
 * Keeps these customers' account ids out of the identity graph for good (an erasure, in its own
 * transaction and under lockIdentityGraph): see retired_identifiers. Only a hash of each is kept, so
 * the table itself names no one.
 */
export async function retireCustomerIds(tx: Tx, customerIds: string[], erasureId: string) {
  if (!customerIds.length) return;
  const keys = [...new Set(customerIds.map((id) => retiredKeyOf(keyOf('customer_id', id))))];
  await tx.execute(sql`insert into retired_identifiers (key, erasure_id) select unnest(${arr(keys)}::text[]), ${erasureId} on conflict (key) do nothing`);
}

/** What retired_identifiers stores for an identifier key: its SHA-256, hex. */
export const retiredKeyOf = (key: string) => createHash('sha256').update(key).digest('hex');

const arr = (values: string[]) => `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
const ts = (d: Date | string) => (d instanceof Date ? d : new Date(d));

export interface ResolveOptions {
  actor?: Actor;
  /** Unmerge: these identifiers must end on this profile. */
  prefer?: Map<string, string>;
  /** Also recompute the closure of these identifiers (an unmerge). */
  extraKeys?: string[];
}

export interface ResolveResult {
  /** sourceId → profile id for every observation that joined a timeline. */
  placed: Map<string, string>;
  /** sourceId → the identity link it rests on, for the same observations. */
  linkOf: Map<string, string>;
  merges: Array<{ id: string; survivorId: string; mergedId: string }>;
  touchedProfiles: string[];
  /** Profiles whose identifiers or links changed (created, merged, split, entries moved): their traits are recomputed in full. */
  changedProfiles: string[];
  /** The new timeline entries per profile (what a profile's counters grow by). */
  added: Array<{ profileId: string; n: number; first: Date; last: Date; identifyIds: string[] }>;
  /** New timeline entries (an observation seen before is not counted). */
  inserted: number;
  /** Source ids of observations dropped because they name an erased customer (see retireCustomerIds). */
  suppressed: string[];
}

/**
 * Adds observations to the identity graph and the timeline, and recomputes the profiles they touch.
 * Set-based: a fixed number of statements per batch, whatever its size. Idempotent: an observation
 * applied twice changes nothing (its entry is stored once, the graph is the same).
 */
export async function resolveObservations(tx: Tx, observations: Observation[], opts: ResolveOptions = {}): Promise<ResolveResult> {
  const result: ResolveResult = { placed: new Map(), linkOf: new Map(), merges: [], touchedProfiles: [], changedProfiles: [], added: [], inserted: 0, suppressed: [] };
  if (!observations.length && !opts.extraKeys?.length) return result;
  // A batch tries the shared lock first (see RESOLVER_LOCK); an unmerge recomputes a part of the
  // graph, so it takes the exclusive one at once. If the shared one is not enough, the savepoint
  // gives it back before the exclusive one is asked for (asking while holding it could deadlock
  // with another batch doing the same). The rules come with the lock, in one round trip (they do
  // not depend on it).
  const tryShared = !opts.extraKeys?.length && !opts.prefer;
  if (tryShared) await tx.execute(sql`savepoint winkel_resolve`);
  const locked = await tx.execute<{ rules: unknown; version: number | null }>(sql`
    select ${tryShared ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`}(${RESOLVER_LOCK}), r.rules, r.version
    from (select 1) as one left join identity_rules r on r.id = 1`);
  const rules = rulesOf(locked.rows[0]);
  const rank = new Map(rules.priority.map((k, i) => [k, i]));
  let prepared: Prepared[] = [];
  for (const obs of observations) {
    const keys = keysOf(obs, rules);
    if (keys.length) prepared.push({ obs, keys, linkId: linkIdOf(keys), proven: trustOf(obs) === 'proven' });
  }
  // An event naming an erased customer's account id is about them: it is dropped whole (its other
  // identifiers are theirs too). Asked after the lock was granted, in a statement of its own, so an
  // erasure that committed while this batch waited is seen.
  const accountKeys = [...new Set(prepared.flatMap((p) => p.keys.filter((k) => k.startsWith('customer_id:'))))];
  if (accountKeys.length) {
    const hashed = new Map(accountKeys.map((k) => [retiredKeyOf(k), k]));
    const retired = await tx.execute<{ key: string }>(sql`select key from retired_identifiers where key = any(${arr([...hashed.keys()])}::text[])`);
    if (retired.rows.length) {
      const gone = new Set(retired.rows.map((r) => hashed.get(r.key)!));
      result.suppressed = prepared.filter((p) => p.keys.some((k) => gone.has(k))).map((p) => p.obs.sourceId);
      prepared = prepared.filter((p) => !p.keys.some((k) => gone.has(k)));
    }
  }
  if (!prepared.length && !opts.extraKeys?.length) return result;

  // The common case: an event whose exact set of identifiers was seen before, no earlier than the
  // first time, adds no evidence (its identifiers, their first sightings and its link all exist
  // already), so it only joins the timeline of its link's profile.
  const known = new Map<string, { profile_id: string | null; first_at: Date; first_source_id: string; proven: boolean }>();
  const linkIds = arr([...new Set(prepared.map((p) => p.linkId))].sort());
  const readKnown = async () => {
    known.clear();
    const found = await tx.execute<{ id: string; profile_id: string | null; first_at: Date; first_source_id: string; proven: boolean }>(
      sql`select id, profile_id, first_at, first_source_id, proven from identity_links where id = any(${linkIds}::text[])`,
    );
    for (const r of found.rows) known.set(r.id, { ...r, first_at: ts(r.first_at) });
  };
  const adds = (p: Prepared) => {
    const k = known.get(p.linkId);
    if (!k?.profile_id) return true;
    // Proof for a link known only as a claim is new evidence too.
    if (p.proven && !k.proven) return true;
    const at = p.obs.occurredAt.getTime();
    return at < k.first_at.getTime() || (at === k.first_at.getTime() && p.obs.sourceId < k.first_source_id);
  };
  let shared = false;
  if (tryShared) {
    // Read after the lock was granted (a statement of its own, so it sees what an exclusive holder committed).
    await readKnown();
    shared = !prepared.some(adds);
    if (!shared) {
      await tx.execute(sql`rollback to savepoint winkel_resolve`);
      await tx.execute(sql`select pg_advisory_xact_lock(${RESOLVER_LOCK})`);
    }
  }
  if (!shared && prepared.length) await readKnown();
  const slow = prepared.filter(adds);

  // 1. The new evidence: identifiers and links, each with its earliest sighting (order-independent).
  const firstOf = new Map<string, { at: Date; src: string }>();
  const linkFirst = new Map<string, { keys: string[]; at: Date; src: string }>();
  const provenLinks = new Set<string>();
  const earlier = (a: { at: Date; src: string } | undefined, at: Date, src: string) => !a || at < a.at || (at.getTime() === a.at.getTime() && src < a.src);
  const users = new Set<string>();
  for (const p of slow) {
    const at = p.obs.occurredAt;
    for (const k of p.keys) if (earlier(firstOf.get(k), at, p.obs.sourceId)) firstOf.set(k, { at, src: p.obs.sourceId });
    if (earlier(linkFirst.get(p.linkId), at, p.obs.sourceId)) linkFirst.set(p.linkId, { keys: p.keys, at, src: p.obs.sourceId });
    if (p.proven) provenLinks.add(p.linkId);
    const user = p.keys.find((k) => k.startsWith('customer_id:')) ?? p.keys.find((k) => k.startsWith('email:'));
    if (user) for (const k of p.keys) if (k.startsWith('anonymous_id:')) users.add(JSON.stringify([k, user]));
  }
  if (firstOf.size) {
    const rows = [...firstOf].map(([key, f]) => ({ key, kind: kindOfKey(key), value: valueOfKey(key), at: f.at.toISOString(), src: f.src }));
    await tx.execute(sql`
      insert into profile_identifiers (key, kind, value, first_seen_at, first_source_id)
      select key, kind, value, at, src from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(key text, kind text, value text, at timestamptz, src text)
      on conflict (key) do update set first_seen_at = excluded.first_seen_at, first_source_id = excluded.first_source_id
      where (excluded.first_seen_at, excluded.first_source_id) < (profile_identifiers.first_seen_at, profile_identifiers.first_source_id)`);
    const links = [...linkFirst].map(([id, f]) => ({ id, keys: f.keys, at: f.at.toISOString(), src: f.src, proven: provenLinks.has(id) }));
    await tx.execute(sql`
      insert into identity_links (id, keys, first_at, first_source_id, proven)
      select id, keys, at, src, proven from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as r(id text, keys text[], at timestamptz, src text, proven boolean)
      on conflict (id) do update set
        first_at = case when (excluded.first_at, excluded.first_source_id) < (identity_links.first_at, identity_links.first_source_id) then excluded.first_at else identity_links.first_at end,
        first_source_id = case when (excluded.first_at, excluded.first_source_id) < (identity_links.first_at, identity_links.first_source_id) then excluded.first_source_id else identity_links.first_source_id end,
        proven = identity_links.proven or excluded.proven
      where (excluded.first_at, excluded.first_source_id) < (identity_links.first_at, identity_links.first_source_id) or (excluded.proven and not identity_links.proven)`);
  }
  if (users.size) {
    const pairs = [...users].map((u) => JSON.parse(u) as [string, string]);
    await tx.execute(sql`
      with ins as (
        insert into anonymous_users (anonymous_key, user_key)
        select a, u from jsonb_to_recordset(${JSON.stringify(pairs.map(([a, u]) => ({ a, u })))}::jsonb) as r(a text, u text)
        on conflict do nothing returning anonymous_key)
      update profile_identifiers p set user_count = p.user_count + n.c
      from (select anonymous_key, count(*)::int as c from ins group by anonymous_key) n where p.key = n.anonymous_key`);
  }

  // 2. The closure: identifiers, their profiles' other identifiers, and every link through them.
  const ids = new Map<string, IdRow>();
  const links = new Map<string, LinkRow>();
  const merging = (r: IdRow) => rules.merge[r.kind] !== false && !(r.kind === 'anonymous_id' && r.user_count > rules.anonymousIdMaxUsers);
  let frontierKeys = [...new Set([...firstOf.keys(), ...(opts.extraKeys ?? [])])];
  let frontierProfiles: string[] = [];
  const seenProfiles = new Set<string>();
  while (frontierKeys.length || frontierProfiles.length) {
    const found = await tx.execute<IdRow>(sql`
      select key, kind, profile_id, origin_profile_id, user_count, first_seen_at, first_source_id from profile_identifiers
      where key = any(${arr(frontierKeys)}::text[]) or profile_id = any(${arr(frontierProfiles)}::text[])`);
    const fresh: IdRow[] = [];
    frontierProfiles = [];
    for (const r of found.rows) {
      if (ids.has(r.key)) continue;
      r.first_seen_at = ts(r.first_seen_at);
      ids.set(r.key, r);
      fresh.push(r);
      if (r.profile_id && !seenProfiles.has(r.profile_id)) {
        seenProfiles.add(r.profile_id);
        frontierProfiles.push(r.profile_id);
      }
    }
    frontierKeys = [];
    if (!fresh.length) continue;
    const found2 = await tx.execute<LinkRow>(sql`select id, keys, profile_id, first_at, first_source_id from identity_links where keys && ${arr(fresh.map((r) => r.key))}::text[]`);
    const next = new Set<string>();
    for (const l of found2.rows) {
      if (links.has(l.id)) continue;
      l.first_at = ts(l.first_at);
      links.set(l.id, l);
    }
    // Expand through links that hold a merging identifier of the closure; those are the only ones
    // that can join profiles.
    for (const l of links.values()) {
      if (!l.keys.some((k) => ids.has(k) && merging(ids.get(k)!))) continue;
      for (const k of l.keys) if (!ids.has(k)) next.add(k);
    }
    frontierKeys = [...next];
  }

  const closureKeys = arr([...ids.keys()]);
  const separations = ids.size
    ? (await tx.execute<SeparationRow>(sql`select id, side_a, side_b from profile_separations where side_a && ${closureKeys}::text[] or side_b && ${closureKeys}::text[]`)).rows
    : [];

  // 3. Union, strongest and oldest evidence first, within the limits and separations.
  const parent = new Map<string, string>();
  const info = new Map<string, { counts: Map<string, number>; tags: Set<string>; old: Set<string> }>();
  for (const r of ids.values()) {
    parent.set(r.key, r.key);
    const tags = new Set<string>();
    for (const s of separations) {
      if (s.side_a.includes(r.key)) tags.add(`${s.id}:A`);
      if (s.side_b.includes(r.key)) tags.add(`${s.id}:B`);
    }
    info.set(r.key, { counts: new Map(rules.maxPerProfile[r.kind] ? [[r.kind, 1]] : []), tags, old: new Set(r.profile_id ? [r.profile_id] : []) });
  }
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = k;
    while (parent.get(c) !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  const edges: Array<{ a: string; b: string; strength: number; link: LinkRow }> = [];
  for (const l of links.values()) {
    const mk = l.keys.filter((k) => ids.has(k) && merging(ids.get(k)!)).sort((x, y) => rank.get(kindOfKey(x))! - rank.get(kindOfKey(y))! || (x < y ? -1 : 1));
    for (let i = 1; i < mk.length; i++) edges.push({ a: mk[0], b: mk[i], strength: rank.get(kindOfKey(mk[i]))!, link: l });
  }
  edges.sort(
    (x, y) =>
      x.strength - y.strength ||
      x.link.first_at.getTime() - y.link.first_at.getTime() ||
      (x.link.first_source_id < y.link.first_source_id ? -1 : x.link.first_source_id > y.link.first_source_id ? 1 : 0) ||
      (x.a < y.a ? -1 : x.a > y.a ? 1 : 0) ||
      (x.b < y.b ? -1 : x.b > y.b ? 1 : 0),
  );
  const joins: Array<{ sideA: Set<string>; sideB: Set<string>; keyA: string; keyB: string; link: LinkRow }> = [];
  for (const e of edges) {
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra === rb) continue;
    const ia = info.get(ra)!;
    const ib = info.get(rb)!;
    let ok = true;
    for (const [kind, limit] of Object.entries(rules.maxPerProfile)) if ((ia.counts.get(kind) ?? 0) + (ib.counts.get(kind) ?? 0) > (limit as number)) ok = false;
    for (const t of ia.tags) if (ib.tags.has(t.endsWith(':A') ? `${t.slice(0, -2)}:B` : `${t.slice(0, -2)}:A`)) ok = false;
    if (!ok) continue;
    if (ia.old.size && ib.old.size) joins.push({ sideA: new Set(ia.old), sideB: new Set(ib.old), keyA: e.a, keyB: e.b, link: e.link });
    parent.set(rb, ra);
    for (const [k, n] of ib.counts) ia.counts.set(k, (ia.counts.get(k) ?? 0) + n);
    for (const t of ib.tags) ia.tags.add(t);
    for (const p of ib.old) ia.old.add(p);
    info.delete(rb);
  }

  // 4. Where each link's events rest: the component of its strongest merging identifier.
  const byRank = (x: string, y: string) => rank.get(kindOfKey(x))! - rank.get(kindOfKey(y))! || (x < y ? -1 : x > y ? 1 : 0);
  const placementKey = (l: LinkRow): string | undefined => {
    // A link with identifiers outside the closure holds no merging identifier of it, so nothing
    // here can move it: it keeps its placement.
    if (!l.keys.every((k) => ids.has(k))) return undefined;
    const mk = l.keys.filter((k) => merging(ids.get(k)!));
    return [...(mk.length ? mk : l.keys)].sort(byRank)[0];
  };
  const linkRoot = new Map<string, string>();
  const rootsWithEvents = new Set<string>();
  for (const l of links.values()) {
    const k = placementKey(l);
    if (!k) continue;
    const r = find(k);
    linkRoot.set(l.id, r);
    rootsWithEvents.add(r);
  }

  // 5. Profile ids: components in order of their oldest identifier; each keeps the profile of its
  // oldest identifier that no earlier component took (so the oldest identifier's profile survives).
  const members = new Map<string, IdRow[]>();
  for (const r of ids.values()) {
    const root = find(r.key);
    if (!members.has(root)) members.set(root, []);
    members.get(root)!.push(r);
  }
  const byAge = (x: IdRow, y: IdRow) => x.first_seen_at.getTime() - y.first_seen_at.getTime() || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  for (const m of members.values()) m.sort(byAge);
  const roots = [...rootsWithEvents].sort((a, b) => byAge(members.get(a)![0], members.get(b)![0]));
  const current = new Set([...ids.values()].map((r) => r.profile_id).filter((p): p is string => !!p));
  const origins = [...new Set([...ids.values()].map((r) => r.origin_profile_id).filter((p): p is string => !!p && !current.has(p)))];
  const dormant = new Set(
    origins.length ? (await tx.execute<{ id: string }>(sql`select id from profiles where id = any(${arr(origins)}::text[]) and status = 'merged'`)).rows.map((r) => r.id) : [],
  );
  const taken = new Set<string>();
  const chosen = new Map<string, string>();
  const created = new Set<string>();
  const usable = (p: string | null | undefined): p is string => !!p && !taken.has(p) && (current.has(p) || dormant.has(p));
  for (const root of roots) {
    const m = members.get(root)!;
    let pick: string | undefined;
    if (opts.prefer) for (const r of m) if (!pick && usable(opts.prefer.get(r.key))) pick = opts.prefer.get(r.key);
    for (const r of m) {
      if (pick) break;
      if (usable(r.profile_id)) pick = r.profile_id;
      else if (usable(r.origin_profile_id)) pick = r.origin_profile_id!;
    }
    if (!pick) {
      pick = newId('profile');
      created.add(pick);
    }
    taken.add(pick);
    chosen.set(root, pick);
  }

  // 6. Write what changed.
  const profileOfKey = (k: string) => chosen.get(find(k)) ?? null;
  const keyChanges = [...ids.values()].filter((r) => r.profile_id !== profileOfKey(r.key) || (!r.origin_profile_id && profileOfKey(r.key)));
  const linkChanges: Array<{ id: string; p: string | null }> = [];
  for (const l of links.values()) {
    if (!linkRoot.has(l.id)) continue;
    const p = chosen.get(linkRoot.get(l.id)!) ?? null;
    if (p !== l.profile_id) linkChanges.push({ id: l.id, p });
  }
  const now = new Date();
  if (!shared) {
    // Every existing profile this batch may write, locked up front in id order, as ingestion and
    // the computed-traits loop lock them: the writes below then wait for nobody in another order.
    const mayWrite = new Set<string>([...current, ...dormant]);
    for (const k of known.values()) if (k.profile_id) mayWrite.add(k.profile_id);
    if (mayWrite.size) await tx.execute(sql`select id from profiles where id = any(${arr([...mayWrite].sort())}::text[]) order by id for no key update`);
  }
  if (created.size) {
    await tx.execute(sql`insert into profiles (id) select unnest(${arr([...created])}::text[])`);
  }
  const reactivated = [...chosen.values()].filter((p) => dormant.has(p));
  if (reactivated.length) await tx.execute(sql`update profiles set status = 'active', merged_into = null, updated_at = now() where id = any(${arr(reactivated)}::text[])`);
  if (keyChanges.length) {
    const rows = keyChanges.map((r) => ({ key: r.key, p: profileOfKey(r.key) }));
    await tx.execute(sql`
      update profile_identifiers i set profile_id = r.p, origin_profile_id = coalesce(i.origin_profile_id, r.p)
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(key text, p text) where i.key = r.key`);
  }
  if (linkChanges.length) {
    await tx.execute(sql`update identity_links l set profile_id = r.p from jsonb_to_recordset(${JSON.stringify(linkChanges)}::jsonb) as r(id text, p text) where l.id = r.id`);
    const moved = linkChanges.filter((c) => c.p);
    if (moved.length) await tx.execute(sql`update timeline_entries t set profile_id = r.p from jsonb_to_recordset(${JSON.stringify(moved)}::jsonb) as r(id text, p text) where t.link_id = r.id`);
  }

  // Profiles that no component kept were merged into the profile of their oldest identifier.
  const oldKeys = new Map<string, IdRow[]>();
  for (const r of ids.values()) if (r.profile_id) (oldKeys.get(r.profile_id) ?? oldKeys.set(r.profile_id, []).get(r.profile_id)!).push(r);
  const kept = new Set(chosen.values());
  const mergeRows: Array<typeof profileMerges.$inferInsert> = [];
  const events: Parameters<typeof emit>[1][] = [];
  for (const [old, keys] of oldKeys) {
    const survivorKeysOf = (s: string) => (oldKeys.get(s) ?? []).map((r) => r.key).sort();
    if (kept.has(old)) {
      // Kept, but some of its identifiers went to another profile: an automatic split (an
      // unmerge records itself on its merge instead).
      for (const r of keys) {
        const now2 = profileOfKey(r.key);
        if (!opts.prefer && now2 && now2 !== old && !oldKeys.has(now2) && !mergeRows.some((m) => m.mergedId === now2)) {
          mergeRows.push({ id: newId('profileMerge'), kind: 'split', survivorId: old, mergedId: now2, identifierKey: r.key, sourceId: null, reason: 'The identity rules no longer join these identifiers (a limit, a shared anonymous id, or an unmerge).', survivorKeys: survivorKeysOf(old), mergedKeys: keys.filter((x) => profileOfKey(x.key) === now2).map((x) => x.key).sort() });
        }
      }
      continue;
    }
    const sorted = [...keys].sort(byAge);
    const survivor = sorted.map((r) => profileOfKey(r.key)).find((p) => p) ?? null;
    await tx.execute(sql`update profiles set status = 'merged', merged_into = ${survivor}, traits = '{}'::jsonb, computed = null, event_count = 0, updated_at = now() where id = ${old}`);
    if (!survivor) continue;
    const join = joins.find((j) => (j.sideA.has(old) && [...j.sideB].some((p) => p !== old)) || (j.sideB.has(old) && [...j.sideA].some((p) => p !== old)));
    // The stronger identifier of the joining pair names the merge ("shared e-mail").
    const via = join?.keyA;
    const id = newId('profileMerge');
    const reason = join ? `Event ${join.link.first_source_id} carried ${join.keyA} together with ${join.keyB}.` : 'Joined through shared identifiers.';
    mergeRows.push({ id, kind: 'merge', survivorId: survivor, mergedId: old, identifierKey: via ?? null, sourceId: join?.link.first_source_id ?? null, reason, survivorKeys: survivorKeysOf(survivor), mergedKeys: keys.map((r) => r.key).sort() });
    result.merges.push({ id, survivorId: survivor, mergedId: old });
    const customer = [...ids.values()].find((r) => r.kind === 'customer_id' && profileOfKey(r.key) === survivor);
    events.push({
      type: 'profile.merged',
      aggregateType: 'profile',
      aggregateId: survivor,
      customerId: customer ? valueOfKey(customer.key) : null,
      actor: opts.actor ?? { type: 'system', label: 'identity resolution' },
      data: { mergeId: id, survivorId: survivor, mergedId: old, identifier: via ? { kind: kindOfKey(via), value: valueOfKey(via) } : null, eventId: join?.link.first_source_id ?? null, reason },
    });
  }
  if (mergeRows.length) {
    await tx.insert(profileMerges).values(mergeRows.map((m) => ({ ...m, createdAt: now })));
  }
  if (events.length) await emit(tx, ...events);

  // 7. The new timeline entries, on the profile of their link.
  const linkProfile = new Map<string, string | null>([...known].map(([id, k]) => [id, k.profile_id]));
  for (const l of links.values()) linkProfile.set(l.id, linkRoot.has(l.id) ? (chosen.get(linkRoot.get(l.id)!) ?? null) : l.profile_id);
  const entries = prepared
    .map((p) => ({ p, profileId: linkProfile.get(p.linkId) }))
    .filter((x): x is { p: Prepared; profileId: string } => !!x.profileId)
    .map(({ p, profileId }) => {
      result.placed.set(p.obs.sourceId, profileId);
      result.linkOf.set(p.obs.sourceId, p.linkId);
      // Absent fields are left out rather than sent as null (the record reads them as null): less to send and parse.
      return {
        id: newId('timelineEntry'),
        profile_id: profileId,
        link_id: p.linkId,
        source: p.obs.source,
        source_id: p.obs.sourceId,
        occurred_at: p.obs.occurredAt.toISOString(),
        type: p.obs.type,
        name: p.obs.name ?? undefined,
        channel: p.obs.channel,
        sales_channel: p.obs.salesChannel ?? undefined,
        store_id: p.obs.storeId ?? undefined,
        amount: p.obs.amount ?? undefined,
        currency: p.obs.currency ?? undefined,
        category: p.obs.category ?? undefined,
        order_id: p.obs.orderId ?? undefined,
        data: p.obs.data,
      };
    });
  if (entries.length) {
    // What each profile gained, summed in the same statement (a profile's counters grow by it).
    const added = await tx.execute<{ profile_id: string; n: number; first: Date | string; last: Date | string; identify_ids: string[] | null }>(sql`
      with ins as (
        insert into timeline_entries (id, profile_id, link_id, source, source_id, occurred_at, type, name, channel, sales_channel, store_id, amount, currency, category, order_id, data)
        select * from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb) as r(id text, profile_id text, link_id text, source text, source_id text, occurred_at timestamptz, type text, name text,
          channel text, sales_channel text, store_id text, amount bigint, currency text, category text, order_id text, data jsonb)
        on conflict (source_id) do nothing returning id, profile_id, occurred_at, type)
      select profile_id, count(*)::int as n, min(occurred_at) as first, max(occurred_at) as last, array_agg(id) filter (where type = 'identify') as identify_ids
      from ins group by profile_id`);
    result.added = added.rows.map((r) => ({ profileId: r.profile_id, n: r.n, first: ts(r.first), last: ts(r.last), identifyIds: r.identify_ids ?? [] }));
  }

  result.inserted = result.added.reduce((n, a) => n + a.n, 0);
  const changed = new Set<string>();
  for (const c of linkChanges) {
    if (c.p) changed.add(c.p);
    const before = links.get(c.id)!.profile_id;
    if (before) changed.add(before);
  }
  for (const p of created) changed.add(p);
  for (const p of reactivated) changed.add(p);
  for (const m of mergeRows) {
    changed.add(m.survivorId);
    changed.add(m.mergedId);
  }
  result.changedProfiles = [...changed];
  result.touchedProfiles = [...new Set([...result.added.map((a) => a.profileId), ...changed])];
  return result;
}
