-- Issue 17, SLAs: when a run must have ended to meet its pipeline's `sla:` (null: no SLA), and
-- when it was found to have missed it (null: not missed, or not yet).
alter table runs add column sla_due_at timestamptz;
alter table runs add column sla_missed_at timestamptz;

-- the start-up re-arms the timers of unfinished runs that have not missed theirs yet
create index runs_sla_pending on runs (sla_due_at)
  where sla_due_at is not null and sla_missed_at is null and finished_at is null;
