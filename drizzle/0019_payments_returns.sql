CREATE TABLE "gift_card_ledger" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"gift_card_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_after" bigint NOT NULL,
	"reference" text,
	"actor" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gift_card_ledger_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "gift_cards" (
	"id" text PRIMARY KEY NOT NULL,
	"code_hash" text NOT NULL,
	"last4" text NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"initial_amount" bigint NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"customer_id" text,
	"origin" text DEFAULT 'sold' NOT NULL,
	"reference" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "gift_card_balance_not_negative" CHECK ("gift_cards"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "return_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"return_id" text NOT NULL,
	"order_line_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"sku" text NOT NULL,
	"quantity" integer NOT NULL,
	"reason" text NOT NULL,
	"outcome" text,
	"note" text,
	CONSTRAINT "return_line_quantity" CHECK ("return_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "returns" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"customer_id" text,
	"order_channel" text NOT NULL,
	"method" text NOT NULL,
	"location_id" text,
	"status" text DEFAULT 'requested' NOT NULL,
	"refund_method" text DEFAULT 'original' NOT NULL,
	"refund_total" bigint,
	"refund" jsonb,
	"exchange" jsonb,
	"note" text,
	"created_by" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"received_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "anonymous_users" (
	"anonymous_key" text NOT NULL,
	"user_key" text NOT NULL,
	CONSTRAINT "anonymous_users_anonymous_key_user_key_pk" PRIMARY KEY("anonymous_key","user_key")
);
--> statement-breakpoint
CREATE TABLE "identity_links" (
	"id" text PRIMARY KEY NOT NULL,
	"keys" text[] NOT NULL,
	"profile_id" text,
	"first_at" timestamp with time zone NOT NULL,
	"first_source_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_rules" (
	"id" integer PRIMARY KEY NOT NULL,
	"rules" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_identifiers" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"profile_id" text,
	"origin_profile_id" text,
	"user_count" integer DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"first_source_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_merges" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"survivor_id" text NOT NULL,
	"merged_id" text NOT NULL,
	"identifier_key" text,
	"source_id" text,
	"reason" text NOT NULL,
	"survivor_keys" text[] NOT NULL,
	"merged_keys" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by" jsonb
);
--> statement-breakpoint
CREATE TABLE "profile_separations" (
	"id" text PRIMARY KEY NOT NULL,
	"merge_id" text NOT NULL,
	"side_a" text[] NOT NULL,
	"side_b" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"merged_into" text,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"computed" jsonb,
	"event_count" integer DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timeline_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"profile_id" text NOT NULL,
	"link_id" text NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"name" text,
	"channel" text NOT NULL,
	"sales_channel" text,
	"store_id" text,
	"amount" bigint,
	"currency" text,
	"category" text,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "captured_total" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "refunded_total" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "tender_seq" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "parent_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "card_fingerprint" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "card_last4" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "gift_card_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "reference" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "gift_card_ledger" ADD CONSTRAINT "gift_card_ledger_gift_card_id_gift_cards_id_fk" FOREIGN KEY ("gift_card_id") REFERENCES "public"."gift_cards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_lines" ADD CONSTRAINT "return_lines_return_id_returns_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."returns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gift_card_ledger_card" ON "gift_card_ledger" USING btree ("gift_card_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "gift_cards_code" ON "gift_cards" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "gift_cards_customer" ON "gift_cards" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "return_lines_return" ON "return_lines" USING btree ("return_id");--> statement-breakpoint
CREATE INDEX "return_lines_order_line" ON "return_lines" USING btree ("order_line_id");--> statement-breakpoint
CREATE INDEX "returns_order" ON "returns" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "returns_location" ON "returns" USING btree ("location_id","id");--> statement-breakpoint
CREATE INDEX "returns_customer" ON "returns" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "identity_links_keys" ON "identity_links" USING gin ("keys");--> statement-breakpoint
CREATE INDEX "identity_links_profile" ON "identity_links" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "profile_identifiers_profile" ON "profile_identifiers" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "profile_identifiers_value" ON "profile_identifiers" USING btree ("value");--> statement-breakpoint
CREATE INDEX "profile_merges_survivor" ON "profile_merges" USING btree ("survivor_id");--> statement-breakpoint
CREATE INDEX "profile_merges_merged" ON "profile_merges" USING btree ("merged_id");--> statement-breakpoint
CREATE INDEX "profile_separations_a" ON "profile_separations" USING gin ("side_a");--> statement-breakpoint
CREATE INDEX "profile_separations_b" ON "profile_separations" USING gin ("side_b");--> statement-breakpoint
CREATE INDEX "profiles_merged_into" ON "profiles" USING btree ("merged_into");--> statement-breakpoint
CREATE UNIQUE INDEX "timeline_entries_source" ON "timeline_entries" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "timeline_entries_profile_time" ON "timeline_entries" USING btree ("profile_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "timeline_entries_link" ON "timeline_entries" USING btree ("link_id");--> statement-breakpoint
CREATE INDEX "payments_parent" ON "payments" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "payments_fingerprint" ON "payments" USING btree ("card_fingerprint");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "order_refunded_within_captured" CHECK ("orders"."refunded_total" >= 0 and "orders"."refunded_total" <= "orders"."captured_total");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payment_amount_not_negative" CHECK ("payments"."amount" >= 0);