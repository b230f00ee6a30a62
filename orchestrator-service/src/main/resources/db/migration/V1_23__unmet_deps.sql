-- A task run counts its dependencies that have not succeeded yet: a result counts its task's
-- dependents down and dispatches those at 0, instead of reading the whole run (RunEngine).
-- Null for task runs created before this column: their runs move on the old way.
alter table task_runs add column unmet_deps int;
-- "is any task of this run unfinished?" after each result, without reading the finished ones
create index task_runs_unfinished on task_runs (run_id)
  where state in ('PENDING', 'QUEUED', 'RUNNING');
