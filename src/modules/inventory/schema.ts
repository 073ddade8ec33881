// Stock: locations, the level per variant and location, the immutable movement ledger, and
// reservations. Every change of a level is a ledger row written in the same transaction.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const stockLocations = pgTable('stock_locations', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  type: text('type', { enum: ['warehouse', 'store', 'supplier'] }).notNull(),
  address: jsonb('address'),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  /** e.g. { "mon": [["09:00","18:00"]], … } in the location's local time. */
  openingHours: jsonb('opening_hours'),
  timeZone: text('time_zone').notNull().default('Europe/Amsterdam'),
  pickup: boolean('pickup').notNull().default(false),
  shipFromStore: boolean('ship_from_store').notNull().default(false),
  dailyCapacity: integer('daily_capacity'),
  /** Low-stock alert threshold for this location's levels that have none of their own; null: the global default. */
  lowStockThreshold: integer('low_stock_threshold'),
  status: text('status', { enum: ['active', 'closed'] }).notNull().default('active'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

export const stockLevels = pgTable(
  'stock_levels',
  {
    variantId: text('variant_id').notNull(),
    locationId: text('location_id')
      .notNull()
      .references(() => stockLocations.id),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    safetyStock: integer('safety_stock').notNull().default(0),
    incoming: integer('incoming').notNull().default(0),
    /** ATP at or below this (and above 0) is low stock; null: the location's, else the global default. */
    lowStockThreshold: integer('low_stock_threshold'),
    /** Counts changes to the level's settings (safety stock, low-stock threshold), not stock movements: the ETag for If-Match. */
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.variantId, t.locationId] }),
    check('stock_low_threshold_not_negative', sql`${t.lowStockThreshold} is null or ${t.lowStockThreshold} >= 0`),
    index('stock_levels_location').on(t.locationId, t.variantId),
    // The database itself refuses an oversold level, whatever the code does.
    check('stock_reserved_within_on_hand', sql`${t.reserved} >= 0 and ${t.reserved} <= ${t.onHand}`),
    check('stock_on_hand_not_negative', sql`${t.onHand} >= 0`),
    check('stock_safety_not_negative', sql`${t.safetyStock} >= 0`),
  ],
);

/**
 * Inventory-wide settings, one row ('default'). The low-stock default is written from the
 * configuration (LOW_STOCK_THRESHOLD) when the server starts, so that the SQL that raises stock
 * alerts in the same statement as a reservation can read it.
 */
export const inventorySettings = pgTable('inventory_settings', {
  id: text('id').primaryKey(),
  lowStockThreshold: integer('low_stock_threshold').notNull().default(3),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const stockMovements = pgTable(
  'stock_movements',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    variantId: text('variant_id').notNull(),
    locationId: text('location_id').notNull(),
    type: text('type', {
      enum: ['receipt', 'sale', 'return', 'adjustment', 'transfer_out', 'transfer_in', 'count_correction', 'damage', 'reservation', 'release'],
    }).notNull(),
    onHandDelta: integer('on_hand_delta').notNull().default(0),
    reservedDelta: integer('reserved_delta').notNull().default(0),
    reason: text('reason'),
    reference: text('reference'),
    actor: jsonb('actor'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('stock_movements_level').on(t.variantId, t.locationId, t.seq), index('stock_movements_reference').on(t.reference)],
);

export const reservations = pgTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    variantId: text('variant_id').notNull(),
    locationId: text('location_id').notNull(),
    quantity: integer('quantity').notNull(),
    status: text('status', { enum: ['active', 'released', 'converted', 'expired'] }).notNull().default('active'),
    /** What holds it: a cart or order line. */
    reference: text('reference'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('reservations_expiry').on(t.expiresAt).where(sql`${t.status} = 'active'`),
    index('reservations_reference').on(t.reference),
    check('reservation_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

export const transfers = pgTable('transfers', {
  id: text('id').primaryKey(),
  fromLocationId: text('from_location_id').notNull(),
  toLocationId: text('to_location_id').notNull(),
  status: text('status', { enum: ['requested', 'shipped', 'received', 'cancelled'] }).notNull().default('requested'),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  shippedAt: timestamp('shipped_at', { withTimezone: true, mode: 'date' }),
  receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
  version: integer('version').notNull().default(1),
});

export const transferLines = pgTable(
  'transfer_lines',
  {
    transferId: text('transfer_id')
      .notNull()
      .references(() => transfers.id),
    variantId: text('variant_id').notNull(),
    quantity: integer('quantity').notNull(),
    shipped: integer('shipped'),
    received: integer('received'),
    differenceReason: text('difference_reason'),
  },
  (t) => [primaryKey({ columns: [t.transferId, t.variantId] }), check('transfer_quantity_positive', sql`${t.quantity} > 0`)],
);

export const countSheets = pgTable('count_sheets', {
  id: text('id').primaryKey(),
  locationId: text('location_id').notNull(),
  zone: text('zone'),
  status: text('status', { enum: ['open', 'submitted', 'approved', 'rejected'] }).notNull().default('open'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
  decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  decidedBy: text('decided_by'),
  version: integer('version').notNull().default(1),
});

export const countLines = pgTable(
  'count_lines',
  {
    sheetId: text('sheet_id')
      .notNull()
      .references(() => countSheets.id),
    variantId: text('variant_id').notNull(),
    /** On hand when the sheet was made; the correction is counted − expected, so sales during the count stay counted. */
    expected: integer('expected').notNull(),
    counted: integer('counted'),
  },
  (t) => [primaryKey({ columns: [t.sheetId, t.variantId] })],
);

export const suppliers = pgTable('suppliers', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  email: text('email'),
  /** Default lead time when an item has none of its own. */
  leadTimeDays: integer('lead_time_days').notNull().default(14),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

export const supplierItems = pgTable(
  'supplier_items',
  {
    supplierId: text('supplier_id')
      .notNull()
      .references(() => suppliers.id),
    variantId: text('variant_id').notNull(),
    supplierSku: text('supplier_sku'),
    leadTimeDays: integer('lead_time_days'),
    packSize: integer('pack_size').notNull().default(1),
    minimumOrder: integer('minimum_order').notNull().default(0),
    /** Purchase cost per piece in cents, excluding VAT. */
    cost: integer('cost'),
    preferred: boolean('preferred').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.supplierId, t.variantId] }), index('supplier_items_variant').on(t.variantId), check('supplier_pack_positive', sql`${t.packSize} >= 1`)],
);

export const purchaseOrders = pgTable('purchase_orders', {
  id: text('id').primaryKey(),
  supplierId: text('supplier_id')
    .notNull()
    .references(() => suppliers.id),
  locationId: text('location_id').notNull(),
  status: text('status', { enum: ['draft', 'sent', 'partially_received', 'received', 'cancelled'] }).notNull().default('draft'),
  note: text('note'),
  expectedAt: timestamp('expected_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
  closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  version: integer('version').notNull().default(1),
});

export const purchaseOrderLines = pgTable(
  'purchase_order_lines',
  {
    purchaseOrderId: text('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    variantId: text('variant_id').notNull(),
    quantity: integer('quantity').notNull(),
    received: integer('received').notNull().default(0),
    cost: integer('cost'),
  },
  (t) => [primaryKey({ columns: [t.purchaseOrderId, t.variantId] }), check('po_quantity_positive', sql`${t.quantity} > 0`), check('po_received_range', sql`${t.received} >= 0`)],
);

export const backInStockSubscriptions = pgTable(
  'back_in_stock_subscriptions',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    customerId: text('customer_id'),
    variantId: text('variant_id').notNull(),
    /** A store the shopper wants it at; null: anywhere it can be ordered (online). */
    locationId: text('location_id'),
    locale: text('locale').notNull().default('nl'),
    status: text('status', { enum: ['active', 'notified', 'cancelled'] }).notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    notifiedAt: timestamp('notified_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('back_in_stock_waiting').on(t.variantId).where(sql`${t.status} = 'active'`)],
);
