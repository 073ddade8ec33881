CREATE TABLE "privacy_erasures" (
	"id" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"actor" jsonb NOT NULL,
	"summary" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "privacy_erasures_created" ON "privacy_erasures" USING btree ("created_at");