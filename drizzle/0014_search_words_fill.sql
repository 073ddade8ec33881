-- Keep the search dictionary (search_words) filled from product titles. Each row's new words go in
-- sorted order inside a subtransaction: two writers adding the same new words in different orders
-- could deadlock, and a word lost that way costs only typo tolerance for it until the product is
-- saved again, never the product write itself.
CREATE FUNCTION catalog_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_text, '[^[:alnum:]]+') AS w
    WHERE length(w) BETWEEN 3 AND 40 AND NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = w)
    ORDER BY w
    ON CONFLICT DO NOTHING;
  EXCEPTION WHEN deadlock_detected OR lock_not_available THEN
    NULL;
  END;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER products_search_words AFTER INSERT OR UPDATE OF title_en, title_nl ON products
  FOR EACH ROW EXECUTE FUNCTION catalog_search_words();
--> statement-breakpoint
INSERT INTO search_words (word)
SELECT DISTINCT w FROM products, regexp_split_to_table(search_text, '[^[:alnum:]]+') AS w
WHERE length(w) BETWEEN 3 AND 40
ON CONFLICT DO NOTHING;
