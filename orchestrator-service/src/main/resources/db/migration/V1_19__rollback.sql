-- Issue 17, roll back: the release that new runs and schedules on "latest" use. Null: the newest
-- release (pipelines released before this column existed). Releasing sets it; a rollback sets it
-- to an earlier release.
alter table pipelines add column current_release_id uuid references releases (id);

-- deployments record promotions (PROMOTION) and now rollbacks (ROLLBACK) too
alter table deployments add column kind text not null default 'PROMOTION';
