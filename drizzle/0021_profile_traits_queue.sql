ALTER TABLE "profiles" ADD COLUMN "computed_dirty_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "profiles_computed_dirty" ON "profiles" USING btree ("computed_dirty_at");