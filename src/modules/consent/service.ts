// Consent per purpose. Every decision is appended to consent_records with the identifiers it was
// given with (customer id, e-mail, anonymous id and profile id when known); nothing is ever updated.
// The current state for a purpose is the most recent decision recorded under ANY identifier of the
// person ("latest wins across the person's identifiers"), and when there is none, the configured
// default for that purpose. Because records are keyed by identifiers rather than by profile, they
// stay valid when profiles are merged or unmerged. Which identifiers are the person's follows what
// they proved, never what someone claimed (identifiersOf).
import { and, desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import { emit, type Actor } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { accountsByIdOrEmail } from '../accounts/index.js';
import { anonymousIdsOf, profileDeciders, profileIdsHolding, provenCustomerIdsOf } from '../customers/index.js';
import { consentRecords } from './schema.js';

export const PURPOSES = ['email', 'sms', 'push', 'personalisation', 'profiling', 'analytics'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const SOURCES = ['account', 'unsubscribe', 'staff', 'checkout', 'sdk', 'api'] as const;
export type ConsentSource = (typeof SOURCES)[number];

export interface ConsentSubject {
  customerId?: string;
  email?: string;
  anonymousId?: string;
  profileId?: string;
}

// ---- defaults -------------------------------------------------------------------------------

/** Purposes granted when nothing is recorded for a person. Opt-in (none) unless configured. */
let defaultGranted: ReadonlySet<Purpose> = new Set();

/** Parses the `consentDefaultGranted` setting: `none` or a comma-separated list of purposes. */
export function parseDefaultGranted(value: string): Set<Purpose> {
  const v = value.trim();
  if (v === '' || v === 'none') return new Set();
  const out = new Set<Purpose>();
  for (const p of v.split(',').map((s) => s.trim())) {
    if (!(PURPOSES as readonly string[]).includes(p)) throw new Error(`unknown consent purpose "${p}"`);
    out.add(p as Purpose);
  }
  return out;
}

/** Called once at start with the configuration. */
export function configureConsentDefaults(value: string | Iterable<Purpose>): void {
  defaultGranted = typeof value === 'string' ? parseDefaultGranted(value) : new Set(value);
}

export function consentDefault(purpose: Purpose): boolean {
  return defaultGranted.has(purpose);
}

// ---- subjects -------------------------------------------------------------------------------

export const normaliseEmail = (e: string) => e.trim().toLowerCase();

/**
 * Whose word ties identifiers together. `proven` (the person themself, the SDK, the shop's own
 * checks such as marketing mail): an account and its e-mail only once the address is verified, an
 * anonymous id and an account only where an authenticated source saw them together. `staff` (staff
 * and secret keys, who answer for what they do): an account and its e-mail always.
 */
export type TieScope = 'proven' | 'staff';

export interface IdentifierSet {
  customerIds: string[];
  emails: string[];
  anonymousIds: string[];
  profileIds: string[];
}

function clean(subject: ConsentSubject): ConsentSubject {
  const out: ConsentSubject = {};
  if (subject.customerId?.trim()) out.customerId = subject.customerId.trim();
  if (subject.email?.trim()) out.email = normaliseEmail(subject.email);
  if (subject.anonymousId?.trim()) out.anonymousId = subject.anonymousId.trim();
  if (subject.profileId?.trim()) out.profileId = subject.profileId.trim();
  return out;
}

export function isEmptySubject(s: ConsentSubject): boolean {
  const c = clean(s);
  return !c.customerId && !c.email && !c.anonymousId && !c.profileId;
}

/**
 * Every identifier whose decisions count for the person: the given ones, and what is tied to them
 * by proof, one step out (never through a claim, and never onward from what was found, so no chain
 * of ties reaches someone else):
 * - an account ties its id and its e-mail (in `proven` scope only once the address is verified);
 * - an account and the anonymous ids an authenticated source saw with it (its own browsers);
 * - an account and the profile it is on (decisions staff recorded for that profile);
 * - a profile and the account ids and e-mails on it, whose owners decide for it.
 */
export async function identifiersOf(db: Executor, subject: ConsentSubject, scope: TieScope = 'proven'): Promise<IdentifierSet> {
  const s = clean(subject);
  const set = { customerIds: new Set<string>(), emails: new Set<string>(), anonymousIds: new Set<string>(), profileIds: new Set<string>() };
  const add = (x: Partial<Record<keyof ConsentSubject, string>>) => {
    if (x.customerId) set.customerIds.add(x.customerId);
    if (x.email) set.emails.add(normaliseEmail(x.email));
    if (x.anonymousId) set.anonymousIds.add(x.anonymousId);
    if (x.profileId) set.profileIds.add(x.profileId);
  };
  add(s);
  const accounts = async (key: { id?: string; email?: string }) => {
    for (const a of await accountsByIdOrEmail(db, key)) if (scope === 'staff' || a.emailVerified) add({ customerId: a.id, email: a.email });
  };
  await accounts({ id: s.customerId, email: s.email });
  const given = { customerIds: [...set.customerIds], anonymousIds: s.anonymousId ? [s.anonymousId] : [] };
  for (const anonymousId of await anonymousIdsOf(db, { customerIds: given.customerIds, emails: [...set.emails] }, { proven: true })) add({ anonymousId });
  for (const customerId of await provenCustomerIdsOf(db, given.anonymousIds)) {
    add({ customerId });
    await accounts({ id: customerId });
  }
  for (const profileId of await profileIdsHolding(db, { customerIds: given.customerIds })) add({ profileId });
  if (s.profileId) {
    const d = await profileDeciders(db, [s.profileId]);
    for (const profileId of d.profileIds) add({ profileId });
    for (const customerId of d.customerIds) add({ customerId });
    for (const email of d.emails) add({ email });
  }
  return {
    customerIds: [...set.customerIds],
    emails: [...set.emails],
    anonymousIds: [...set.anonymousIds],
    profileIds: [...set.profileIds],
  };
}

function matchAny(ids: IdentifierSet): SQL | undefined {
  const parts: SQL[] = [];
  if (ids.customerIds.length) parts.push(inArray(consentRecords.customerId, ids.customerIds));
  if (ids.emails.length) parts.push(inArray(consentRecords.email, ids.emails));
  if (ids.anonymousIds.length) parts.push(inArray(consentRecords.anonymousId, ids.anonymousIds));
  if (ids.profileIds.length) parts.push(inArray(consentRecords.profileId, ids.profileIds));
  return parts.length ? or(...parts) : undefined;
}

// ---- reading --------------------------------------------------------------------------------

/** Whether the person may have their data used for `purpose`. The one question every module asks. */
export async function hasConsent(db: Db | Executor, subject: ConsentSubject, purpose: Purpose): Promise<boolean> {
  if (!(PURPOSES as readonly string[]).includes(purpose)) throw new Error(`unknown consent purpose "${purpose}"`);
  if (isEmptySubject(subject)) return consentDefault(purpose);
  const ids = await identifiersOf(db, subject, 'proven');
  const where = matchAny(ids);
  if (!where) return consentDefault(purpose);
  const [latest] = await db
    .select({ granted: consentRecords.granted })
    .from(consentRecords)
    .where(and(eq(consentRecords.purpose, purpose), where))
    .orderBy(desc(consentRecords.recordedAt), desc(consentRecords.id))
    .limit(1);
  return latest ? latest.granted : consentDefault(purpose);
}

/**
 * The single place that decides whether a profile may be profiled (computed traits): decisions
 * recorded for the profile and under its account ids and e-mail addresses (not under anonymous ids
 * anyone could have claimed for it).
 */
export async function profilingAllowed(db: Executor, profileId: string): Promise<boolean> {
  return hasConsent(db, { profileId }, 'profiling');
}

export type ConsentRecordRow = typeof consentRecords.$inferSelect;

export interface CurrentConsent {
  purpose: Purpose;
  granted: boolean;
  /** `default` when nothing is recorded and the configured default applies. */
  source: ConsentSource | 'default';
  recordedAt: string | null;
  recordId: string | null;
}

/** The current state of every purpose, plus the full history (newest first). */
export async function consentsOf(db: Executor, subject: ConsentSubject, historyLimit = 500, scope: TieScope = 'proven') {
  const ids = await identifiersOf(db, subject, scope);
  const where = matchAny(ids);
  const history: ConsentRecordRow[] = where
    ? await db
        .select()
        .from(consentRecords)
        .where(where)
        .orderBy(desc(consentRecords.recordedAt), desc(consentRecords.id))
        .limit(historyLimit)
    : [];
  // The latest decision per purpose, however long the history.
  const latest: ConsentRecordRow[] = where
    ? await db
        .selectDistinctOn([consentRecords.purpose])
        .from(consentRecords)
        .where(where)
        .orderBy(consentRecords.purpose, desc(consentRecords.recordedAt), desc(consentRecords.id))
    : [];
  const current: CurrentConsent[] = PURPOSES.map((purpose) => {
    const r = latest.find((h) => h.purpose === purpose);
    return r
      ? { purpose, granted: r.granted, source: r.source, recordedAt: r.recordedAt.toISOString(), recordId: r.id }
      : { purpose, granted: consentDefault(purpose), source: 'default' as const, recordedAt: null, recordId: null };
  });
  return { identifiers: ids, current, history };
}

// ---- writing --------------------------------------------------------------------------------

/**
 * Modules that must act at once when a purpose is withdrawn or granted (e.g. drop computed traits
 * when `profiling` is withdrawn) register here; listeners run inside the consent transaction.
 */
export type ConsentListener = (tx: Executor, change: { identifiers: IdentifierSet; changes: Array<{ purpose: Purpose; granted: boolean }> }) => Promise<void>;
const listeners: ConsentListener[] = [];
export function onConsentChange(fn: ConsentListener): void {
  if (!listeners.includes(fn)) listeners.push(fn);
}

export interface ConsentChange {
  purpose: Purpose;
  granted: boolean;
}

/**
 * Appends decisions for a person and emits consent.changed for each purpose whose current state
 * changed (a repeated identical decision is still recorded as history but changes nothing).
 */
export async function recordConsents(
  tx: Executor,
  input: { subject: ConsentSubject; changes: ConsentChange[]; source: ConsentSource; reason?: string | null; ctx: RequestContext },
): Promise<{ records: ConsentRecordRow[]; changed: Purpose[] }> {
  const s = clean(input.subject);
  if (isEmptySubject(s)) throw badRequest('Say whose consent this is.', [{ field: '/subject', message: 'give customerId, email, anonymousId or profileId' }]);
  if (!input.changes.length) throw badRequest('Give at least one purpose to change.', [{ field: '/consents', message: 'empty' }]);
  const seen = new Set<string>();
  for (const [i, c] of input.changes.entries()) {
    if (!(PURPOSES as readonly string[]).includes(c.purpose)) throw badRequest(`Unknown purpose "${c.purpose}".`, [{ field: `/consents/${i}/purpose`, message: `one of ${PURPOSES.join(', ')}` }]);
    if (seen.has(c.purpose)) throw badRequest(`Purpose "${c.purpose}" is given twice.`, [{ field: `/consents/${i}/purpose`, message: 'duplicate' }]);
    seen.add(c.purpose);
  }
  if (input.source === 'staff' && !input.reason?.trim()) throw badRequest('Staff must say why they change a customer’s consent.', [{ field: '/reason', message: 'required' }]);
  // If the customer is known through the e-mail (or the other way round), store both so the record
  // keeps working whatever identifier is used later.
  // A record carries only identifiers proven to go with the given ones, whoever records it: what
  // is stored is what later decisions about the person are counted under.
  const ids = await identifiersOf(tx, s, 'proven');
  const customerId = s.customerId ?? (ids.customerIds.length === 1 ? ids.customerIds[0] : undefined);
  const email = s.email ?? (customerId && ids.emails.length === 1 ? ids.emails[0] : undefined);
  const before = await consentsOf(tx, s, 200);
  const now = new Date();
  const rows = input.changes.map((c) => ({
    id: newId('consent'),
    purpose: c.purpose,
    granted: c.granted,
    source: input.source,
    customerId: customerId ?? null,
    email: email ?? null,
    anonymousId: s.anonymousId ?? null,
    profileId: s.profileId ?? null,
    reason: input.reason?.trim() || null,
    actor: input.ctx.actor as unknown as Record<string, unknown>,
    recordedAt: now,
  }));
  const records = await tx.insert(consentRecords).values(rows).returning();
  const changed: Purpose[] = [];
  for (const r of records) {
    const prev = before.current.find((c) => c.purpose === r.purpose)!;
    if (prev.granted === r.granted) continue;
    changed.push(r.purpose);
  }
  if (changed.length) {
    await emit(
      tx,
      ...records
        .filter((r) => changed.includes(r.purpose))
        .map((r) => ({
          type: 'consent.changed' as const,
          aggregateType: 'consent',
          aggregateId: r.id,
          customerId: r.customerId,
          actor: input.ctx.actor as Actor,
          data: {
            recordId: r.id,
            purpose: r.purpose,
            granted: r.granted,
            previous: before.current.find((c) => c.purpose === r.purpose)!.granted,
            source: r.source,
            customerId: r.customerId,
            anonymousId: r.anonymousId,
            profileId: r.profileId,
            hasEmail: r.email !== null,
            recordedAt: r.recordedAt.toISOString(),
          },
        })),
    );
  }
  if (changed.length && listeners.length) {
    const changes = records.filter((r) => changed.includes(r.purpose)).map((r) => ({ purpose: r.purpose, granted: r.granted }));
    for (const fn of listeners) await fn(tx, { identifiers: ids, changes });
  }
  if (input.source === 'staff' || input.ctx.actor.type === 'staff') {
    await recordAudit(tx, input.ctx, {
      action: 'consent.change',
      resourceType: 'consent',
      resourceId: customerId ?? s.profileId ?? s.anonymousId ?? records[0].id,
      before: Object.fromEntries(before.current.map((c) => [c.purpose, c.granted])),
      after: { ...Object.fromEntries(records.map((r) => [r.purpose, r.granted])), reason: input.reason ?? null },
    });
  }
  return { records, changed };
}
