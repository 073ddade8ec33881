// Tables owned by the platform itself: the event outbox and its consumer cursors, stored
// idempotent responses, e-mail caught by the built-in mail catcher, and the audit log (written by
// every module through src/platform/audit.ts).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; the outbox orders and gates delivery by it. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const outboxEvents = pgTable(
  'outbox_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    txId: xid8('tx_id').notNull().default(sql`pg_current_xact_id()`),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    customerId: text('customer_id'),
    actor: jsonb('actor'),
    data: jsonb('data').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('outbox_events_tx_seq').on(t.txId, t.seq),
    index('outbox_events_aggregate').on(t.aggregateType, t.aggregateId, t.seq),
    index('outbox_events_customer').on(t.customerId, t.seq),
    index('outbox_events_type').on(t.type, t.seq),
  ],
);

export const eventCursors = pgTable('event_cursors', {
  name: text('name').primaryKey(),
  lastTxId: xid8('last_tx_id').notNull().default(sql`'0'::xid8`),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
  failures: integer('failures').notNull().default(0),
  lastError: text('last_error'),
  retryAt: timestamp('retry_at', { withTimezone: true, mode: 'date' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['running', 'done'] }).notNull(),
    statusCode: integer('status_code'),
    contentType: text('content_type'),
    responseBody: text('response_body'),
    /** Hashes of the ids the answer and the path name (an order, a cart, a customer), so an erasure finds the answers about a person without reading them. */
    subjects: text('subjects').array(),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] }), index('idempotency_keys_expires').on(t.expiresAt)],
);

export const caughtEmails = pgTable(
  'caught_emails',
  {
    id: text('id').primaryKey(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    from: text('from').notNull(),
    to: text('to').array().notNull(),
    subject: text('subject').notNull(),
    text: text('text'),
    html: text('html'),
    sizeBytes: integer('size_bytes').notNull(),
  },
  (t) => [index('caught_emails_received').on(t.receivedAt)],
);

/** Mail waiting to be sent or sent: written in the business transaction, sent by a worker loop. */
export const outgoingEmails = pgTable(
  'outgoing_emails',
  {
    id: text('id').primaryKey(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    /** Why it was sent (e.g. password_reset); templates and reports group by it. */
    purpose: text('purpose').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('outgoing_emails_due').on(t.nextAttemptAt)],
);

/**
 * One run of a durable flow (src/platform/flows): its input, each step it has taken with that step's
 * result (what its compensation needs), and who runs it until when. A step's record is written in
 * the same transaction as the step's effect, so a run never holds an effect it does not know of.
 */
export const flowRuns = pgTable(
  'flow_runs',
  {
    id: text('id').primaryKey(),
    flow: text('flow').notNull(),
    /** What the run is about (a cart, a return, an order); at most one unfinished run per flow and key. */
    key: text('key').notNull(),
    status: text('status', { enum: ['running', 'waiting', 'compensating', 'completed', 'compensated', 'failed'] }).notNull(),
    /** The input the run was started with, without secrets (a card number is never kept); cleared when the run ends. */
    input: jsonb('input'),
    /** The steps taken, in order: `{ name, at, result?, compensatedAt?, wait? }`; results are cleared when the run ends. */
    steps: jsonb('steps').notNull().default(sql`'[]'::jsonb`),
    /** Set once the step past which the run is completed, never undone, has been taken. */
    pivotAt: timestamp('pivot_at', { withTimezone: true, mode: 'date' }),
    /** The process that runs it, and until when; a recovery job takes over runs whose lease has run out. */
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    /** A waiting run: when it wakes, and the event it waits for (type and aggregate id). */
    wakeAt: timestamp('wake_at', { withTimezone: true, mode: 'date' }),
    waitEventType: text('wait_event_type'),
    waitAggregateId: text('wait_aggregate_id'),
    attempts: integer('attempts').notNull().default(1),
    lastError: jsonb('last_error'),
    output: jsonb('output'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('flow_runs_one_open').on(t.flow, t.key).where(sql`status in ('running', 'waiting', 'compensating')`),
    index('flow_runs_lease').on(t.leaseUntil).where(sql`status in ('running', 'compensating')`),
    index('flow_runs_wake').on(t.wakeAt).where(sql`status = 'waiting'`),
    index('flow_runs_event').on(t.waitEventType, t.waitAggregateId).where(sql`status = 'waiting'`),
    index('flow_runs_ended').on(t.endedAt),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [index('audit_log_resource').on(t.resourceType, t.resourceId, t.id), index('audit_log_actor').on(t.actorId, t.id)],
);
