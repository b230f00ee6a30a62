-- Issue 14: an outbox row Kafka refuses for good (too large, invalid topic) is moved aside
-- instead of blocking its batch forever: failed_at and the reason are set, the relay skips it.
alter table outbox add column failed_at timestamptz;
alter table outbox add column failure text;
drop index outbox_unsent;
create index outbox_unsent on outbox (id) where sent_at is null and failed_at is null;
create index outbox_failed on outbox (failed_at) where failed_at is not null;
