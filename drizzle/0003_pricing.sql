CREATE TABLE "price_lists" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"channel" text,
	"store_id" text,
	"customer_group" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prices" (
	"price_list_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"min_quantity" integer DEFAULT 1 NOT NULL,
	"amount" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prices_price_list_id_variant_id_min_quantity_pk" PRIMARY KEY("price_list_id","variant_id","min_quantity"),
	CONSTRAINT "prices_amount_not_negative" CHECK ("prices"."amount" >= 0),
	CONSTRAINT "prices_min_quantity_positive" CHECK ("prices"."min_quantity" >= 1)
);
--> statement-breakpoint
ALTER TABLE "prices" ADD CONSTRAINT "prices_price_list_id_price_lists_id_fk" FOREIGN KEY ("price_list_id") REFERENCES "public"."price_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "price_lists_scope" ON "price_lists" USING btree ("currency","status");--> statement-breakpoint
CREATE INDEX "prices_variant" ON "prices" USING btree ("variant_id");