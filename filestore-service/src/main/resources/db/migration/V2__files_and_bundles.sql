-- Files, blobs and bundles (V1 holds only the service marker).

-- The draft files of a pipeline; the bytes are a content-addressed blob (digest = sha256 hex).
create table files (
  environment text not null,
  pipeline text not null,
  path text not null,
  size_bytes bigint not null,
  digest text not null,
  content_type text not null,
  modified_by text not null,
  modified_at timestamptz not null,
  primary key (environment, pipeline, path)
);
create index files_digest on files (digest);

-- Which blobs a store holds (each stored once, whatever refers to it); backend = the store's
-- location (backend, directory, bucket, prefix), so a new location never looks populated.
create table blobs (
  backend text not null,
  digest text not null,
  size_bytes bigint not null,
  created_at timestamptz not null default now(),
  primary key (backend, digest)
);

-- The PostgreSQL backend's bytes: one row per chunk of a blob.
create table blob_chunks (
  digest text not null,
  seq int not null,
  data bytea not null,
  primary key (digest, seq)
);

-- Bundles: immutable, content-addressed archives of a pipeline's files.
create table bundles (
  digest text primary key,
  size_bytes bigint not null,
  file_count int not null,
  created_at timestamptz not null default now()
);

-- Every publication of a bundle for a pipeline (the same bytes may be published again).
create table bundle_publications (
  id bigserial primary key,
  digest text not null references bundles (digest),
  environment text not null,
  pipeline text not null,
  published_by text not null,
  published_at timestamptz not null default now()
);
create index bundle_publications_pipeline on bundle_publications (environment, pipeline, id);

-- The transactional outbox (common-lib Outbox).
create table outbox (
  id bigserial primary key,
  event_id uuid not null unique,
  topic text not null,
  msg_key text,
  payload bytea not null,
  traceparent text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;
