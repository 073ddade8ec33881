// Collected customer events (the Segment-spec shape): the raw input of the customer timeline and
// identity resolution.
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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

// ---- identity resolution and profiles ---------------------------------------------------------
// A profile is one person as far as Winkel can tell. Identifiers (`kind:value`, normalised) belong
// to profiles; an identity link is one distinct set of identifiers seen together on an event (the
// evidence that they are the same person). Profiles are recomputed from the links, so the same
// events in any order give the same profiles.

export const profiles = pgTable(
  'profiles',
  {
    id: text('id').primaryKey(),
    status: text('status', { enum: ['active', 'merged'] }).notNull().default('active'),
    /** For a merged profile: the profile it now lives on. */
    mergedInto: text('merged_into'),
    /** Declared traits (from identify calls), latest value per trait. */
    traits: jsonb('traits').notNull().default({}),
    /** Computed traits; null when the person has not given the profiling consent. */
    computed: jsonb('computed'),
    /** Set when the computed traits need recomputing (the computed-traits loop clears it). */
    computedDirtyAt: timestamp('computed_dirty_at', { withTimezone: true, mode: 'date' }),
    eventCount: integer('event_count').notNull().default(0),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('profiles_merged_into').on(t.mergedInto), index('profiles_computed_dirty').on(t.computedDirtyAt)],
);

export const profileIdentifiers = pgTable(
  'profile_identifiers',
  {
    /** `kind:value`, e.g. `email:ann@example.com`. */
    key: text('key').primaryKey(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    /** Null while the identifier belongs to no profile (it never merges and no event rests on it). */
    profileId: text('profile_id'),
    /** The first profile it belonged to; an unmerge gives it back. */
    originProfileId: text('origin_profile_id'),
    /** For anonymous ids: how many different people (account ids or e-mails) were seen with it. */
    userCount: integer('user_count').notNull().default(0),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
    firstSourceId: text('first_source_id').notNull(),
  },
  (t) => [index('profile_identifiers_profile').on(t.profileId), index('profile_identifiers_value').on(t.value)],
);

export const identityLinks = pgTable(
  'identity_links',
  {
    /** Hash of the sorted identifier keys. */
    id: text('id').primaryKey(),
    keys: text('keys').array().notNull(),
    /** The profile that events with exactly these identifiers belong to. */
    profileId: text('profile_id'),
    firstAt: timestamp('first_at', { withTimezone: true, mode: 'date' }).notNull(),
    firstSourceId: text('first_source_id').notNull(),
    /**
     * True once an authenticated source (a customer session naming only its own account, staff, a
     * secret key, a business event) carried these identifiers together; false while they are only
     * claimed (a publishable key, the anonymous SDK). Access to a person's data follows proven links only.
     */
    proven: boolean('proven').notNull().default(false),
  },
  // fastupdate off: the resolver looks links up by many identifiers at once (`keys && …`) right
  // after new ones were added, and a GIN pending list is read in full by every such lookup.
  (t) => [index('identity_links_keys').using('gin', t.keys).with({ fastupdate: false }), index('identity_links_profile').on(t.profileId)],
);

export const anonymousUsers = pgTable(
  'anonymous_users',
  {
    anonymousKey: text('anonymous_key').notNull(),
    userKey: text('user_key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.anonymousKey, t.userKey] })],
);

/** One timeline of everything a person did, online and offline. */
export const timelineEntries = pgTable(
  'timeline_entries',
  {
    id: text('id').primaryKey(),
    profileId: text('profile_id').notNull(),
    linkId: text('link_id').notNull(),
    /** collect (SDK/API events), event (business events from the outbox), social, store_visit. */
    source: text('source').notNull(),
    /** The source's own id (messageId, outbox event id, …): an entry is stored once. */
    sourceId: text('source_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    type: text('type').notNull(),
    name: text('name'),
    /** online, store or service: the filters of the 360° view. */
    channel: text('channel').notNull(),
    /** Sales channel of an order (web, app, pos, …), its store and amount in cents. */
    salesChannel: text('sales_channel'),
    storeId: text('store_id'),
    amount: bigint('amount', { mode: 'number' }),
    currency: text('currency'),
    category: text('category'),
    /** The order the entry is about (its placement, fulfilment, payments, returns), if any. */
    orderId: text('order_id'),
    data: jsonb('data').notNull(),
  },
  (t) => [
    uniqueIndex('timeline_entries_source').on(t.sourceId),
    index('timeline_entries_profile_time').on(t.profileId, t.occurredAt, t.id),
    index('timeline_entries_link').on(t.linkId),
  ],
);

/**
 * The orders the customers module has seen placed by someone it can identify, and the identity link
 * that event rested on: every later event naming the order (its fulfilment, payments, pickup,
 * returns), whatever identifiers it carries itself, joins the timeline of the same person. A read
 * model built from the events the module consumes (it reads no commerce table). Holds no personal
 * data itself: the link is a hash of the identifiers, which live in identity_links.
 */
export const orderLinks = pgTable(
  'order_links',
  {
    orderId: text('order_id').primaryKey(),
    /** identity_links.id of the first event about the order that said whom it was for. */
    linkId: text('link_id').notNull(),
    /** The order's sales channel (web, app, pos, kiosk, scan_go) and store: the channel of its later events. */
    salesChannel: text('sales_channel'),
    storeId: text('store_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('order_links_link').on(t.linkId)],
);

/** Every merge (and automatic split), with why; merges can be undone. */
export const profileMerges = pgTable(
  'profile_merges',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['merge', 'split'] }).notNull(),
    survivorId: text('survivor_id').notNull(),
    mergedId: text('merged_id').notNull(),
    /** The identifier that joined them and the event that carried it. */
    identifierKey: text('identifier_key'),
    sourceId: text('source_id'),
    reason: text('reason').notNull(),
    survivorKeys: text('survivor_keys').array().notNull(),
    mergedKeys: text('merged_keys').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    undoneAt: timestamp('undone_at', { withTimezone: true, mode: 'date' }),
    undoneBy: jsonb('undone_by'),
  },
  (t) => [index('profile_merges_survivor').on(t.survivorId), index('profile_merges_merged').on(t.mergedId)],
);

/** Made by an unmerge: identifiers on side A may never again share a profile with those on side B. */
export const profileSeparations = pgTable(
  'profile_separations',
  {
    id: text('id').primaryKey(),
    mergeId: text('merge_id').notNull(),
    sideA: text('side_a').array().notNull(),
    sideB: text('side_b').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('profile_separations_a').using('gin', t.sideA), index('profile_separations_b').using('gin', t.sideB)],
);

/** The identity rules (one row), edited through GET/PUT /v1/identity-rules. */
export const identityRules = pgTable('identity_rules', {
  id: integer('id').primaryKey(),
  rules: jsonb('rules').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Identifiers that may never enter the identity graph again: the account ids of erased customers.
 * An event naming one that was under way when the erasure ran (read by a subscriber or an ingestion
 * batch before the erasure, applied after it) is dropped instead of bringing the person back.
 * Account ids are never reused, so this refuses no one else. Holds no e-mail, phone, name or id.
 */
export const retiredIdentifiers = pgTable('retired_identifiers', {
  /** SHA-256 (hex) of the `kind:value` key as in profile_identifiers, e.g. of `customer_id:cus_…`: the table names no one itself. */
  key: text('key').primaryKey(),
  /** The erasure that retired it (privacy_erasures.id). */
  erasureId: text('erasure_id').notNull(),
  retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
