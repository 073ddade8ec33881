// The platform's tables as GDPR export and erasure need them (the privacy module turns these into
// data holders): domain events in the outbox, stored answers of idempotent requests, and mail
// (queued and caught). Callers say what names the person: ids, and a PostgreSQL regular expression
// (case-insensitive) that matches any of their traces.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { idempotencySubject } from '../http/idempotency.js';

const textArray = (xs: string[]) => sql`${`{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
const matches = (column: ReturnType<typeof sql>, pattern: string | null) => (pattern ? sql`(${column})::text ~* ${pattern}` : sql`false`);

export type OutboxRow = {
  seq: number;
  id: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  customerId: string | null;
  actor: Record<string, unknown> | null;
  data: Record<string, unknown>;
  occurredAt: string;
};

/**
 * Events about someone: with one of these customer ids (as the event's customer, aggregate or
 * actor), about one of these aggregates, or with a trace of them anywhere in their data. Oldest first.
 */
export async function eventsAbout(db: Executor, who: { customerIds: string[]; aggregateIds: string[]; pattern: string | null }): Promise<OutboxRow[]> {
  if (!who.customerIds.length && !who.aggregateIds.length && !who.pattern) return [];
  const r = await db.execute<OutboxRow>(sql`
    select seq, id, type, aggregate_type as "aggregateType", aggregate_id as "aggregateId", customer_id as "customerId", actor, data, occurred_at as "occurredAt"
    from outbox_events
    where customer_id = any(${textArray(who.customerIds)}) or aggregate_id = any(${textArray([...who.customerIds, ...who.aggregateIds])})
      or actor->>'id' = any(${textArray(who.customerIds)}) or ${matches(sql`data`, who.pattern)} or ${matches(sql`actor`, who.pattern)}
    order by seq`);
  return r.rows.map((e) => ({ ...e, seq: Number(e.seq) }));
}

/** Rewrites what an event says (its history stays: same id, type, order and time). */
export async function rewriteEvent(tx: Executor, seq: number, e: Pick<OutboxRow, 'customerId' | 'aggregateId' | 'actor' | 'data'>) {
  await tx.execute(sql`
    update outbox_events set customer_id = ${e.customerId}, aggregate_id = ${e.aggregateId}, actor = ${e.actor === null ? null : JSON.stringify(e.actor)}::jsonb, data = ${JSON.stringify(e.data)}::jsonb
    where seq = ${seq}`);
}

/**
 * Deletes stored answers of idempotent requests made by these principals (`customer:cus_…`), or
 * filed under one of these ids (an order, cart or account of the person: see `subjects` in
 * src/platform/http/idempotency.ts), or whose stored text mentions the person: a replay would hand
 * their data out again. Answers are stored encrypted, so the ids are what finds a guest's checkout.
 */
export async function forgetIdempotentAnswers(tx: Executor, who: { principals: string[]; ids: string[]; pattern: string | null }): Promise<number> {
  const subjects = who.ids.map(idempotencySubject);
  const r = await tx.execute(sql`delete from idempotency_keys where principal = any(${textArray(who.principals)}) or subjects && ${textArray(subjects)} or ${matches(sql`response_body`, who.pattern)}`);
  return r.rowCount ?? 0;
}

export interface MailWho {
  /** Every mail to these addresses. */
  to: string[];
  /** Mail an account itself caused (password resets) to these addresses. */
  accountMailTo: string[];
  /** Mail whose subject or text matches (an order confirmation of theirs). */
  pattern: string | null;
}
const mailWhere = (who: MailWho) =>
  sql`(lower("to") = any(${textArray(who.to)}) or (purpose = 'password_reset' and lower("to") = any(${textArray(who.accountMailTo)})) or ${matches(sql`concat_ws(' ', subject, text, html)`, who.pattern)})`;

/** Mail about the person. */
export async function mailAbout(db: Executor, who: MailWho) {
  const r = await db.execute<{ id: string; to: string; subject: string; text: string; purpose: string; createdAt: string; sentAt: string | null }>(sql`
    select id, "to", subject, text, purpose, created_at as "createdAt", sent_at as "sentAt" from outgoing_emails where ${mailWhere(who)} order by id`);
  return r.rows;
}

/** Deletes that mail, queued and caught by the built-in mail catcher. */
export async function forgetMail(tx: Executor, who: MailWho): Promise<{ outgoing: number; caught: number }> {
  const outgoing = await tx.execute(sql`delete from outgoing_emails where ${mailWhere(who)}`);
  const caught = await tx.execute(sql`
    delete from caught_emails where exists (select 1 from unnest("to") t where lower(t) = any(${textArray(who.to)})) or ${matches(sql`concat_ws(' ', subject, text, html)`, who.pattern)}`);
  return { outgoing: outgoing.rowCount ?? 0, caught: caught.rowCount ?? 0 };
}
