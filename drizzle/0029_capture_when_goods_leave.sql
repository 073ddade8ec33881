CREATE TABLE "test_gateway_authorisations" (
	"reference" text PRIMARY KEY NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"captured" bigint DEFAULT 0 NOT NULL,
	"voided" bigint DEFAULT 0 NOT NULL,
	"refunded" bigint DEFAULT 0 NOT NULL,
	"renewable" boolean DEFAULT true NOT NULL,
	"renewed_from" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "test_gateway_within_authorisation" CHECK ("test_gateway_authorisations"."captured" + "test_gateway_authorisations"."voided" <= "test_gateway_authorisations"."amount" and "test_gateway_authorisations"."refunded" <= "test_gateway_authorisations"."captured")
);
--> statement-breakpoint
CREATE TABLE "test_gateway_requests" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"reference" text NOT NULL,
	"amount" bigint NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "expires_at" timestamp with time zone;