CREATE TABLE "fulfilment_lines" (
	"fulfilment_id" text NOT NULL,
	"order_line_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"sku" text NOT NULL,
	"quantity" integer NOT NULL,
	"reservation_id" text,
	CONSTRAINT "fulfilment_lines_fulfilment_id_order_line_id_pk" PRIMARY KEY("fulfilment_id","order_line_id"),
	CONSTRAINT "fulfilment_line_quantity" CHECK ("fulfilment_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "fulfilments" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"customer_id" text,
	"email" text,
	"locale" text DEFAULT 'nl' NOT NULL,
	"location_id" text NOT NULL,
	"method" text NOT NULL,
	"pickup_location_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"carrier" text,
	"tracking_number" text,
	"tracking_url" text,
	"pickup_code" text,
	"qr_token" text,
	"pickup_deadline" timestamp with time zone,
	"cancel_reason" text,
	"sourcing" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"picked_at" timestamp with time zone,
	"packed_at" timestamp with time zone,
	"shipped_at" timestamp with time zone,
	"ready_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fulfilment_lines" ADD CONSTRAINT "fulfilment_lines_fulfilment_id_fulfilments_id_fk" FOREIGN KEY ("fulfilment_id") REFERENCES "public"."fulfilments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fulfilment_lines_order_line" ON "fulfilment_lines" USING btree ("order_line_id");--> statement-breakpoint
CREATE INDEX "fulfilments_order" ON "fulfilments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "fulfilments_location" ON "fulfilments" USING btree ("location_id","status","id");--> statement-breakpoint
CREATE INDEX "fulfilments_pickup_location" ON "fulfilments" USING btree ("pickup_location_id","status","id");--> statement-breakpoint
CREATE INDEX "fulfilments_location_day" ON "fulfilments" USING btree ("location_id","created_at");--> statement-breakpoint
CREATE INDEX "fulfilments_pickup_deadline" ON "fulfilments" USING btree ("pickup_deadline") WHERE "fulfilments"."status" = 'ready';--> statement-breakpoint
CREATE UNIQUE INDEX "fulfilments_qr_token" ON "fulfilments" USING btree ("qr_token");