// Proof that erasures happened: who asked, when, why and how many rows each module removed or
// anonymised. Holds no personal data of the erased person (the reason is swept like every column).
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const privacyErasures = pgTable(
  'privacy_erasures',
  {
    id: text('id').primaryKey(),
    reason: text('reason').notNull(),
    /** Who erased: { type, id, label } of the staff user or API key. */
    actor: jsonb('actor').notNull(),
    /** Per module and table: rows deleted, anonymised or swept. */
    summary: jsonb('summary').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('privacy_erasures_created').on(t.createdAt)],
);
