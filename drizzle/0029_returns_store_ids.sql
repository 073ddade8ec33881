-- Returns remember the stores they belong to (their order's stores and the receiving one), so staff scoped to stores see only theirs. Existing returns are filled from their orders (hand-written backfill).
ALTER TABLE "returns" ADD COLUMN "store_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "returns_store_ids" ON "returns" USING gin ("store_ids");--> statement-breakpoint
UPDATE "returns" r SET "store_ids" = coalesce((
  SELECT array_agg(DISTINCT x ORDER BY x) FROM (
    SELECT o."store_id" AS x FROM "orders" o WHERE o."id" = r."order_id"
    UNION SELECT l."location_id" FROM "order_lines" l WHERE l."order_id" = r."order_id"
    UNION SELECT r."location_id"
  ) s WHERE x IS NOT NULL
), '{}'::text[]);
