-- The search query for what a shopper typed, built in the database from the text, the words to leave out and, per typed word, its close catalog words: the statement text is then the same for every search with the same filters, so it is parsed and planned once per connection instead of once per search. The text as typed (stemmed in English and Dutch, and as-is for codes), OR (when any word has close words) every typed word matching on its own or through one of its close words; AND NOT any word to leave out, in any of the three forms.
CREATE FUNCTION catalog_search_query(typed text, without text[], words text[], alternatives text[]) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  q tsquery := websearch_to_tsquery('english', typed) || websearch_to_tsquery('dutch', typed) || websearch_to_tsquery('simple', typed);
  one tsquery;
  every_word tsquery;
BEGIN
  FOR i IN 1..coalesce(cardinality(words), 0) LOOP
    one := websearch_to_tsquery('english', words[i]) || websearch_to_tsquery('dutch', words[i]) || websearch_to_tsquery('simple', words[i]);
    IF coalesce(alternatives[i], '') <> '' THEN
      one := one || to_tsquery('english', alternatives[i]) || to_tsquery('dutch', alternatives[i]);
    END IF;
    every_word := CASE WHEN every_word IS NULL THEN one ELSE every_word && one END;
  END LOOP;
  IF every_word IS NOT NULL THEN
    q := q || every_word;
  END IF;
  FOR i IN 1..coalesce(cardinality(without), 0) LOOP
    q := q && !! (websearch_to_tsquery('english', without[i]) || websearch_to_tsquery('dutch', without[i]) || websearch_to_tsquery('simple', without[i]));
  END LOOP;
  RETURN q;
END $$;
