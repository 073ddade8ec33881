// Price lists and their prices. A list applies to a scope (channel, store, customer group, currency)
// and a validity window; docs/pricing.md gives the resolution order.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const priceLists = pgTable(
  'price_lists',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'draft', 'archived'] }).notNull().default('active'),
    currency: text('currency').notNull().default('EUR'),
    channel: text('channel'),
    storeId: text('store_id'),
    customerGroup: text('customer_group'),
    priority: integer('priority').notNull().default(0),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('price_lists_scope').on(t.currency, t.status)],
);

export const prices = pgTable(
  'prices',
  {
    priceListId: text('price_list_id')
      .notNull()
      .references(() => priceLists.id),
    variantId: text('variant_id').notNull(),
    /** Volume pricing: this amount applies from this quantity up. */
    minQuantity: integer('min_quantity').notNull().default(1),
    /** Minor units (cents), VAT included. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.priceListId, t.variantId, t.minQuantity] }),
    index('prices_variant').on(t.variantId),
    check('prices_amount_not_negative', sql`${t.amount} >= 0`),
    check('prices_min_quantity_positive', sql`${t.minQuantity} >= 1`),
  ],
);
