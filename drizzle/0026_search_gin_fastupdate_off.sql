-- Every search reads the product search index and the catalog word index; a GIN pending list (left by an import or a burst of edits until autovacuum flushes it) is read in full by each such read, which made a search several times slower right after an import. Writes now go straight into the index instead. Changed in place (no rebuild), then the existing pending lists are flushed.
ALTER INDEX "products_search" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('products_search');--> statement-breakpoint
ALTER INDEX "search_words_trgm" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('search_words_trgm');
