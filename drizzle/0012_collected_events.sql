CREATE TABLE "collected_events" (
	"id" text PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"name" text,
	"anonymous_id" text,
	"user_id" text,
	"previous_id" text,
	"timestamp" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"context" jsonb,
	"properties" jsonb,
	"traits" jsonb,
	"source_id" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "collected_events_message" ON "collected_events" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "collected_events_user" ON "collected_events" USING btree ("user_id","timestamp");--> statement-breakpoint
CREATE INDEX "collected_events_anonymous" ON "collected_events" USING btree ("anonymous_id","timestamp");