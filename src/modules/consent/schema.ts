// Consent as stored: an append-only log of decisions per purpose. The current state of a person is
// derived from it (the latest decision across the identifiers the person is known by), never kept in
// a mutable row, so the full history is always there.
import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const consentRecords = pgTable(
  'consent_records',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: ['email', 'sms', 'push', 'personalisation', 'profiling', 'analytics'] }).notNull(),
    granted: boolean('granted').notNull(),
    /** Where the decision was made. */
    source: text('source', { enum: ['account', 'unsubscribe', 'staff', 'checkout', 'sdk', 'api'] }).notNull(),
    /** The identifiers the decision was given with; at least one is set. */
    customerId: text('customer_id'),
    /** Trimmed and lower-cased. */
    email: text('email'),
    anonymousId: text('anonymous_id'),
    profileId: text('profile_id'),
    /** Why staff changed it (required for staff), or a note from the integrator. */
    reason: text('reason'),
    /** Who recorded it: { type, id, label } like outbox actors. */
    actor: jsonb('actor'),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('consent_records_customer').on(t.customerId, t.purpose, t.recordedAt),
    index('consent_records_email').on(t.email, t.purpose, t.recordedAt),
    index('consent_records_anonymous').on(t.anonymousId, t.purpose, t.recordedAt),
    index('consent_records_profile').on(t.profileId, t.purpose, t.recordedAt),
    index('consent_records_recorded').on(t.recordedAt),
  ],
);

/** Keys that sign unsubscribe links; generated on first use, the newest one signs, all verify. */
export const consentLinkKeys = pgTable('consent_link_keys', {
  id: text('id').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
});
