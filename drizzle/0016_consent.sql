CREATE TABLE "consent_link_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consent_records" (
	"id" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"granted" boolean NOT NULL,
	"source" text NOT NULL,
	"customer_id" text,
	"email" text,
	"anonymous_id" text,
	"profile_id" text,
	"reason" text,
	"actor" jsonb,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "consent_records_customer" ON "consent_records" USING btree ("customer_id","purpose","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_records_email" ON "consent_records" USING btree ("email","purpose","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_records_anonymous" ON "consent_records" USING btree ("anonymous_id","purpose","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_records_profile" ON "consent_records" USING btree ("profile_id","purpose","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_records_recorded" ON "consent_records" USING btree ("recorded_at");