-- the lost-dispatch check reads the claims of the last redispatch-after period (WorkerService)
create index attempts_claimed_at on attempts (claimed_at);
