// Collected customer events (the Segment-spec shape): the raw input of the customer timeline and
// identity resolution.
import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const collectedEvents = pgTable(
  'collected_events',
  {
    id: text('id').primaryKey(),
    /** The sender's id for the event; a second event with the same one is a duplicate. */
    messageId: text('message_id').notNull(),
    type: text('type', { enum: ['track', 'identify', 'page', 'screen', 'alias'] }).notNull(),
    event: text('event'),
    name: text('name'),
    anonymousId: text('anonymous_id'),
    userId: text('user_id'),
    previousId: text('previous_id'),
    /** When it happened (the sender's clock, UTC); the timeline is ordered by it. */
    timestamp: timestamp('timestamp', { withTimezone: true, mode: 'date' }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    context: jsonb('context'),
    properties: jsonb('properties'),
    traits: jsonb('traits'),
    /** The API key that sent it. */
    sourceId: text('source_id'),
  },
  (t) => [
    uniqueIndex('collected_events_message').on(t.messageId),
    index('collected_events_user').on(t.userId, t.timestamp),
    index('collected_events_anonymous').on(t.anonymousId, t.timestamp),
  ],
);
