-- People are bound by their token's subject (sub), which the identity provider never reuses; the
-- user name (preferred_username) is kept for display only.

-- Users seen through OIDC: their subject, and what their latest token said (name, groups, realm
-- admin role). API keys act with their owner's current state from here.
create table users (
  subject text primary key,
  name text not null,
  groups text not null default '',
  token_admin boolean not null default false,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index users_name on users (name);

-- A USER binding names a subject. A binding made for a user name no one has signed in with yet is
-- pending: the first sign-in with that name binds it to that user's subject. Existing USER
-- bindings named user names: they become pending, so each keeps its meaning for the user who holds
-- that name at their next sign-in, and from then on follows that user's subject.
alter table role_bindings add column subject_name text;
alter table role_bindings add column pending boolean not null default false;
update role_bindings set pending = true, subject_name = subject where subject_kind = 'USER';

-- A key belongs to its owner's subject; its rights are computed from the owner's current state at
-- every use, never stored. Existing keys are claimed by their owner's next sign-in (until then
-- they are refused).
alter table api_keys add column owner_subject text;
create index api_keys_owner_subject on api_keys (owner_subject);
alter table api_keys drop column owner_groups;
alter table api_keys drop column owner_admin;
