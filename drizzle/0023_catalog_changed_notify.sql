-- Every process keeps recent product-list answers in memory (src/modules/catalog/answer-cache.ts).
-- A statement that changes what those answers are made of tells every process at once, after it
-- commits, so that none serves an answer from before the change. Catalog writes are rare and never
-- on a shopper's hot path, so one NOTIFY per statement costs nothing there.
CREATE OR REPLACE FUNCTION winkel_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('winkel_catalog', TG_TABLE_NAME);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER categories_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
--> statement-breakpoint
CREATE TRIGGER attribute_definitions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON attribute_definitions FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
--> statement-breakpoint
CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
--> statement-breakpoint
CREATE TRIGGER variants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON variants FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
--> statement-breakpoint
CREATE TRIGGER assortment_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assortment FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
--> statement-breakpoint
CREATE TRIGGER price_lists_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON price_lists FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
--> statement-breakpoint
CREATE TRIGGER prices_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON prices FOR EACH STATEMENT EXECUTE FUNCTION winkel_catalog_changed();
