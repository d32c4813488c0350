-- Extensions every module may rely on; all three ship with PostgreSQL's contrib and with PGlite,
-- and are "trusted" (a database owner may create them without superuser rights).
create extension if not exists pg_trgm;
create extension if not exists btree_gin;
create extension if not exists unaccent;
