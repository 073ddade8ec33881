CREATE TABLE "flow_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"flow" text NOT NULL,
	"key" text NOT NULL,
	"status" text NOT NULL,
	"input" jsonb,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pivot_at" timestamp with time zone,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"wake_at" timestamp with time zone,
	"wait_event_type" text,
	"wait_aggregate_id" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_error" jsonb,
	"output" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "flow_runs_one_open" ON "flow_runs" USING btree ("flow","key") WHERE status in ('running', 'waiting', 'compensating');--> statement-breakpoint
CREATE INDEX "flow_runs_lease" ON "flow_runs" USING btree ("lease_until") WHERE status in ('running', 'compensating');--> statement-breakpoint
CREATE INDEX "flow_runs_wake" ON "flow_runs" USING btree ("wake_at") WHERE status = 'waiting';--> statement-breakpoint
CREATE INDEX "flow_runs_event" ON "flow_runs" USING btree ("wait_event_type","wait_aggregate_id") WHERE status = 'waiting';--> statement-breakpoint
CREATE INDEX "flow_runs_ended" ON "flow_runs" USING btree ("ended_at");