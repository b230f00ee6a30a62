-- Issue 17: event triggers (pipeline completion, webhook, Kafka topic), their own fire ledger and
-- the webhook deliveries remembered against replay. Kept apart from the schedules' fires table.
create table triggers (
  id uuid primary key,
  environment text not null,
  name text not null,
  pipeline text not null,
  kind text not null,
  description text,
  -- COMPLETION: the upstream pipeline (same environment) and the end state that fires
  upstream_pipeline text,
  on_state text,
  -- KAFKA: the external topic and an optional JSON field filter
  topic text,
  filter_field text,
  filter_value text,
  -- WEBHOOK: TOKEN (token_hash, SHA-256 hex) or HMAC (secret_name in the secrets service)
  auth text,
  token_hash text,
  secret_name text,
  -- templates of the run's params, rendered per event
  params jsonb not null default '{}',
  state text not null,
  state_reason text,
  release_id text,
  latest_release_id text,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  unique (environment, name)
);
create index triggers_pipeline on triggers (environment, pipeline);
create index triggers_upstream on triggers (environment, upstream_pipeline) where kind = 'COMPLETION';
create index triggers_topic on triggers (topic) where kind = 'KAFKA';

-- One row per event a trigger handled; the primary key makes a second run for an event impossible.
-- outcome REQUESTED (a RunRequested went to the outbox in the same transaction) or FAILED (reason).
create table trigger_fires (
  trigger_id uuid not null,
  event_id text not null,
  request_id text not null unique,
  fired_at timestamptz not null,
  outcome text not null,
  reason text,
  release_id text,
  params jsonb,
  source text,
  chain_depth int not null default 0,
  primary key (trigger_id, event_id)
);
create index trigger_fires_time on trigger_fires (trigger_id, fired_at desc);

-- Webhook delivery ids seen, refused again within the replay window.
create table hook_deliveries (
  trigger_id uuid not null,
  delivery_id text not null,
  seen_at timestamptz not null,
  primary key (trigger_id, delivery_id)
);
create index hook_deliveries_seen on hook_deliveries (seen_at);
