// Import jobs with their progress, and every rejected row with the reason.
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const importJobs = pgTable(
  'import_jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['products', 'online-retail'] }).notNull(),
    format: text('format').notNull(),
    source: text('source').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull().default('queued'),
    /** 0–1 by bytes read, so it moves even before the number of rows is known. */
    progress: jsonb('progress').notNull().default({ fraction: 0, rows: 0 }),
    accepted: integer('accepted').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    summary: jsonb('summary'),
    error: text('error'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('import_jobs_status').on(t.status, t.updatedAt)],
);

export const importRejections = pgTable(
  'import_rejections',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => importJobs.id),
    seq: integer('seq').notNull(),
    line: integer('line'),
    field: text('field'),
    reason: text('reason').notNull(),
    value: text('value'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);
