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
ALTER TABLE "payments" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
-- Hand-written: the test card gateway kept no books before this migration. Its open authorisations
-- get them now (what the ledger says was captured, voided and refunded of each), with a fresh 7-day
-- lifetime, so orders placed before the upgrade can still be captured when their goods leave.
INSERT INTO "test_gateway_authorisations" ("reference", "currency", "amount", "captured", "voided", "refunded", "renewable", "expires_at")
SELECT a."provider_reference", a."currency", a."amount",
       least(a."amount", coalesce(sum(c."amount") FILTER (WHERE c."kind" = 'capture'), 0)),
       least(a."amount" - least(a."amount", coalesce(sum(c."amount") FILTER (WHERE c."kind" = 'capture'), 0)), coalesce(sum(c."amount") FILTER (WHERE c."kind" = 'void'), 0)),
       least(least(a."amount", coalesce(sum(c."amount") FILTER (WHERE c."kind" = 'capture'), 0)), coalesce(sum(c."amount") FILTER (WHERE c."kind" = 'refund'), 0)),
       true, now() + interval '7 days'
FROM "payments" a
LEFT JOIN "payments" c ON c."parent_id" = a."id" AND c."status" = 'succeeded' AND c."provider" = 'test_card'
WHERE a."provider" = 'test_card' AND a."kind" = 'authorisation' AND a."status" IN ('succeeded', 'pending') AND a."provider_reference" IS NOT NULL
GROUP BY a."id", a."provider_reference", a."currency", a."amount"
ON CONFLICT ("reference") DO NOTHING;
