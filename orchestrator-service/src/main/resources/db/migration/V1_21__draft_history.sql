-- Issue 17, draft history: every saved draft of a pipeline whose normalized definition differs from
-- the one saved before it (digest: sha256 of the canonical definition). Kept when the draft is
-- deleted, like releases; at most dataplane.orchestrator.drafts.keep per pipeline (oldest pruned).
create table draft_versions (
  id uuid primary key,
  environment text not null,
  pipeline text not null,
  version int not null,
  digest text not null,
  source text not null,
  source_format text not null,
  definition jsonb not null,
  saved_at timestamptz not null default now(),
  saved_by text not null,
  -- set when a restore made an older version the draft again
  restored_from uuid,
  unique (environment, pipeline, version));
