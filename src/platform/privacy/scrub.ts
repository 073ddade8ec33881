// Scrubbing a person out of records that stay: what each module's erase uses on its own rows.
// - Keys that hold personal data in JSON (e-mail, names, address, notes, …) become "[erased]".
// - Every trace of the person (e-mails, phones, names, address lines, notes, anonymous ids, card
//   fingerprints, session details) is replaced by "[erased]" wherever it appears in the text.
// - Their customer ids are replaced by the erasure's pseudonym, so records kept for the books still
//   belong together (the same buyer) without pointing at anyone.
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db.js';
import type { Person } from './registry.js';

export type Row = Record<string, unknown>;

/** The rows a query answers. */
export async function selectRows(db: Executor, query: SQL): Promise<Row[]> {
  return (await db.execute(query)).rows as Row[];
}

/** How many rows a statement changed. */
export async function changedRows(db: Executor, query: SQL): Promise<number> {
  return (await db.execute(query)).rowCount ?? 0;
}

export const ERASED = '[erased]';

/** Keys that hold personal data inside JSON payloads (events, webhook deliveries, audit entries, …). */
export const PERSONAL_KEYS = new Set([
  'email', 'phone', 'name', 'firstName', 'lastName', 'fullName', 'address', 'shippingAddress', 'billingAddress', 'street', 'line1', 'line2',
  'postcode', 'postalCode', 'city', 'latitude', 'longitude', 'birthDate', 'dateOfBirth', 'ip', 'userAgent', 'note', 'body', 'text', 'traits',
  'anonymousId', 'previousId', 'cardFingerprint', 'cardLast4', 'last4', 'fingerprint',
]);

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const unique = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter(Boolean))];

/**
 * Everything that identifies the person inside their own records, longest first (so "Ann Smith"
 * goes before "Ann"). Too short a value (two characters) would hit unrelated text even there.
 */
export function tracesOf(p: Person): string[] {
  return unique([...p.emails, ...p.accountEmails, ...p.phones, ...p.names, ...p.anonymousIds, ...p.cardFingerprints, ...p.sessionIds, ...p.traces])
    .filter((t) => t.length >= 3)
    .sort((a, b) => b.length - a.length);
}

/**
 * What finds records about the person in other records' text: their ids and what they proved,
 * and the ids of their records (orders, carts, …). Never names or other traces, which other
 * people share (a namesake's order would be taken for theirs).
 */
export function findersOf(p: Person): string[] {
  return unique([
    ...p.customerIds,
    ...p.emails,
    ...p.phones.filter((x) => x.replace(/\D/g, '').length >= 6),
    ...p.anonymousIds,
    ...p.sessionIds,
    ...p.orderIds,
    ...p.cartIds,
    ...p.returnIds,
    ...p.fulfilmentIds,
    ...p.paymentIds,
    ...p.giftCardIds,
    ...p.promotionIds,
    ...p.recordIds,
  ]).filter((t) => t.length >= 5);
}

/** A fresh id that replaces the person's customer ids: random through and through, so it says nothing about when or whom. */
export function newPseudonym(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `cus_${[...randomBytes(26)].map((b) => alphabet[b & 31]).join('')}`;
}

/** The text with every trace replaced by "[erased]" and every customer id by the pseudonym. */
export function scrubText(text: string, p: Person, pseudonym: string): string {
  let out = text;
  for (const id of p.customerIds) out = out.split(id).join(pseudonym);
  const traces = tracesOf(p);
  if (traces.length) out = out.replace(new RegExp(traces.map(escapeRegex).join('|'), 'gi'), ERASED);
  return out;
}

/**
 * A copy of a JSON value without the person: personal keys emptied (unless `keys` is false, for
 * values whose keys are known not to be personal, such as an order's applied promotions), traces
 * and ids replaced.
 */
export function scrubJson<T>(value: T, p: Person, pseudonym: string, opts: { keys?: boolean } = {}): T {
  const keys = opts.keys ?? true;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v, p, pseudonym);
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = keys && PERSONAL_KEYS.has(k) && x !== null && x !== undefined ? ERASED : walk(x);
    return out;
  };
  return walk(value) as T;
}

/** A PostgreSQL text[] literal parameter. */
export const textArray = (xs: string[]) => sql`${`{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;

/** The regular expression (PostgreSQL, case-insensitive use) that finds any of these values, or null for none. */
export function patternOf(values: string[]): string | null {
  const safe = unique(values).filter((v) => v.length >= 3);
  return safe.length ? safe.sort((a, b) => b.length - a.length).map(escapeRegex).join('|') : null;
}

/** SQL: the text column with the person's traces and ids replaced (for UPDATE … SET col = …). */
export function scrubbedColumn(column: SQL, p: Person, pseudonym: string): SQL {
  let out = column;
  for (const id of p.customerIds) out = sql`replace(${out}, ${id}, ${pseudonym})`;
  const pattern = patternOf(tracesOf(p));
  return pattern ? sql`regexp_replace(${out}, ${pattern}, ${ERASED}, 'gi')` : out;
}

/** SQL: whether the column's text mentions any of these values (case-insensitive). */
export function mentions(column: SQL, values: string[]): SQL {
  const pattern = patternOf(values);
  return pattern ? sql`(${column})::text ~* ${pattern}` : sql`false`;
}
