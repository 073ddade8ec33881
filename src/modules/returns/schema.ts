// Returns: one row per return (authorised online or made at a store), its lines with reason and
// inspection outcome, and what was refunded how.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const returns = pgTable(
  'returns',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    customerId: text('customer_id'),
    /** The channel the order was bought in (any channel can be returned anywhere). */
    orderChannel: text('order_channel').notNull(),
    method: text('method', { enum: ['in_store', 'mail'] }).notNull(),
    /** Where the goods came back (and their stock went); null until received. */
    locationId: text('location_id'),
    /**
     * The stores the return belongs to, for staff scoped to stores: those of its order (sold there
     * or a line from there, when the return was made) and the one that received it.
     */
    storeIds: text('store_ids').array().notNull().default(sql`'{}'::text[]`),
    status: text('status', { enum: ['requested', 'received', 'refunded', 'cancelled'] }).notNull().default('requested'),
    refundMethod: text('refund_method', { enum: ['original', 'store_credit'] }).notNull().default('original'),
    /** The refund as computed at receipt, its split over tenders, and the exchange lines if any. */
    refundTotal: bigint('refund_total', { mode: 'number' }),
    refund: jsonb('refund'),
    exchange: jsonb('exchange'),
    note: text('note'),
    createdBy: jsonb('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('returns_order').on(t.orderId), index('returns_location').on(t.locationId, t.id), index('returns_customer').on(t.customerId), index('returns_store_ids').using('gin', t.storeIds)],
);

export const returnLines = pgTable(
  'return_lines',
  {
    id: text('id').primaryKey(),
    returnId: text('return_id')
      .notNull()
      .references(() => returns.id),
    orderLineId: text('order_line_id').notNull(),
    variantId: text('variant_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    reason: text('reason', { enum: ['changed_mind', 'wrong_size', 'defective', 'not_as_described', 'arrived_late', 'wrong_item', 'other'] }).notNull(),
    outcome: text('outcome', { enum: ['restock', 'damaged', 'quarantine'] }),
    note: text('note'),
  },
  (t) => [index('return_lines_return').on(t.returnId), index('return_lines_order_line').on(t.orderLineId), check('return_line_quantity', sql`${t.quantity} > 0`)],
);
