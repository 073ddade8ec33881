CREATE TABLE "assortment" (
	"product_id" text NOT NULL,
	"channel" text NOT NULL,
	"store_id" text
);
--> statement-breakpoint
CREATE TABLE "attribute_definitions" (
	"code" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"label_nl" text,
	"label_en" text,
	"options" text[],
	"filterable" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"id" text PRIMARY KEY NOT NULL,
	"parent_id" text,
	"slug" text NOT NULL,
	"name_nl" text,
	"name_en" text,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "categories_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"handle" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"kind" text DEFAULT 'physical' NOT NULL,
	"title_nl" text,
	"title_en" text,
	"description_nl" text,
	"description_en" text,
	"category_id" text,
	"tax_class" text DEFAULT 'standard' NOT NULL,
	"brand" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"media" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"external_ref" text,
	"search_extra" text,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title_en, '')), 'A')
  || setweight(to_tsvector('dutch', coalesce(title_nl, '')), 'A')
  || setweight(to_tsvector('simple', coalesce(search_extra, '')), 'B')
  || setweight(to_tsvector('english', coalesce(description_en, '')), 'C')
  || setweight(to_tsvector('dutch', coalesce(description_nl, '')), 'C')) STORED,
	"search_text" text GENERATED ALWAYS AS (lower(coalesce(title_en, '') || ' ' || coalesce(title_nl, ''))) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "products_handle_unique" UNIQUE("handle"),
	CONSTRAINT "products_external_ref_unique" UNIQUE("external_ref")
);
--> statement-breakpoint
CREATE TABLE "variants" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"sku" text NOT NULL,
	"gtin" text,
	"gtin_key" text,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "variants_sku_unique" UNIQUE("sku"),
	CONSTRAINT "variants_gtin_key_unique" UNIQUE("gtin_key")
);
--> statement-breakpoint
ALTER TABLE "assortment" ADD CONSTRAINT "assortment_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "variants" ADD CONSTRAINT "variants_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assortment_unique" ON "assortment" USING btree ("product_id","channel",coalesce("store_id", ''));--> statement-breakpoint
CREATE INDEX "assortment_channel" ON "assortment" USING btree ("channel","store_id");--> statement-breakpoint
CREATE INDEX "categories_parent" ON "categories" USING btree ("parent_id","position");--> statement-breakpoint
CREATE INDEX "products_search" ON "products" USING gin ("search");--> statement-breakpoint
CREATE INDEX "products_search_trgm" ON "products" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "products_category" ON "products" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "products_status" ON "products" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "variants_product" ON "variants" USING btree ("product_id","position");