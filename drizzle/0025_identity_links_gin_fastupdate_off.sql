-- Links are looked up by many identifiers at once (keys && ...) right after new ones were added; a GIN pending list is read in full by every such lookup. Changed in place (no rebuild), then the existing pending list is flushed.
ALTER INDEX "identity_links_keys" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('identity_links_keys');
