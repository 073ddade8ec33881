ALTER TABLE "identity_links" ADD COLUMN "proven" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Hand-written: links first made by a business event were seen by an authenticated source.
UPDATE "identity_links" SET "proven" = true WHERE "first_source_id" LIKE 'event:%';--> statement-breakpoint
-- Hand-written: retired identifiers are kept as the SHA-256 of their key, so the table names no one.
UPDATE "retired_identifiers" SET "key" = encode(sha256(convert_to("key", 'UTF8')), 'hex') WHERE "key" LIKE 'customer_id:%';
