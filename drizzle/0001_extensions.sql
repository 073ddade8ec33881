-- Trigram matching for typo-tolerant product search. pg_trgm is a trusted extension (PostgreSQL
-- 13+), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
