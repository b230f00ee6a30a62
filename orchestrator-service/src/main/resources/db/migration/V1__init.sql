-- The orchestrator schema: environments, worker groups, workers, pipelines, releases, runs,
-- task runs, attempts, task logs, processed event ids and the outbox.

create table environments (
  name text primary key,
  description text,
  created_at timestamptz not null default now(),
  created_by text not null);

create table worker_groups (
  environment text not null references environments (name) on delete cascade,
  name text not null,
  description text,
  created_at timestamptz not null default now(),
  created_by text not null,
  primary key (environment, name));

-- the editable draft of a pipeline
create table pipelines (
  environment text not null references environments (name) on delete cascade,
  name text not null,
  source text not null,
  source_format text not null,
  definition jsonb not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now(),
  updated_by text not null,
  primary key (environment, name));

-- immutable, content addressed; the history stays when the draft is deleted
create table releases (
  id uuid primary key,
  seq bigserial not null unique,
  environment text not null,
  pipeline text not null,
  digest text not null,
  bundle_digest text,
  definition jsonb not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  unique (environment, pipeline, digest));

create table deployments (
  id uuid primary key,
  release_id uuid not null references releases (id),
  environment text not null,
  pipeline text not null,
  from_environment text not null,
  from_release_id uuid not null,
  worker_group_map jsonb not null,
  deployed_by text not null,
  deployed_at timestamptz not null default now());

create table runs (
  id uuid primary key,
  seq bigserial not null unique,
  environment text not null,
  pipeline text not null,
  release_id uuid not null references releases (id),
  request_id text unique,
  params jsonb not null,
  trigger text not null,
  requested_by text not null,
  state text not null,
  error text,
  rerun_of uuid,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  deadline_at timestamptz);
create index runs_by_pipeline on runs (environment, pipeline, state);
create index runs_running_deadline on runs (deadline_at) where state = 'RUNNING';

create table task_runs (
  id uuid primary key,
  run_id uuid not null references runs (id),
  task_key text not null,
  worker_group text not null,
  state text not null,
  attempt int not null default 0,
  retries_used int not null default 0,
  retry_at timestamptz,
  ready_at timestamptz,
  outputs jsonb,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  reused_from uuid,
  unique (run_id, task_key));
create index task_runs_retry on task_runs (retry_at) where retry_at is not null;

create table attempts (
  task_run_id uuid not null references task_runs (id),
  attempt int not null,
  run_id uuid not null,
  worker_group text not null,
  state text not null,
  worker_id text,
  dispatched_at timestamptz not null default now(),
  claimed_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  deadline_at timestamptz,
  exit_code int,
  error text,
  logs_complete boolean not null default false,
  primary key (task_run_id, attempt));
create index attempts_active_by_worker on attempts (worker_id) where state in ('CLAIMED', 'RUNNING');
create index attempts_waiting on attempts (worker_group) where state = 'DISPATCHED';

create table task_logs (
  task_run_id uuid not null,
  attempt int not null,
  seq bigint not null,
  ts timestamptz not null,
  stream text not null,
  text text not null,
  primary key (task_run_id, attempt, seq));

create table workers (
  worker_id text primary key,
  groups text[] not null,
  state text not null,
  version text,
  cpu_load double precision,
  memory_used_bytes bigint,
  memory_total_bytes bigint,
  system_load double precision,
  slots int,
  free_slots int,
  running jsonb,
  draining boolean not null default false,
  started_at timestamptz,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now());

-- consumers' idempotency by eventId
create table processed_events (
  event_id uuid primary key,
  processed_at timestamptz not null default now());

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
