CREATE TABLE "purchase_order_lines" (
	"purchase_order_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"cost" integer,
	CONSTRAINT "purchase_order_lines_purchase_order_id_variant_id_pk" PRIMARY KEY("purchase_order_id","variant_id"),
	CONSTRAINT "po_quantity_positive" CHECK ("purchase_order_lines"."quantity" > 0),
	CONSTRAINT "po_received_range" CHECK ("purchase_order_lines"."received" >= 0)
);
--> statement-breakpoint
CREATE TABLE "purchase_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"supplier_id" text NOT NULL,
	"location_id" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"note" text,
	"expected_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supplier_items" (
	"supplier_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"supplier_sku" text,
	"lead_time_days" integer,
	"pack_size" integer DEFAULT 1 NOT NULL,
	"minimum_order" integer DEFAULT 0 NOT NULL,
	"cost" integer,
	"preferred" boolean DEFAULT true NOT NULL,
	CONSTRAINT "supplier_items_supplier_id_variant_id_pk" PRIMARY KEY("supplier_id","variant_id"),
	CONSTRAINT "supplier_pack_positive" CHECK ("supplier_items"."pack_size" >= 1)
);
--> statement-breakpoint
CREATE TABLE "suppliers" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"lead_time_days" integer DEFAULT 14 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "suppliers_code_unique" UNIQUE("code")
);
--> statement-breakpoint
ALTER TABLE "purchase_order_lines" ADD CONSTRAINT "purchase_order_lines_purchase_order_id_purchase_orders_id_fk" FOREIGN KEY ("purchase_order_id") REFERENCES "public"."purchase_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_orders" ADD CONSTRAINT "purchase_orders_supplier_id_suppliers_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."suppliers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supplier_items" ADD CONSTRAINT "supplier_items_supplier_id_suppliers_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."suppliers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "supplier_items_variant" ON "supplier_items" USING btree ("variant_id");