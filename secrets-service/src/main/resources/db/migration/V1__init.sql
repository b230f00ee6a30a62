-- The secrets schema. Flyway creates the schema itself; tables follow in later versions.
create table if not exists service_info (key text primary key, value text not null);
insert into service_info (key, value) values ('created_by', 'secrets-service') on conflict do nothing;
