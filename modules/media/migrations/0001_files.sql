-- Uploaded images (modules/media), content-addressed: the name is the sha256 of the stored bytes.
-- Bytes live in the database (bytea) so that PGlite and PostgreSQL, and every instance, serve the same files.
create table media.files (
  sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  content_type text not null check (content_type in ('image/webp', 'image/png')),
  data bytea not null,
  width integer not null check (width > 0),
  height integer not null check (height > 0),
  bytes integer not null check (bytes > 0),
  created_at timestamptz not null,
  created_by text                        -- the staff member or service that first uploaded it
);
