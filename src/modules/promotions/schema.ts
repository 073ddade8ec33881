// Promotions as stored: the definition (rules the engine evaluates), coupon codes, and the
// redemption ledger that usage limits and budgets are counted from.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const promotions = pgTable(
  'promotions',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    status: text('status', { enum: ['draft', 'active', 'archived'] }).notNull().default('draft'),
    /** The engine's definition (targets, rule, scope, limits), validated on write. */
    definition: jsonb('definition').notNull(),
    priority: integer('priority').notNull().default(0),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }),
    totalLimit: integer('total_limit'),
    perCustomerLimit: integer('per_customer_limit'),
    /** Cents of discount this promotion may give in all; null for no cap. */
    budget: bigint('budget', { mode: 'number' }),
    redemptions: integer('redemptions').notNull().default(0),
    spent: bigint('spent', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('promotions_status').on(t.status),
    check('promotion_total_limit', sql`${t.totalLimit} is null or ${t.redemptions} <= ${t.totalLimit}`),
    check('promotion_budget', sql`${t.budget} is null or ${t.spent} <= ${t.budget}`),
  ],
);

export const coupons = pgTable(
  'coupons',
  {
    /** Stored upper-case; shoppers may type it in any case. */
    code: text('code').primaryKey(),
    promotionId: text('promotion_id')
      .notNull()
      .references(() => promotions.id),
    batchId: text('batch_id'),
    /** 1 for single-use codes, null for unlimited. */
    maxUses: integer('max_uses'),
    used: integer('used').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('coupons_promotion').on(t.promotionId), check('coupon_uses', sql`${t.maxUses} is null or ${t.used} <= ${t.maxUses}`)],
);

export const redemptions = pgTable(
  'promotion_redemptions',
  {
    id: text('id').primaryKey(),
    promotionId: text('promotion_id').notNull(),
    couponCode: text('coupon_code'),
    customerId: text('customer_id'),
    /** The order (or other reference) that used it; a reversal points at the same reference. */
    reference: text('reference').notNull(),
    /** Cents of discount given; negative on a reversal. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    kind: text('kind', { enum: ['redeem', 'reverse'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('redemptions_customer').on(t.promotionId, t.customerId), index('redemptions_reference').on(t.reference)],
);
