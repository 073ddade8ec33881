CREATE TABLE "storefront_settings" (
	"id" text PRIMARY KEY NOT NULL,
	"api_key_id" text NOT NULL,
	"publishable_key" text NOT NULL,
	"channel" text DEFAULT 'web' NOT NULL,
	"country" text DEFAULT 'NL' NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
