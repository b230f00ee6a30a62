-- Secrets, their sealed versions, grants, the read audit, master key retirements, the outbox.

create table secret (
  id bigserial primary key,
  environment text not null,
  name text not null,
  latest_version int not null default 0,
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now(),
  updated_by text not null,
  -- a deleted secret keeps its row (so version numbers never repeat) but loses its versions
  deleted_at timestamptz,
  deleted_by text,
  unique (environment, name));

create table secret_version (
  secret_id bigint not null references secret (id) on delete cascade,
  version int not null,
  ciphertext bytea not null,
  wrapped_key bytea not null,
  master_key_version text not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  rewrapped_at timestamptz,
  primary key (secret_id, version));
create index secret_version_by_master_key on secret_version (master_key_version);

create table secret_grant (
  secret_id bigint not null references secret (id) on delete cascade,
  kind text not null check (kind in ('PIPELINE', 'WORKER_GROUP')),
  subject text not null,
  primary key (secret_id, kind, subject));

-- one row per secret per read (and per denied request naming it); never updated
create table secret_read (
  id bigserial primary key,
  environment text not null,
  name text not null,
  version int,
  outcome text not null check (outcome in ('GRANTED', 'DENIED')),
  reason text,
  actor text not null,
  pipeline text,
  worker_group text,
  run_id uuid,
  task_run_id uuid,
  attempt int,
  read_at timestamptz not null default now());
create index secret_read_by_secret on secret_read (environment, name, id desc);
create index secret_read_by_run on secret_read (run_id, id);

-- master key versions an operator retired; a retired version never wraps again
create table master_key_retirement (
  version text primary key,
  retired_at timestamptz not null default now(),
  retired_by text not null);

create table outbox (
  id bigserial primary key,
  event_id uuid not null unique,
  topic text not null,
  msg_key text,
  payload bytea not null,
  traceparent text,
  created_at timestamptz not null default now(),
  sent_at timestamptz);
create index outbox_unsent on outbox (id) where sent_at is null;
