// What the identity graph may be asked when it decides who a person is for something that grants
// access: their consents, their export, their erasure. Identity resolution joins identifiers on
// any evidence, claims included, because that is what analytics needs; these questions follow
// only what the person proved (see Trust in identity.ts and "Trust levels" in docs/customers.md).
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { keyOf, valueOfKey } from './identity.js';

const arr = (values: string[]) => `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

/**
 * Anonymous ids (browsers) that belong to these customers alone: seen on an event together with
 * one of their account ids, and never with anyone else (another account id, or an e-mail not
 * theirs). With `proven`, only where an authenticated source carried them together (the
 * customer's own session, staff, a secret key); otherwise claims count too. An anonymous id is a
 * random value only its browser holds, so a claim that ties it to an account can only hand that
 * account the data of a browser whose id the claimer already had.
 */
export async function anonymousIdsOf(db: Executor, who: { customerIds: string[]; emails?: string[] }, opts: { proven: boolean }): Promise<string[]> {
  if (!who.customerIds.length) return [];
  const customerKeys = who.customerIds.map((id) => keyOf('customer_id', id));
  const own = [...customerKeys, ...(who.emails ?? []).map((e) => keyOf('email', e.toLowerCase()))];
  const r = await db.execute<{ key: string }>(sql`
    select distinct k.key from identity_links l cross join lateral unnest(l.keys) as k(key)
    where l.keys && ${arr(customerKeys)}::text[] ${opts.proven ? sql`and l.proven` : sql``} and k.key like 'anonymous_id:%'
      and not exists (select 1 from anonymous_users u where u.anonymous_key = k.key and u.user_key <> all(${arr(own)}::text[]))`);
  return r.rows.map((x) => valueOfKey(x.key));
}

/** The account ids proven to go with these anonymous ids (the reverse of anonymousIdsOf with `proven`). */
export async function provenCustomerIdsOf(db: Executor, anonymousIds: string[]): Promise<string[]> {
  if (!anonymousIds.length) return [];
  const keys = anonymousIds.map((id) => keyOf('anonymous_id', id));
  const r = await db.execute<{ key: string }>(sql`
    select distinct k.key from identity_links l cross join lateral unnest(l.keys) as k(key)
    where l.keys && ${arr(keys)}::text[] and l.proven and k.key like 'customer_id:%'`);
  const customers = r.rows.map((x) => valueOfKey(x.key));
  // Only an anonymous id of one person: a shared tablet ties no one to anyone.
  return customers.length === 1 ? customers : [];
}

/** The profiles (followed to where merged ones live now) that hold any of these identifiers. */
export async function profileIdsHolding(db: Executor, ids: { customerIds?: string[]; emails?: string[]; anonymousIds?: string[]; phones?: string[] }): Promise<string[]> {
  const keys = [
    ...(ids.customerIds ?? []).map((v) => keyOf('customer_id', v)),
    ...(ids.emails ?? []).map((v) => keyOf('email', v.toLowerCase())),
    ...(ids.anonymousIds ?? []).map((v) => keyOf('anonymous_id', v)),
    ...(ids.phones ?? []).map((v) => keyOf('phone', v)),
  ];
  if (!keys.length) return [];
  const r = await db.execute<{ profile_id: string }>(sql`select distinct profile_id from profile_identifiers where key = any(${arr(keys)}::text[]) and profile_id is not null`);
  return r.rows.map((x) => x.profile_id);
}

/**
 * What a profile's own consent decision rests on: the profile (followed while merged), and the
 * account ids and e-mail addresses on it, whose owners decide for it. Anonymous ids on it are left
 * out: anyone may claim one for a profile, so decisions recorded under them count only for them.
 */
export async function profileDeciders(db: Executor, profileIds: string[]): Promise<{ profileIds: string[]; customerIds: string[]; emails: string[] }> {
  if (!profileIds.length) return { profileIds: [], customerIds: [], emails: [] };
  const live = await db.execute<{ id: string }>(sql`
    with recursive up as (
      select id, merged_into, status, 0 as depth from profiles where id = any(${arr(profileIds)}::text[])
      union all select p.id, p.merged_into, p.status, up.depth + 1 from profiles p join up on p.id = up.merged_into where up.status = 'merged' and up.depth < 20
    ) select distinct id from up`);
  const ids = [...new Set([...profileIds, ...live.rows.map((r) => r.id)])];
  const r = await db.execute<{ kind: string; value: string }>(sql`select kind, value from profile_identifiers where profile_id = any(${arr(ids)}::text[]) and kind in ('customer_id', 'email')`);
  return { profileIds: ids, customerIds: r.rows.filter((x) => x.kind === 'customer_id').map((x) => x.value), emails: r.rows.filter((x) => x.kind === 'email').map((x) => x.value) };
}
