-- Issue 17: notifications. Channels and rules per environment; deliveries are the durable outbox of
-- notifications (retried by any replica after a restart) and their log. No secret is stored here:
-- a channel names the secrets-service secret that holds its signing key, Slack URL or SMTP password.
create table notification_channels (
  id uuid primary key,
  environment text not null,
  name text not null,
  kind text not null,            -- WEBHOOK, SLACK, EMAIL
  url text,                      -- WEBHOOK: the receiver (not secret)
  secret_name text not null,     -- WEBHOOK: signing key; SLACK: the incoming-webhook URL; EMAIL: SMTP password
  smtp_host text,
  smtp_port int,
  smtp_tls text,                 -- NONE, STARTTLS, TLS
  smtp_username text,
  mail_from text,
  mail_to text,                  -- comma-separated addresses
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  unique (environment, name)
);

create table notification_rules (
  id uuid primary key,
  environment text not null,
  name text not null,
  pipeline text,                 -- null: every pipeline of the environment
  events text[] not null,        -- RUN_FAILED, RUN_SUCCEEDED, MISFIRE
  channel_id uuid not null references notification_channels (id) on delete cascade,
  quiet_period_seconds int not null default 0,
  enabled boolean not null default true,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  unique (environment, name)
);
create index notification_rules_env on notification_rules (environment);

-- One row per (rule, event): the unique key makes a redelivered event harmless. PENDING rows are
-- claimed with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at), so a replica that dies while
-- sending leaves a row that is tried again when the lease ends.
create table notification_deliveries (
  id uuid primary key,
  rule_id uuid not null,
  channel_id uuid not null,
  environment text not null,
  pipeline text,
  event_type text not null,
  event_key text not null,
  facts jsonb not null,
  state text not null,           -- PENDING, DELIVERED, FAILED, SUPPRESSED
  attempts int not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  last_status int,
  created_at timestamptz not null,
  finished_at timestamptz,
  unique (rule_id, event_key)
);
create index notification_deliveries_due on notification_deliveries (next_attempt_at) where state = 'PENDING';
create index notification_deliveries_quiet on notification_deliveries (rule_id, pipeline, created_at desc);
create index notification_deliveries_env on notification_deliveries (environment, created_at desc);

create table notification_attempts (
  delivery_id uuid not null references notification_deliveries (id) on delete cascade,
  attempt int not null,
  at timestamptz not null,
  outcome text not null,         -- DELIVERED, FAILED, TIMEOUT, REFUSED
  status int,
  error text,
  duration_ms bigint not null,
  primary key (delivery_id, attempt)
);
