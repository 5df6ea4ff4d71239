-- Local stand-in: the roles, schemas and extensions a hosted Supabase database already has.
-- Applied (idempotently) before migrations; never part of supabase/migrations/.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
alter role postgres with password 'postgres';

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

-- Hosted Supabase puts extensions in `extensions` and has it on the search path.
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions',
    current_database());
  -- pg_cron lives only in the database named by cron.database_name.
  if current_database() = current_setting('cron.database_name', true) then
    create extension if not exists pg_cron;
  end if;
end
$$;
set search_path = "$user", public, extensions;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pgtap with schema extensions;
