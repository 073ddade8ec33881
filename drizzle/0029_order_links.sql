CREATE TABLE "order_links" (
	"order_id" text PRIMARY KEY NOT NULL,
	"link_id" text NOT NULL,
	"sales_channel" text,
	"store_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "timeline_entries" ADD COLUMN "order_id" text;--> statement-breakpoint
CREATE INDEX "order_links_link" ON "order_links" USING btree ("link_id");--> statement-breakpoint
-- Hand-written from here on: what is already on timelines gets the same shape as new entries.
-- The order each business-event entry is about: its aggregate when that is an order, else
-- data.orderId, data.order.id, or orderId on one of the data's child objects (as ordersNamedBy).
UPDATE "timeline_entries" t SET "order_id" = coalesce(
	CASE WHEN t."data"->'aggregate'->>'type' = 'order' THEN t."data"->'aggregate'->>'id' END,
	t."data"->>'orderId',
	t."data"->'order'->>'id',
	(SELECT e.v->>'orderId' FROM jsonb_each(t."data") AS e(k, v) WHERE jsonb_typeof(e.v) = 'object' AND e.v ? 'orderId' ORDER BY e.k LIMIT 1))
WHERE t."source" = 'event' AND jsonb_typeof(t."data") = 'object';--> statement-breakpoint
-- Money given back is an amount on the entry (it counts against the order's revenue).
UPDATE "timeline_entries" SET "amount" = ("data"->>'amount')::numeric::bigint, "currency" = "data"->>'currency'
WHERE "type" IN ('refund.issued', 'payment.voided') AND jsonb_typeof("data"->'amount') = 'number';--> statement-breakpoint
-- Orders placed by someone known so far: their later events follow the same link.
INSERT INTO "order_links" ("order_id", "link_id", "sales_channel", "store_id")
SELECT DISTINCT ON ("order_id") "order_id", "link_id", "sales_channel", "store_id" FROM "timeline_entries"
WHERE "type" = 'order.placed' AND "order_id" IS NOT NULL ORDER BY "order_id", "occurred_at", "id"
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Later entries of an order take its sales channel, and those of a till, kiosk or scan & go sale its store.
UPDATE "timeline_entries" t SET "sales_channel" = coalesce(t."sales_channel", o."sales_channel"),
	"channel" = CASE WHEN t."channel" = 'online' AND o."sales_channel" IN ('pos', 'kiosk', 'scan_go', 'store', 'in_store') THEN 'store' ELSE t."channel" END,
	"store_id" = CASE WHEN t."channel" = 'online' AND o."sales_channel" IN ('pos', 'kiosk', 'scan_go', 'store', 'in_store') THEN coalesce(t."store_id", o."store_id") ELSE t."store_id" END
FROM "order_links" o WHERE t."order_id" = o."order_id" AND t."type" <> 'order.placed';--> statement-breakpoint
-- A click & collect parcel handed over at the counter happened in that store.
UPDATE "timeline_entries" SET "channel" = 'store', "store_id" = coalesce("store_id", "data"->'fulfilment'->>'pickupLocationId', "data"->'fulfilment'->>'locationId')
WHERE "type" = 'fulfilment.collected' AND "data"->'fulfilment'->>'method' = 'pickup';--> statement-breakpoint
-- Revenue is now net of what was given back: recompute the computed traits of every profile that has them.
UPDATE "profiles" SET "computed_dirty_at" = now() WHERE "computed" IS NOT NULL AND "status" = 'active';
