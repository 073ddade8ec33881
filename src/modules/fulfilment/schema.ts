// Fulfilments: the part of an order that leaves one location by one method (home delivery,
// click & collect, ship-to-store), each with its own life cycle.
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const FULFILMENT_METHODS = ['delivery', 'pickup', 'ship_to_store'] as const;
export const FULFILMENT_STATUSES = ['open', 'picked', 'packed', 'shipped', 'ready', 'delivered', 'collected', 'cancelled'] as const;

export const fulfilments = pgTable(
  'fulfilments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    customerId: text('customer_id'),
    /** Where notifications go (the order's e-mail). */
    email: text('email'),
    locale: text('locale').notNull().default('nl'),
    /** Where the goods are picked. */
    locationId: text('location_id').notNull(),
    method: text('method', { enum: FULFILMENT_METHODS }).notNull(),
    /** For pickup and ship-to-store: the store where the customer collects. */
    pickupLocationId: text('pickup_location_id'),
    status: text('status', { enum: FULFILMENT_STATUSES }).notNull().default('open'),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    trackingUrl: text('tracking_url'),
    /** Six digits the customer shows at the counter; set when the parcel is ready. */
    pickupCode: text('pickup_code'),
    /** Random token in the QR image link of the e-mail, so the image can be fetched without signing in. */
    qrToken: text('qr_token'),
    pickupDeadline: timestamp('pickup_deadline', { withTimezone: true, mode: 'date' }),
    cancelReason: text('cancel_reason'),
    /** The sourcing engine's explanation for this fulfilment's location. */
    sourcing: jsonb('sourcing'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    pickedAt: timestamp('picked_at', { withTimezone: true, mode: 'date' }),
    packedAt: timestamp('packed_at', { withTimezone: true, mode: 'date' }),
    shippedAt: timestamp('shipped_at', { withTimezone: true, mode: 'date' }),
    readyAt: timestamp('ready_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('fulfilments_order').on(t.orderId),
    index('fulfilments_location').on(t.locationId, t.status, t.id),
    index('fulfilments_pickup_location').on(t.pickupLocationId, t.status, t.id),
    index('fulfilments_location_day').on(t.locationId, t.createdAt),
    index('fulfilments_pickup_deadline').on(t.pickupDeadline).where(sql`${t.status} = 'ready'`),
    uniqueIndex('fulfilments_qr_token').on(t.qrToken),
  ],
);

export const fulfilmentLines = pgTable(
  'fulfilment_lines',
  {
    fulfilmentId: text('fulfilment_id')
      .notNull()
      .references(() => fulfilments.id),
    orderLineId: text('order_line_id').notNull(),
    variantId: text('variant_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    reservationId: text('reservation_id'),
  },
  (t) => [primaryKey({ columns: [t.fulfilmentId, t.orderLineId] }), index('fulfilment_lines_order_line').on(t.orderLineId), check('fulfilment_line_quantity', sql`${t.quantity} > 0`)],
);
