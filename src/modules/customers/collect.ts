// Event collection in the widely used Segment-spec shape: track, identify, page, screen, alias and
// batches of them. Each event is checked on its own: bad ones are rejected with their reasons while
// the good ones in the same batch are kept; a repeated messageId is stored once; events that arrive
// late or out of order take their place in the timeline by their own timestamp.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
import { retryOnConflict, type Db, type Executor } from '../../platform/db.js';
import { badRequest, Problem, type FieldError } from '../../platform/errors.js';
import { findBadText } from '../../platform/http/request-limits.js';
import { newId } from '../../platform/ids.js';
import type { Observation } from './identity.js';
import { fromCollected, ingest, removeTimelineEntries } from './profiles.js';
import { collectedEvents } from './schema.js';

export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface IncomingEvent {
  type?: string;
  messageId?: unknown;
  event?: unknown;
  name?: unknown;
  anonymousId?: unknown;
  userId?: unknown;
  previousId?: unknown;
  timestamp?: unknown;
  context?: unknown;
  properties?: unknown;
  traits?: unknown;
}

export interface Rejected {
  index: number;
  messageId: string | null;
  errors: FieldError[];
}

const MAX_FUTURE_MS = 24 * 3600_000;
const isObj = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
const idOk = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.length > 0 && v.length <= 200) || (typeof v === 'number' && Number.isFinite(v));

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * An ISO 8601 date-time that names a real moment: `new Date` alone would take 30 February as
 * 2 March, and a bare date or words as a time.
 */
function isoDateTime(text: string): Date | null {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const day = new Date(0);
  day.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Checks one event; returns the row to store, or the problems. */
export function checkEvent(e: IncomingEvent, sourceId: string | null, now = new Date()): { row?: typeof collectedEvents.$inferInsert; errors: FieldError[] } {
  // First what the database cannot store (a NUL, a lone surrogate) and nesting too deep to walk:
  // such an event is refused on its own, before anything below walks it.
  const bad = findBadText(e, 'body');
  if (bad) return { errors: [{ field: bad.field, message: bad.message }] };
  const errors: FieldError[] = [];
  const type = e.type as EventType;
  if (!EVENT_TYPES.includes(type)) errors.push({ field: '/type', message: `one of ${EVENT_TYPES.join(', ')}` });
  if (!idOk(e.userId)) errors.push({ field: '/userId', message: 'a non-empty string of at most 200 characters' });
  if (!idOk(e.anonymousId)) errors.push({ field: '/anonymousId', message: 'a non-empty string of at most 200 characters' });
  if ((e.userId === undefined || e.userId === null) && (e.anonymousId === undefined || e.anonymousId === null)) errors.push({ field: '/userId', message: 'give userId or anonymousId' });
  if (type === 'track' && (typeof e.event !== 'string' || !e.event.trim() || e.event.length > 200)) errors.push({ field: '/event', message: 'the event name is required for track (at most 200 characters)' });
  if (!idOk(e.previousId)) errors.push({ field: '/previousId', message: 'a non-empty string of at most 200 characters' });
  if (type !== 'track' && e.event !== undefined && e.event !== null && (typeof e.event !== 'string' || !e.event || e.event.length > 200)) errors.push({ field: '/event', message: 'a non-empty string of at most 200 characters' });
  if (e.name !== undefined && e.name !== null && (typeof e.name !== 'string' || e.name.length > 500)) errors.push({ field: '/name', message: 'a string of at most 500 characters' });
  if (type === 'alias' && (e.previousId === undefined || e.previousId === null)) errors.push({ field: '/previousId', message: 'required for alias' });
  if (e.messageId !== undefined && (typeof e.messageId !== 'string' || !e.messageId || e.messageId.length > 200)) errors.push({ field: '/messageId', message: 'a non-empty string of at most 200 characters' });
  let ts = now;
  if (e.timestamp !== undefined && e.timestamp !== null) {
    const parsed = typeof e.timestamp === 'string' ? isoDateTime(e.timestamp) : null;
    if (!parsed) errors.push({ field: '/timestamp', message: 'an ISO 8601 date-time, e.g. 2026-11-07T09:30:00Z' });
    else if (parsed.getTime() < 0) errors.push({ field: '/timestamp', message: 'an ISO 8601 date-time from 1970 on' });
    else if (parsed.getTime() > now.getTime() + MAX_FUTURE_MS) errors.push({ field: '/timestamp', message: 'more than a day in the future' });
    else ts = parsed;
  }
  for (const f of ['context', 'properties', 'traits'] as const) if (!isObj(e[f])) errors.push({ field: `/${f}`, message: 'must be an object' });
  const size = JSON.stringify(e).length;
  if (size > 32_000) errors.push({ field: '', message: `the event is ${size} bytes; at most 32 kB` });
  if (errors.length) return { errors };
  const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
  return {
    errors,
    row: {
      id: newId('collectedEvent'),
      messageId: (e.messageId as string | undefined) ?? randomUUID(),
      type,
      event: type === 'track' ? String(e.event).trim() : null,
      name: typeof e.name === 'string' ? e.name.slice(0, 200) : null,
      anonymousId: str(e.anonymousId),
      userId: str(e.userId),
      previousId: str(e.previousId),
      timestamp: ts,
      context: (e.context as object) ?? null,
      properties: (e.properties as object) ?? null,
      traits: (e.traits as object) ?? null,
      sourceId,
    },
  };
}

type Row = typeof collectedEvents.$inferSelect;
// Absent fields are left out rather than sent as null (the record reads them as null).
const toRaw = (r: typeof collectedEvents.$inferInsert) => ({
  id: r.id,
  message_id: r.messageId,
  type: r.type,
  event: r.event ?? undefined,
  name: r.name ?? undefined,
  anonymous_id: r.anonymousId ?? undefined,
  user_id: r.userId ?? undefined,
  previous_id: r.previousId ?? undefined,
  timestamp: (r.timestamp as Date).toISOString(),
  context: r.context ?? undefined,
  properties: r.properties ?? undefined,
  traits: r.traits ?? undefined,
  source_id: r.sourceId ?? undefined,
});

/**
 * Who vouches for the identifiers of collected events (see Trust in identity.ts): staff and secret
 * keys for all of them; a customer session for events that name its own account and no other; a
 * publishable key (nothing given) for none, so its events are claims.
 */
export interface Vouch {
  all?: boolean;
  customerId?: string;
}

function trustOf(r: Row, vouch: Vouch): Observation['trust'] {
  if (vouch.all) return 'proven';
  if (!vouch.customerId || r.userId !== vouch.customerId) return 'claimed';
  return r.previousId && r.previousId !== vouch.customerId && r.previousId.startsWith('cus_') ? 'claimed' : 'proven';
}

/**
 * A batch of which every event was refused is itself refused (400, nothing kept), naming each
 * event's problems under its place in the batch; a batch with any good event answers 200 and lists
 * the bad ones (`rejected`), so one bad event never loses the others.
 */
export function refuseWhollyBadBatch(sent: number, r: { accepted: number; duplicates: number; rejected: Rejected[] }, extra: Record<string, unknown> = {}) {
  if (sent === 0 || r.accepted > 0 || r.duplicates > 0 || r.rejected.length < sent) return;
  const errors: FieldError[] = r.rejected.flatMap((x) => x.errors.map((e) => ({ in: 'body' as const, field: `/batch/${x.index}${e.field}` as const, message: e.message })));
  throw new Problem({
    status: 400,
    code: 'validation',
    title: 'The request is not valid',
    detail: `No event of the batch can be kept: ${errors.slice(0, 5).map((e) => `${e.field} (${e.message})`).join('; ')}${errors.length > 5 ? '; …' : ''}.`,
    errors,
    extra: { rejected: r.rejected, ...extra },
  });
}

export async function collect(db: Db, events: IncomingEvent[], sourceId: string | null, vouch: Vouch = {}) {
  if (events.length > 500) throw badRequest('At most 500 events per batch.', [{ field: '/batch', message: 'too many events' }]);
  const rejected: Rejected[] = [];
  const rows: Array<typeof collectedEvents.$inferInsert> = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const now = new Date();
  events.forEach((e, index) => {
    const { row, errors } = checkEvent(e, sourceId, now);
    if (!row) rejected.push({ index, messageId: typeof e.messageId === 'string' ? e.messageId : null, errors });
    else if (seen.has(row.messageId)) duplicates++;
    else {
      seen.add(row.messageId);
      rows.push(row);
    }
  });
  let stored = 0;
  if (rows.length) {
    // Stored and resolved into profiles in one transaction: an acknowledged event is in its
    // person's timeline. Batches lock profiles in one order, so they wait rather than deadlock; a
    // deadlock PostgreSQL still breaks (with another writer of those rows) is tried again.
    await retryOnConflict(() => db.transaction(async (tx) => {
      // One JSON parameter instead of 14 per row: far cheaper to bind and plan for 500 events.
      // Only the message ids come back (which rows were new): the rows themselves are here already.
      const res = await tx.execute<{ message_id: string }>(sql`
        insert into collected_events (id, message_id, type, event, name, anonymous_id, user_id, previous_id, timestamp, context, properties, traits, source_id)
        select id, message_id, type, event, name, anonymous_id, user_id, previous_id, timestamp, context, properties, traits, source_id
        from jsonb_to_recordset(${JSON.stringify(rows.map(toRaw))}::jsonb) as r(id text, message_id text, type text, event text, name text, anonymous_id text, user_id text,
          previous_id text, timestamp timestamptz, context jsonb, properties jsonb, traits jsonb, source_id text)
        on conflict (message_id) do nothing
        returning message_id`);
      const isNew = new Set(res.rows.map((r) => r.message_id));
      const inserted: Row[] = rows
        .filter((r) => isNew.has(r.messageId))
        .map((r) => ({
          id: r.id!,
          messageId: r.messageId,
          type: r.type,
          event: r.event ?? null,
          name: r.name ?? null,
          anonymousId: r.anonymousId ?? null,
          userId: r.userId ?? null,
          previousId: r.previousId ?? null,
          timestamp: r.timestamp as Date,
          receivedAt: now,
          context: r.context ?? null,
          properties: r.properties ?? null,
          traits: r.traits ?? null,
          sourceId: r.sourceId ?? null,
        }));
      stored = inserted.length;
      duplicates += rows.length - inserted.length;
      if (inserted.length) {
        const r = await ingest(tx, inserted.map((row) => ({ ...fromCollected(row), trust: trustOf(row, vouch) })));
        // Events about an erased customer (a page still open, a retried request) are acknowledged,
        // so the client does not send them again, and kept nowhere.
        if (r.suppressed.length) {
          const gone = r.suppressed.map((sourceId) => sourceId.slice('collect:'.length));
          await tx.execute(sql`delete from collected_events where message_id = any(${sql.param(gone)}::text[])`);
        }
      }
    }));
  }
  return { accepted: stored, duplicates, rejected };
}

/** One person's raw events by any of their ids, in the order they happened. */
export async function eventsFor(db: Executor, ids: { userId?: string; anonymousId?: string }, q: { limit: number; after?: { timestamp: Date; id: string } }) {
  const who: SQL[] = [];
  if (ids.userId) who.push(eq(collectedEvents.userId, ids.userId));
  if (ids.anonymousId) who.push(eq(collectedEvents.anonymousId, ids.anonymousId));
  if (!who.length) throw badRequest('Give userId or anonymousId.', [{ field: '/userId', in: 'query', message: 'required' }]);
  const after = q.after ? or(gt(collectedEvents.timestamp, q.after.timestamp), and(eq(collectedEvents.timestamp, q.after.timestamp), gt(collectedEvents.id, q.after.id))) : undefined;
  return db
    .select()
    .from(collectedEvents)
    .where(and(or(...who), after))
    .orderBy(asc(collectedEvents.timestamp), asc(collectedEvents.id))
    .limit(q.limit + 1);
}

// ---- retention ------------------------------------------------------------------------------

/**
 * Deletes collected events older than `days` that belong to no known person: no user id, and an
 * anonymous id never seen with a user id. Answers how many were deleted. `days` 0 keeps everything.
 */
export async function purgeAnonymousEvents(db: Db, days: number, batch = 10_000): Promise<number> {
  if (days <= 0) return 0;
  let total = 0;
  // Their entries on anonymous profiles' timelines go with them.
  for (;;) {
    const r = await db.transaction(async (tx) => {
      const gone = (
        await tx.execute<{ message_id: string }>(sql`delete from collected_events where id in (
              select e.id from collected_events e
              where e.user_id is null and e.timestamp < now() - make_interval(days => ${days})
                and (e.anonymous_id is null or not exists (select 1 from collected_events u where u.anonymous_id = e.anonymous_id and u.user_id is not null))
              limit ${batch})
            returning message_id`)
      ).rows;
      if (gone.length) await removeTimelineEntries(tx, gone.map((g) => `collect:${g.message_id}`));
      return gone.length;
    });
    total += r;
    if (r < batch) return total;
  }
}
