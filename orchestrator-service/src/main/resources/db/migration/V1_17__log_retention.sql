-- Issue 14, item 17: task logs do not grow forever.
-- Per environment: days a finished run's task logs are kept, and the most bytes of task logs one
-- run may store. Null: the platform default (dataplane.orchestrator.logs.*); 0: no limit.
alter table environments add column log_retention_days int;
alter table environments add column log_max_bytes_per_run bigint;

-- What each run has stored and dropped, for the cap; the marker is the one line that says how
-- much was dropped (its seq is LogCap.MARKER_SEQ, on the attempt that first hit the cap).
create table run_log_usage (
  run_id uuid primary key,
  stored_bytes bigint not null default 0,
  dropped_lines bigint not null default 0,
  dropped_bytes bigint not null default 0,
  marker_task_run_id uuid,
  marker_attempt int);

-- the retention sweep finds finished runs by age
create index runs_finished on runs (finished_at) where finished_at is not null;

-- the highest log seq an attempt's chunks carried: a redelivered line that the cap dropped is not
-- counted twice (chunks of one task run arrive in order: the topic is keyed by task run)
alter table attempts add column log_seq_seen bigint not null default 0;
