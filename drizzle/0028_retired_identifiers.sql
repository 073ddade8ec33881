CREATE TABLE "retired_identifiers" (
	"key" text PRIMARY KEY NOT NULL,
	"erasure_id" text NOT NULL,
	"retired_at" timestamp with time zone DEFAULT now() NOT NULL
);
