-- Issue 14: an outbox row Kafka refuses for good (too large, invalid topic) is moved aside
-- instead of blocking its batch forever: failed_at and the reason are set, the relay skips it.
alter table outbox add column failed_at timestamptz;
alter table outbox add column failure text;
drop index outbox_unsent;
create index outbox_unsent on outbox (id) where sent_at is null and failed_at is null;
create index outbox_failed on outbox (failed_at) where failed_at is not null;

-- Issue 14: since when the heartbeats of an attempt's live worker no longer list it (null while
-- they do); one it has not reported for dataplane.orchestrator.attempt-unreported-after is
-- re-queued (its result was lost).
alter table attempts add column unreported_since timestamptz;
