-- The audit log also records who set, deleted or re-granted a secret (action), not only reads.
alter table secret_read add column action text not null default 'READ';
alter table secret_read add constraint secret_read_action check (action in ('READ', 'SET', 'DELETE', 'GRANT'));
alter table secret_read drop constraint secret_read_outcome_check;
alter table secret_read add constraint secret_read_outcome check (outcome in ('GRANTED', 'DENIED', 'DONE'));
