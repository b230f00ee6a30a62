-- When a blob was last stored or found already stored: the collector of unreferenced blobs
-- leaves recently used ones alone, so an upload between storing its blob and saving its file
-- row never loses the blob.
alter table blobs add column last_used_at timestamptz not null default now();
create index blobs_last_used on blobs (backend, last_used_at);
