// What the web storefront needs to start without a staff sign-in: the publishable key it uses.
// A publishable key opens storefront routes only and is meant to be shipped to browsers, so unlike
// every other credential its token is kept here in plain text, to be handed to any visitor.
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const storefrontSettings = pgTable('storefront_settings', {
  /** One row per storefront; the built-in web shop is `web`. */
  id: text('id').primaryKey(),
  apiKeyId: text('api_key_id').notNull(),
  publishableKey: text('publishable_key').notNull(),
  channel: text('channel').notNull().default('web'),
  country: text('country').notNull().default('NL'),
  currency: text('currency').notNull().default('EUR'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
