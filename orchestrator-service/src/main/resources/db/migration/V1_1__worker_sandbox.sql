-- How each worker contains tasks (bwrap, none, unavailable), from its heartbeats; null for
-- workers that do not say (older ones).
alter table workers add column sandbox text;
