-- The scheduler schema (Flyway creates the schema itself).
create table if not exists service_info (key text primary key, value text not null);
insert into service_info (key, value) values ('created_by', 'scheduler-service') on conflict do nothing;

-- One schedule of one pipeline. fired_through: every fire time up to it is settled (fired, or
-- dropped by the misfire policy); the leader fires the times after it.
create table schedules (
  id uuid primary key,
  environment text not null,
  name text not null,
  pipeline text not null,
  description text,
  cron text,
  rrule text,
  timezone text not null,
  start_at timestamptz,
  end_at timestamptz,
  params jsonb not null default '{}',
  misfire_policy text not null,
  misfire_cap int not null,
  state text not null,
  state_reason text,
  release_id text,
  latest_release_id text,
  fired_through timestamptz not null,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  unique (environment, name)
);
create index schedules_pipeline on schedules (environment, pipeline);

-- The fire ledger: one row per fired time; the primary key makes a second fire impossible.
create table fires (
  schedule_id uuid not null,
  fire_time timestamptz not null,
  fired_at timestamptz not null,
  lag_ms bigint not null,
  kind text not null,
  request_id text not null unique,
  release_id text,
  backfill_id uuid,
  fired_by text not null,
  primary key (schedule_id, fire_time)
);

-- Backfills: the fire times of a past window, requested a few at a time.
create table backfills (
  id uuid primary key,
  schedule_id uuid not null,
  environment text not null,
  pipeline text not null,
  from_time timestamptz not null,
  to_time timestamptz not null,
  max_concurrent int not null,
  state text not null,
  total int not null,
  created_at timestamptz not null,
  created_by text not null,
  finished_at timestamptz
);
create index backfills_schedule on backfills (schedule_id, created_at desc);

create table backfill_items (
  backfill_id uuid not null,
  fire_time timestamptz not null,
  state text not null,
  requested_at timestamptz,
  run_id uuid,
  primary key (backfill_id, fire_time)
);
create index backfill_items_run on backfill_items (run_id) where run_id is not null;

-- Runs seen on dataplane.run-events (to bound a backfill's runs in flight).
create table runs_seen (
  run_id uuid primary key,
  environment text not null,
  pipeline text not null,
  terminal boolean not null,
  seen_at timestamptz not null default now()
);

-- The transactional outbox of common-lib.
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
