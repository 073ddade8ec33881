// GDPR: export everything Winkel holds on a person, erase them everywhere, and purge old anonymous
// events. The work per module lives in each module's data holder (registered in holders.ts). Around it:
// - a person is resolved from the identifiers given, across modules, until nothing new turns up,
//   following only what the person proved (or staff named), never what anyone merely claimed;
// - a generic pass handles tables no holder claims that link rows to the person by a `customer_id`
//   or `email` column (exported as "other", unlinked on erasure), so a new module is covered before
//   it registers its own holder;
// - a final sweep replaces any remaining literal copy of what names the person alone (their ids,
//   proven e-mail addresses and phone numbers, anonymous and session ids) in every text, JSON and
//   text-array column of every table, and reports where it found them.
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { emit, lockEventCursors } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { accountsByIdOrEmail } from '../accounts/index.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import type { ConsentSubject } from '../consent/index.js';
import { lockIdentityGraph, retireCustomerIds } from '../customers/index.js';
import './holders.js';
import { addTo, dataHolders, emptyPerson, isEmptyPerson, type Person, type Scope } from '../../platform/privacy/registry.js';
import { newPseudonym, scrubText, selectRows as rows, textArray } from '../../platform/privacy/scrub.js';
import { sweep, sweepNeedles } from './sweep.js';
import { privacyErasures } from './schema.js';

export type { Scope };

export interface PrivacySubject extends ConsentSubject {
  phone?: string;
}

/**
 * Everything the person is known by, following identifiers across modules until nothing new turns
 * up. `scope` says whose word it rests on: `self` (the signed-in customer: their account, its
 * e-mail once verified, their own browsers) or `staff` (who also answer for the identifiers they
 * name and for the account's e-mail). Identifiers that events or checkouts merely declared are
 * traces of the person in their own records, never followed (see registry.ts).
 */
export async function resolvePerson(db: Executor, subject: PrivacySubject, scope: Scope): Promise<Person> {
  const person = emptyPerson();
  addTo(person, {
    customerIds: subject.customerId ? [subject.customerId] : [],
    emails: subject.email ? [subject.email] : [],
    anonymousIds: subject.anonymousId ? [subject.anonymousId] : [],
    profileIds: subject.profileId ? [subject.profileId] : [],
    namedProfileIds: subject.profileId && scope === 'staff' ? [subject.profileId] : [],
    phones: subject.phone ? [subject.phone] : [],
  });
  for (let round = 0; round < 8; round++) {
    let grew = false;
    for (const h of dataHolders()) if (h.discover && !h.discoversCopies && addTo(person, await h.discover(db, person, scope))) grew = true;
    if (!grew) break;
  }
  for (const h of dataHolders()) if (h.discover && h.discoversCopies) addTo(person, await h.discover(db, person, scope));
  return person;
}

// ---- the generic pass ------------------------------------------------------------------------

interface LinkColumn {
  table: string;
  column: 'customer_id' | 'email';
  nullable: boolean;
}

/** Tables with a customer_id or email column that no holder claims. */
async function unclaimedLinks(db: Executor): Promise<LinkColumn[]> {
  const claimed = new Set(dataHolders().flatMap((h) => h.tables));
  claimed.add('privacy_erasures');
  const found = await rows(
    db,
    sql`select c.table_name, c.column_name, c.is_nullable from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema = 'public' and c.column_name in ('customer_id', 'email') and c.data_type in ('text', 'character varying')
        order by c.table_name, c.column_name`,
  );
  return found.filter((r) => !claimed.has(String(r.table_name))).map((r) => ({ table: String(r.table_name), column: r.column_name as LinkColumn['column'], nullable: r.is_nullable === 'YES' }));
}

function matches(l: LinkColumn, p: Person) {
  return l.column === 'customer_id' ? sql`${sql.identifier(l.column)} = any(${textArray(p.customerIds)})` : sql`lower(${sql.identifier(l.column)}) = any(${textArray(p.emails)})`;
}

// ---- export ---------------------------------------------------------------------------------

export async function exportPerson(db: Db, subject: PrivacySubject, scope: Scope) {
  // One snapshot for the whole export, the search for the person included.
  return db.transaction(
    async (tx) => {
      const person = await resolvePerson(tx, subject, scope);
      if (isEmptyPerson(person)) throw badRequest('Say whose data: give customerId, email, anonymousId, profileId or phone.', [{ field: '/customerId', in: 'query', message: 'give at least one identifier' }]);
      const modules: Record<string, unknown> = {};
      for (const h of dataHolders()) modules[h.module] = await h.export(tx, person);
      const other: Record<string, unknown[]> = {};
      for (const l of await unclaimedLinks(tx)) {
        if ((l.column === 'customer_id' && !person.customerIds.length) || (l.column === 'email' && !person.emails.length)) continue;
        const found = await rows(tx, sql`select * from ${sql.identifier(l.table)} where ${matches(l, person)}`);
        if (found.length) other[l.table] = [...(other[l.table] ?? []), ...found];
      }
      const { customerIds, emails, anonymousIds, profileIds, phones, names } = person;
      return { format: 'winkel.person-export.v1', generatedAt: new Date().toISOString(), identifiers: { customerIds, emails, anonymousIds, profileIds, phones, names }, modules, other };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

// ---- erasure --------------------------------------------------------------------------------

export interface ErasureSummary {
  modules: Record<string, Record<string, number>>;
  unlinked: Record<string, number>;
  swept: Record<string, number>;
  /** Tables that refused the sweep (e.g. append-only ledgers): they still hold a copy; fix their module's holder. */
  refused?: Record<string, string>;
  kept: Record<string, string>;
}

/**
 * Erases a person everywhere in one transaction; answers the proof record (no personal data).
 * Records kept for the books (orders, payments, returns, events, …) keep belonging together under
 * one fresh pseudonym that replaces the person's customer ids everywhere, and point at no one.
 */
export async function erasePerson(db: Db, ctx: RequestContext, subject: PrivacySubject, reason: string, scope: Scope) {
  if (!reason.trim()) throw badRequest('Say why this person is erased (e.g. the request reference).', [{ field: '/reason', message: 'required' }]);
  // A customer erasing themself is not named in the proof: it would name them.
  const by: RequestContext = ctx.actor.type === 'customer' ? { ...ctx, actor: { type: 'customer', label: 'the customer themself' }, ip: undefined } : ctx;
  return db.transaction(async (tx) => {
    // Event subscribers (the timeline, webhook fan-out, …) work through the outbox in batches they
    // read at the start. One under way may hold a copy of this person's events from before the
    // erasure; it finishes first, and later ones wait for the commit and read the erased copies.
    // Always before the identity graph's lock: a subscriber holds its cursor and may then ask for it.
    await lockEventCursors(tx);
    // No ingestion batch may add a link, an identifier or a timeline entry for this person between
    // finding them and erasing them: the identity graph stays as it is until this commits.
    await lockIdentityGraph(tx);
    const person = await resolvePerson(tx, subject, scope);
    if (isEmptyPerson(person)) throw badRequest('Say whom to erase: give customerId, email, anonymousId, profileId or phone.', [{ field: '/customerId', message: 'give at least one identifier' }]);
    if (subject.customerId && !person.emails.length && !person.anonymousIds.length && !person.profileIds.length && !person.orderIds.length) {
      if (!(await accountsByIdOrEmail(tx, { id: subject.customerId })).length) throw notFound('customer', subject.customerId);
    }
    const id = newId('erasure');
    const pseudonym = newPseudonym();
    const summary: ErasureSummary = { modules: {}, unlinked: {}, swept: {}, kept: {} };
    const late = dataHolders().filter((h) => h.late);
    for (const h of dataHolders()) {
      if (h.keeps) summary.kept[h.module] = h.keeps;
      if (!h.late) summary.modules[h.module] = await h.erase(tx, person, { pseudonym });
    }
    for (const l of await unclaimedLinks(tx)) {
      if ((l.column === 'customer_id' && !person.customerIds.length) || (l.column === 'email' && !person.emails.length)) continue;
      const r =
        l.column === 'customer_id'
          ? await tx.execute(sql`update ${sql.identifier(l.table)} set customer_id = ${pseudonym} where ${matches(l, person)}`)
          : l.nullable
            ? await tx.execute(sql`update ${sql.identifier(l.table)} set ${sql.identifier(l.column)} = null where ${matches(l, person)}`)
            : await tx.execute(sql`delete from ${sql.identifier(l.table)} where ${matches(l, person)}`);
      if (r.rowCount) summary.unlinked[`${l.table}.${l.column}`] = r.rowCount;
    }
    // Events naming their account ids (or the pseudonym) that are still on their way (committed
    // after this erasure read the outbox, or sent by a client that has not heard yet) are dropped
    // on arrival, as are later events about the kept records.
    await retireCustomerIds(tx, [...person.customerIds, pseudonym], id);
    // The reason is free text written by staff: it keeps nothing of the person either.
    const why = scrubText(reason.trim(), person, pseudonym);
    await tx.insert(privacyErasures).values({ id, reason: why, actor: by.actor as unknown as Record<string, unknown>, summary });
    await recordAudit(tx, by, { action: 'customer.erase', resourceType: 'erasure', resourceId: id, after: { reason: why } });
    // Last, so that copies written by the steps above are swept too.
    const customerIdsToPseudonym = Object.fromEntries(person.customerIds.map((c) => [c, pseudonym]));
    const swept = await sweep(tx, { erase: sweepNeedles(person), replace: customerIdsToPseudonym }, { skip: late.flatMap((h) => h.tables.map((t) => `public.${t}`)) });
    summary.swept = swept.hits;
    if (Object.keys(swept.refused).length) summary.refused = swept.refused;
    // Holders that must lock a table (append-only ledgers) go last, so the lock is short.
    for (const h of late) summary.modules[h.module] = await h.erase(tx, person, { pseudonym });
    // The notice for systems downstream, after the sweep: it is the one record that still names
    // the erased account ids, so that receivers can erase them too. Not on the customer's timeline
    // (it would bring back a profile for the erased id).
    await emit(tx, {
      type: 'customer.erased',
      aggregateType: 'erasure',
      aggregateId: id,
      customerId: null,
      actor: by.actor,
      data: { erasureId: id, customerIds: person.customerIds, profileIds: person.profileIds, anonymousIdCount: person.anonymousIds.length },
    });
    await tx.update(privacyErasures).set({ summary }).where(sql`${privacyErasures.id} = ${id}`);
    return { id, createdAt: new Date().toISOString(), summary, customerIds: person.customerIds };
  });
}

export async function listErasures(db: Db, limit: number, before?: string) {
  const found = await rows(
    db,
    sql`select id, reason, actor, summary, created_at from privacy_erasures ${before ? sql`where id < ${before}` : sql``} order by id desc limit ${limit + 1}`,
  );
  return found;
}

