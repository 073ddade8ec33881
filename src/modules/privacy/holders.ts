// What each module holds about a person, and how it is exported and erased. Registered here, next to
// the registry, so erasure rules are reviewed in one place; every holder names the tables it covers.
// Tables that belong to modules still being built are reached by name and skipped when absent.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { hashPassword, generatePassword } from '../../platform/password.js';
import { registerDataHolder, type Person, type PersonPart } from './registry.js';

type Row = Record<string, unknown>;

export async function rows(db: Executor, query: SQL): Promise<Row[]> {
  const r = await db.execute(query);
  return r.rows as Row[];
}
async function count(db: Executor, query: SQL): Promise<number> {
  const r = await db.execute(query);
  return r.rowCount ?? 0;
}
const existing = new Map<string, boolean>();
export async function tableExists(db: Executor, table: string): Promise<boolean> {
  if (existing.get(table)) return true;
  const [r] = await rows(db, sql`select to_regclass(${`public.${table}`}) is not null as ok`);
  const ok = Boolean(r?.ok);
  if (ok) existing.set(table, true);
  return ok;
}
const arr = (xs: string[]) => sql`${`{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
const none = (p: Person) => !p.customerIds.length && !p.emails.length;

/** Keys that hold personal data inside JSON payloads (events, webhook deliveries, audit entries). */
export const PERSONAL_KEYS = ['email', 'phone', 'firstName', 'lastName', 'fullName', 'address', 'shippingAddress', 'billingAddress', 'street', 'postcode', 'postalCode', 'birthDate', 'dateOfBirth', 'ip', 'userAgent'];

/** A copy of a JSON value without personal keys. */
export function stripPersonal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripPersonal);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = PERSONAL_KEYS.includes(k) ? '[erased]' : stripPersonal(x);
  return out;
}

// ---- accounts ---------------------------------------------------------------------------------
registerDataHolder({
  module: 'accounts',
  tables: ['customer_accounts', 'customer_sessions', 'password_resets'],
  keeps: 'The account row stays, disabled, with its e-mail and name replaced, so ids used elsewhere point at no one.',
  async discover(db, p) {
    if (none(p)) return {};
    const found = await rows(db, sql`select id, email, name from customer_accounts where id = any(${arr(p.customerIds)}) or lower(email) = any(${arr(p.emails)})`);
    return { customerIds: found.map((r) => String(r.id)), emails: found.map((r) => String(r.email)), names: found.map((r) => r.name as string).filter(Boolean) };
  },
  async export(db, p) {
    if (!p.customerIds.length) return { accounts: [], sessions: [] };
    return {
      accounts: await rows(db, sql`select id, email, name, locale, status, created_at as "createdAt", updated_at as "updatedAt" from customer_accounts where id = any(${arr(p.customerIds)})`),
      sessions: await rows(db, sql`select id, created_at as "createdAt", expires_at as "expiresAt", revoked_at as "revokedAt", ip, user_agent as "userAgent" from customer_sessions where customer_id = any(${arr(p.customerIds)})`),
    };
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!p.customerIds.length) return {};
    const ids = arr(p.customerIds);
    const sessions = await count(tx, sql`delete from customer_sessions where customer_id = any(${ids})`);
    const resets = await count(tx, sql`delete from password_resets where customer_id = any(${ids})`);
    // Nobody knows this password; the address is unique per account and means nothing.
    const hash = await hashPassword(generatePassword());
    const accounts = await count(
      tx,
      sql`update customer_accounts set email = 'erased-' || lower(id) || '@erased.invalid', name = null, password_hash = ${hash}, status = 'disabled', updated_at = now(), version = version + 1 where id = any(${ids})`,
    );
    return { customer_sessions: sessions, password_resets: resets, customer_accounts: accounts };
  },
});

// ---- collected events -------------------------------------------------------------------------
/** Anonymous ids seen with the person's user ids and with no one else's. */
async function ownAnonymousIds(db: Executor, p: Person): Promise<string[]> {
  if (!p.customerIds.length) return [];
  const found = await rows(
    db,
    sql`select anonymous_id from collected_events where user_id = any(${arr(p.customerIds)}) and anonymous_id is not null group by anonymous_id
        having not exists (select 1 from collected_events o where o.anonymous_id = collected_events.anonymous_id and o.user_id is not null and o.user_id <> all(${arr(p.customerIds)}))`,
  );
  return found.map((r) => String(r.anonymous_id));
}
registerDataHolder({
  module: 'collected_events',
  tables: ['collected_events'],
  async discover(db, p) {
    const anonymousIds = await ownAnonymousIds(db, p);
    if (!p.customerIds.length) return { anonymousIds };
    const traits = await rows(
      db,
      sql`select distinct traits->>'email' as email, traits->>'phone' as phone, coalesce(traits->>'name', nullif(concat_ws(' ', traits->>'firstName', traits->>'lastName'), '')) as name
          from collected_events where user_id = any(${arr(p.customerIds)}) and traits is not null`,
    );
    return {
      anonymousIds,
      emails: traits.map((t) => t.email as string).filter(Boolean),
      phones: traits.map((t) => t.phone as string).filter(Boolean),
      names: traits.map((t) => t.name as string).filter(Boolean),
    };
  },
  async export(db, p) {
    if (!p.customerIds.length && !p.anonymousIds.length) return [];
    return rows(
      db,
      sql`select message_id as "messageId", type, event, name, anonymous_id as "anonymousId", user_id as "userId", timestamp, properties, traits, context
          from collected_events where user_id = any(${arr(p.customerIds)}) or anonymous_id = any(${arr(p.anonymousIds)}) order by timestamp, id`,
    );
  },
  async erase(tx, p): Promise<Record<string, number>> {
    const ids = [...p.customerIds, ...p.anonymousIds];
    if (!ids.length) return {};
    return {
      collected_events: await count(
        tx,
        sql`delete from collected_events where user_id = any(${arr(p.customerIds)}) or anonymous_id = any(${arr(p.anonymousIds)}) or previous_id = any(${arr(ids)})`,
      ),
    };
  },
});

// ---- profiles and identities (identity resolution) --------------------------------------------
function personKeys(p: Person): string[] {
  return [
    ...p.customerIds.map((v) => `customer_id:${v}`),
    ...p.emails.map((v) => `email:${v}`),
    ...p.anonymousIds.map((v) => `anonymous_id:${v}`),
    ...p.phones.map((v) => `phone:${v}`),
  ];
}
async function profileIdsOf(db: Executor, p: Person): Promise<string[]> {
  if (!(await tableExists(db, 'profile_identifiers'))) return [];
  const keys = personKeys(p);
  const found = await rows(
    db,
    sql`with recursive direct as (
          select profile_id as id from profile_identifiers where key = any(${arr(keys)}) and profile_id is not null
          union select unnest(${arr(p.profileIds)})
        ), family as (
          select id from direct
          union select pr.id from profiles pr join family f on pr.merged_into = f.id
        ) select distinct id from family`,
  );
  return found.map((r) => String(r.id));
}
registerDataHolder({
  module: 'profiles',
  tables: ['profiles', 'profile_identifiers', 'identity_links', 'order_links', 'anonymous_users', 'timeline_entries', 'profile_merges', 'profile_separations'],
  async discover(db, p) {
    const profileIds = await profileIdsOf(db, p);
    if (!profileIds.length) return {};
    const ids = await rows(db, sql`select kind, value from profile_identifiers where profile_id = any(${arr(profileIds)})`);
    const of = (kind: string) => ids.filter((r) => r.kind === kind).map((r) => String(r.value));
    const traits = await rows(db, sql`select traits->>'name' as name, nullif(concat_ws(' ', traits->>'firstName', traits->>'lastName'), '') as full from profiles where id = any(${arr(profileIds)})`);
    return {
      profileIds,
      customerIds: of('customer_id'),
      emails: of('email'),
      phones: of('phone'),
      names: traits.flatMap((t) => [t.name as string, t.full as string]).filter(Boolean),
    };
  },
  async export(db, p) {
    const profileIds = await profileIdsOf(db, p);
    if (!profileIds.length) return { profiles: [], identifiers: [], timeline: [], merges: [] };
    const ids = arr(profileIds);
    return {
      profiles: await rows(db, sql`select * from profiles where id = any(${ids})`),
      identifiers: await rows(db, sql`select key, kind, value, profile_id as "profileId", first_seen_at as "firstSeenAt" from profile_identifiers where profile_id = any(${ids})`),
      timeline: await rows(db, sql`select * from timeline_entries where profile_id = any(${ids}) order by occurred_at, id`),
      merges: await rows(db, sql`select * from profile_merges where survivor_id = any(${ids}) or merged_id = any(${ids})`),
    };
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!(await tableExists(tx, 'profile_identifiers'))) return {};
    const profileIds = await profileIdsOf(tx, p);
    const ids = arr(profileIds);
    const keysRows = await rows(tx, sql`select key from profile_identifiers where profile_id = any(${ids}) or key = any(${arr(personKeys(p))})`);
    const keys = arr([...new Set([...keysRows.map((r) => String(r.key)), ...personKeys(p)])]);
    const out: Record<string, number> = {};
    out.timeline_entries = await count(tx, sql`delete from timeline_entries where profile_id = any(${ids})`);
    // The person's orders stop leading to them (order_links points at their links by a hash).
    out.order_links = await count(tx, sql`delete from order_links where link_id in (select id from identity_links where profile_id = any(${ids}) or keys && ${keys})`);
    out.identity_links = await count(tx, sql`delete from identity_links where profile_id = any(${ids}) or keys && ${keys}`);
    out.anonymous_users = await count(tx, sql`delete from anonymous_users where anonymous_key = any(${keys}) or user_key = any(${keys})`);
    out.profile_merges = await count(tx, sql`delete from profile_merges where survivor_id = any(${ids}) or merged_id = any(${ids}) or survivor_keys && ${keys} or merged_keys && ${keys}`);
    out.profile_separations = await count(tx, sql`delete from profile_separations where side_a && ${keys} or side_b && ${keys}`);
    out.profile_identifiers = await count(tx, sql`delete from profile_identifiers where profile_id = any(${ids}) or key = any(${keys})`);
    out.profiles = await count(tx, sql`delete from profiles where id = any(${ids})`);
    return out;
  },
});

// ---- commerce: carts and orders (orders are kept for tax law) ---------------------------------
const byPerson = (p: Person) => sql`(customer_id = any(${arr(p.customerIds)}) or lower(email) = any(${arr(p.emails)}))`;
registerDataHolder({
  module: 'commerce',
  tables: ['carts', 'orders', 'order_notes'],
  keeps: 'Orders stay with their lines, amounts, VAT and dates (bookkeeping law); the e-mail, the link to the customer, the delivery address (all but its country), the customer\'s checkout note and the text of staff notes on their orders are removed.',
  async discover(db, p) {
    if (none(p)) return {};
    const found = await rows(db, sql`select distinct email from orders where customer_id = any(${arr(p.customerIds)}) and email is not null`);
    return { emails: found.map((r) => String(r.email)) };
  },
  async export(db, p) {
    if (none(p)) return { carts: [], orders: [] };
    const orders = await rows(db, sql`select * from orders where ${byPerson(p)} order by id`);
    const lines = orders.length ? await rows(db, sql`select * from order_lines where order_id = any(${arr(orders.map((o) => String(o.id)))}) order by id`) : [];
    const notes = orders.length ? await rows(db, sql`select * from order_notes where order_id = any(${arr(orders.map((o) => String(o.id)))}) order by id`) : [];
    return {
      carts: await rows(db, sql`select * from carts where ${byPerson(p)} order by id`),
      orders: orders.map((o) => ({ ...o, lines: lines.filter((l) => l.order_id === o.id), notes: notes.filter((n) => n.order_id === o.id) })),
    };
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (none(p)) return {};
    return {
      // Notes are free text that may name the person: their text goes, the fact of a note stays.
      order_notes: await count(tx, sql`update order_notes set body = '[erased]' where order_id in (select id from orders where ${byPerson(p)})`),
      carts: await count(tx, sql`update carts set customer_id = null, email = null where ${byPerson(p)}`),
      // The delivery address goes too; only its country stays (VAT is due where the goods went).
      orders: await count(
        tx,
        sql`update orders set customer_id = null, email = null, note = case when note is null then null else '[erased]' end, version = version + 1,
              shipping_address = case when shipping_address is null then null else jsonb_build_object('name', '[erased]', 'line1', '[erased]', 'line2', null, 'postalCode', '[erased]', 'city', '[erased]', 'country', shipping_address->'country', 'phone', null, 'latitude', null, 'longitude', null) end
            where ${byPerson(p)}`,
      ),
    };
  },
});

// ---- other modules that link rows to a customer by id and/or e-mail ---------------------------
/** Tables of modules whose rows about a person are unlinked (id and e-mail cleared) on erasure. */
const UNLINK: Array<{ module: string; table: string; email: boolean; keeps: string }> = [
  { module: 'fulfilment', table: 'fulfilments', email: true, keeps: 'Fulfilments stay for stock and delivery records, without e-mail or customer.' },
  { module: 'returns', table: 'returns', email: false, keeps: 'Returns stay with their refunds (bookkeeping), without the customer.' },
  { module: 'payments', table: 'gift_cards', email: false, keeps: 'Gift cards stay (they are bearer value), no longer linked to the customer.' },
  { module: 'promotions', table: 'promotion_redemptions', email: false, keeps: 'Redemptions stay for budgets and limits, without the customer.' },
];
for (const u of UNLINK) {
  const who = (p: Person) => (u.email ? byPerson(p) : sql`customer_id = any(${arr(p.customerIds)})`);
  registerDataHolder({
    module: u.module,
    tables: [u.table],
    keeps: u.keeps,
    async export(db, p) {
      if (none(p) || !(await tableExists(db, u.table))) return [];
      return rows(db, sql`select * from ${sql.identifier(u.table)} where ${who(p)} order by 1`);
    },
    async erase(tx, p): Promise<Record<string, number>> {
      if (none(p) || !(await tableExists(tx, u.table))) return {};
      return { [u.table]: await count(tx, sql`update ${sql.identifier(u.table)} set customer_id = null${u.email ? sql`, email = null` : sql``} where ${who(p)}`) };
    },
  });
}

registerDataHolder({
  module: 'back_in_stock',
  tables: ['back_in_stock_subscriptions'],
  async export(db, p) {
    if (none(p)) return [];
    return rows(db, sql`select * from back_in_stock_subscriptions where ${byPerson(p)} order by 1`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (none(p)) return {};
    return { back_in_stock_subscriptions: await count(tx, sql`delete from back_in_stock_subscriptions where ${byPerson(p)}`) };
  },
});

// ---- messages ---------------------------------------------------------------------------------
registerDataHolder({
  module: 'messages',
  tables: ['outgoing_emails', 'caught_emails'],
  async export(db, p) {
    if (!p.emails.length) return [];
    return rows(db, sql`select id, "to", subject, text, purpose, created_at as "createdAt", sent_at as "sentAt" from outgoing_emails where lower("to") = any(${arr(p.emails)}) order by id`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!p.emails.length) return {};
    return {
      outgoing_emails: await count(tx, sql`delete from outgoing_emails where lower("to") = any(${arr(p.emails)})`),
      caught_emails: await count(tx, sql`delete from caught_emails where "to" && ${arr(p.emails)}`),
    };
  },
});

// ---- consent ----------------------------------------------------------------------------------
const consentWho = (p: Person) =>
  sql`(customer_id = any(${arr(p.customerIds)}) or email = any(${arr(p.emails)}) or anonymous_id = any(${arr(p.anonymousIds)}) or profile_id = any(${arr(p.profileIds)}))`;
registerDataHolder({
  module: 'consent',
  tables: ['consent_records'],
  keeps: 'The erasure record (privacy_erasures) is the proof; the consent history itself is deleted.',
  async export(db, p) {
    return rows(db, sql`select id, purpose, granted, source, customer_id as "customerId", email, anonymous_id as "anonymousId", profile_id as "profileId", reason, recorded_at as "recordedAt" from consent_records where ${consentWho(p)} order by recorded_at, id`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    return { consent_records: await count(tx, sql`delete from consent_records where ${consentWho(p)}`) };
  },
});

// ---- events, webhook deliveries and the audit log (history kept, personal data removed) -------
registerDataHolder({
  module: 'events',
  tables: ['outbox_events', 'webhook_deliveries', 'audit_log'],
  keeps: 'Domain events, webhook deliveries and audit entries stay as history, with personal fields replaced by "[erased]" and the customer link removed.',
  async export(db, p) {
    if (!p.customerIds.length) return [];
    return rows(db, sql`select id, type, aggregate_type as "aggregateType", aggregate_id as "aggregateId", data, occurred_at as "occurredAt" from outbox_events where customer_id = any(${arr(p.customerIds)}) order by seq`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!p.customerIds.length) return {};
    const ids = arr(p.customerIds);
    const events = await rows(tx, sql`select seq, data from outbox_events where customer_id = any(${ids}) or aggregate_id = any(${ids})`);
    for (const e of events) await tx.execute(sql`update outbox_events set data = ${JSON.stringify(stripPersonal(e.data))}::jsonb, customer_id = null where seq = ${e.seq}`);
    const deliveries = await rows(tx, sql`select id, payload from webhook_deliveries where payload->>'customerId' = any(${ids}) or payload#>>'{aggregate,id}' = any(${ids})`);
    for (const d of deliveries) await tx.execute(sql`update webhook_deliveries set payload = ${JSON.stringify(stripPersonal(d.payload))}::jsonb where id = ${d.id}`);
    const audit = await count(tx, sql`update audit_log set before = null, after = null where resource_id = any(${ids})`);
    return { outbox_events: events.length, webhook_deliveries: deliveries.length, audit_log: audit };
  },
});

export type { PersonPart };

// ---- inventory: the stock ledger is append-only --------------------------------------------
// Movements from a customer's checkout record the customer as actor. The ledger refuses edits by a
// trigger; erasure is the one documented exception: it disables the trigger inside its own
// transaction (which locks the table until commit, so it runs last), replaces the actor and sweeps
// the row's text, and enables the trigger again before committing.
registerDataHolder({
  module: 'inventory',
  tables: ['stock_movements'],
  late: true,
  keeps: 'Stock movements stay (the ledger is append-only); a customer as actor is replaced by "[erased]".',
  async export(db, p) {
    if (none(p)) return [];
    return rows(db, sql`select seq, variant_id as "variantId", location_id as "locationId", type, on_hand_delta as "onHandDelta", reserved_delta as "reservedDelta", reference, occurred_at as "occurredAt" from stock_movements where actor->>'id' = any(${arr(p.customerIds)}) or lower(actor->>'label') = any(${arr(p.emails)}) order by seq`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    const { sweep, sweepNeedles } = await import('./sweep.js');
    const needles = sweepNeedles(p);
    const who = sql`actor->>'id' = any(${arr(p.customerIds)}) or lower(actor->>'label') = any(${arr(p.emails)})`;
    const [hit] = await rows(tx, sql`select exists (select 1 from stock_movements where ${who}) as hit`);
    const [textHit] = needles.length ? await rows(tx, sql`select exists (select 1 from stock_movements where concat_ws(' ', reason, reference, actor::text) ~* ${needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}) as hit`) : [{ hit: false }];
    if (!hit?.hit && !textHit?.hit) return {};
    await tx.execute(sql`alter table stock_movements disable trigger stock_movements_append_only`);
    const actors = await count(tx, sql`update stock_movements set actor = jsonb_build_object('type', actor->>'type', 'label', '[erased]') where ${who}`);
    const swept = await sweep(tx, needles, { only: ['public.stock_movements'] });
    await tx.execute(sql`alter table stock_movements enable trigger stock_movements_append_only`);
    return { stock_movements: actors, stock_movements_swept: swept.hits['public.stock_movements'] ?? 0 };
  },
});
