-- Role bindings, API keys, the audit log and REST trigger idempotency.

-- A subject (a user or an OIDC group) holds a set of permissions on a scope.
-- scope_kind PLATFORM has environment = resource = ''; ENVIRONMENT has resource = ''.
create table role_bindings (
  id uuid primary key,
  subject_kind text not null check (subject_kind in ('USER', 'GROUP')),
  subject text not null,
  scope_kind text not null check (scope_kind in ('PLATFORM', 'ENVIRONMENT', 'PIPELINE', 'WORKER_GROUP')),
  environment text not null default '',
  resource text not null default '',
  permissions text not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  unique (subject_kind, subject, scope_kind, environment, resource)
);
create index role_bindings_subject on role_bindings (subject_kind, subject);

-- API keys: only the SHA-256 of the key is kept; the key itself is shown once.
create table api_keys (
  id uuid primary key,
  name text not null,
  owner text not null,
  owner_groups text not null default '',
  owner_admin boolean not null default false,
  key_hash text not null unique,
  prefix text not null,
  scope text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);
create index api_keys_owner on api_keys (owner);

-- Every mutation and every refused authorization.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  target text,
  environment text,
  outcome text not null,
  summary text
);
create index audit_log_at on audit_log (at desc);

-- The REST trigger's Idempotency-Key: the same key from the same principal gives the same run.
create table trigger_requests (
  principal text not null,
  idempotency_key text not null,
  environment text not null,
  pipeline text not null,
  run_id text not null,
  created_at timestamptz not null default now(),
  primary key (principal, idempotency_key)
);
