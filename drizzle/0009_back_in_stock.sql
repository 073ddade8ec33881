CREATE TABLE "back_in_stock_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"customer_id" text,
	"variant_id" text NOT NULL,
	"location_id" text,
	"locale" text DEFAULT 'nl' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"notified_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "back_in_stock_waiting" ON "back_in_stock_subscriptions" USING btree ("variant_id") WHERE "back_in_stock_subscriptions"."status" = 'active';