// Carts, orders and the payment ledger.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const carts = pgTable(
  'carts',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: ['web', 'app', 'pos', 'kiosk', 'scan_go'] }).notNull(),
    storeId: text('store_id'),
    customerId: text('customer_id'),
    email: text('email'),
    currency: text('currency').notNull().default('EUR'),
    country: text('country', { enum: ['NL', 'BE'] }).notNull().default('NL'),
    couponCodes: text('coupon_codes').array().notNull().default(sql`'{}'::text[]`),
    /**
     * A guest cart's secret (SHA-256 of the `wcs_…` token returned once when it was made): every later
     * call on the cart must send the token. Null for carts of a customer or of a store, and once a
     * signed-in customer claimed the cart.
     */
    secretHash: text('secret_hash'),
    status: text('status', { enum: ['open', 'checking_out', 'checked_out'] }).notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('carts_customer').on(t.customerId)],
);

export const cartLines = pgTable(
  'cart_lines',
  {
    id: text('id').primaryKey(),
    cartId: text('cart_id')
      .notNull()
      .references(() => carts.id),
    variantId: text('variant_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    /** delivery (home) or pickup at a store. */
    fulfilment: text('fulfilment', { enum: ['delivery', 'pickup'] }).notNull().default('delivery'),
    pickupLocationId: text('pickup_location_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('cart_lines_cart').on(t.cartId), check('cart_line_quantity', sql`${t.quantity} > 0`)],
);

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    /** One order per cart: the database refuses a second, whatever races. */
    cartId: text('cart_id').notNull(),
    channel: text('channel').notNull(),
    storeId: text('store_id'),
    customerId: text('customer_id'),
    email: text('email'),
    currency: text('currency').notNull(),
    country: text('country').notNull(),
    status: text('status', { enum: ['placed', 'cancelled', 'completed'] }).notNull().default('placed'),
    subtotal: bigint('subtotal', { mode: 'number' }).notNull(),
    discountTotal: bigint('discount_total', { mode: 'number' }).notNull(),
    shippingTotal: bigint('shipping_total', { mode: 'number' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    vat: jsonb('vat').notNull(),
    promotions: jsonb('promotions').notNull(),
    /** Where home delivery goes (src/modules/commerce/address.ts); null for pickup and in-store orders. Erased on request. */
    shippingAddress: jsonb('shipping_address'),
    /** The customer's note given at checkout ("ring the neighbour's bell"), trimmed; null when none. */
    note: text('note'),
    /** Derived from the payment ledger in the same transaction as each capture and refund row. */
    capturedTotal: bigint('captured_total', { mode: 'number' }).notNull().default(0),
    refundedTotal: bigint('refunded_total', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [check('order_refunded_within_captured', sql`${t.refundedTotal} >= 0 and ${t.refundedTotal} <= ${t.capturedTotal}`), uniqueIndex('orders_cart').on(t.cartId), index('orders_customer').on(t.customerId, t.id)],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    variantId: text('variant_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
    adjustments: jsonb('adjustments').notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    taxClass: text('tax_class').notNull(),
    fulfilment: text('fulfilment').notNull(),
    locationId: text('location_id').notNull(),
    reservationId: text('reservation_id'),
    status: text('status', { enum: ['reserved', 'fulfilled', 'cancelled'] }).notNull().default('reserved'),
  },
  (t) => [index('order_lines_order').on(t.orderId)],
);

/**
 * Notes staff add to an order later (a phone call, a promise made at the counter). Append-only: a
 * note is never changed or removed, so the order's history stays as it was written. `internal`
 * notes are for staff; `customer` notes are shown to the customer on their order too.
 */
export const orderNotes = pgTable(
  'order_notes',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    body: text('body').notNull(),
    visibility: text('visibility', { enum: ['internal', 'customer'] }).notNull().default('internal'),
    /** Who wrote it: the staff user or API key of the request (type, id, label). */
    authorType: text('author_type').notNull(),
    authorId: text('author_id'),
    authorLabel: text('author_label'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('order_notes_order').on(t.orderId, t.id), check('order_note_body_not_empty', sql`length(btrim(${t.body})) > 0`)],
);
