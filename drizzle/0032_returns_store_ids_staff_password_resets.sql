CREATE TABLE "staff_password_resets" (
	"id" text PRIMARY KEY NOT NULL,
	"staff_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "staff_password_resets_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "store_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "staff_password_resets" ADD CONSTRAINT "staff_password_resets_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_password_resets_staff" ON "staff_password_resets" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "returns_store_ids" ON "returns" USING gin ("store_ids");--> statement-breakpoint
-- Hand-written: returns remember the stores they belong to (their order's stores and the receiving
-- one), so staff scoped to stores see only theirs. Existing returns are filled from their orders.
UPDATE "returns" r SET "store_ids" = coalesce((
  SELECT array_agg(DISTINCT x ORDER BY x) FROM (
    SELECT o."store_id" AS x FROM "orders" o WHERE o."id" = r."order_id"
    UNION SELECT l."location_id" FROM "order_lines" l WHERE l."order_id" = r."order_id"
    UNION SELECT r."location_id"
  ) s WHERE x IS NOT NULL
), '{}'::text[]);
