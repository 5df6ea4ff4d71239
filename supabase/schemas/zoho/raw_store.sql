-- Raw Zoho CRM store: every record whole as JSONB, every distinct version, every deletion.
-- Nothing here is derived; typed views (crm schema) and KPIs (analytics schema) read from it.
create schema if not exists zoho;

-- The current state of every record we have seen, keyed by (module, id), stored as returned.
-- Records stay in the heap up to a full page (compressed with lz4 on the way in): about half the
-- simulator's records (~1.9 kB after lz4) went to TOAST at the default 2 kB toast_tuple_target,
-- one more heap and index insert each, in both tables.
create table zoho.records (
  module text not null,
  id text not null,
  data jsonb compression lz4 not null,
  modified_time timestamptz,
  content_hash text not null,
  first_seen_at timestamptz not null default now(),
  last_synced_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_type text check (deleted_type in ('recycle', 'permanent')),
  version integer not null default 1,
  primary key (module, id)
) with (toast_tuple_target = 8160);
comment on table zoho.records is
  'Current state of each Zoho record (module, id) exactly as the API returned it';
comment on column zoho.records.content_hash is
  'zoho.content_hash(data): equal content gives an equal hash; a new version only when it changes';
create index records_module_modified_idx on zoho.records (module, modified_time);

-- Append-only history: one row per distinct content of a record, plus deletions and restores.
create table zoho.record_versions (
  module text not null,
  id text not null,
  version integer not null,
  change text not null check (change in ('insert', 'update', 'delete', 'restore')),
  data jsonb compression lz4 not null,
  content_hash text not null,
  modified_time timestamptz,
  observed_at timestamptz not null default now(),
  sync_run_id uuid,
  primary key (module, id, version)
) with (toast_tuple_target = 8160);
comment on table zoho.record_versions is
  'Append-only: every distinct version of every record, so stage and amount history is ours';

-- Deletions as Zoho's deleted-records API reports them; restores are kept, never removed.
create table zoho.deletions (
  module text not null,
  id text not null,
  deleted_time timestamptz not null,
  type text not null check (type in ('recycle', 'permanent')),
  display_name text,
  deleted_by jsonb,
  raw jsonb not null,
  observed_at timestamptz not null default now(),
  restored_at timestamptz,
  primary key (module, id, deleted_time)
);
-- The content hash every writer uses: one definition, in SQL. Profiled on 50,000 simulator leads
-- (about 2.9 kB of JSON each): sha256(data::text) spent ~20 µs a record rendering the jsonb back
-- to text (a sixth of the write).
-- The hash is Postgres's own jsonb hash (the one hash joins and hash indexes use; it walks the
-- binary form): equal jsonb gives an equal hash whatever the key order, and any change of a
-- key, value or nesting changes it. It follows jsonb equality, so numbers that are equal (1.0
-- and 1) hash alike: a change of a number's trailing zeros alone is not a new version. 64 bits:
-- it is only ever compared with the previous hash of the same record.
create or replace function zoho.content_hash(data jsonb) returns text
language sql
immutable
parallel safe
as $$ select lpad(to_hex(jsonb_hash_extended(data, 0)), 16, '0') $$;
comment on function zoho.content_hash(jsonb) is
  'Hex 64-bit jsonb hash: equal for equal jsonb (key order, whitespace and number scale ignored)';

-- Versions are append-only: updates and deletes are refused, unless a maintenance session
-- (retention, test clean-up) sets zoho.allow_purge = 'on' explicitly; updates never.
create or replace function zoho.refuse_change() returns trigger
language plpgsql
as $$
begin
  if tg_op = 'DELETE' and current_setting('zoho.allow_purge', true) = 'on' then
    return old;
  end if;
  raise exception '% is append-only', tg_table_schema || '.' || tg_table_name
    using errcode = '42501';
end
$$;
create trigger record_versions_append_only
  before update or delete on zoho.record_versions
  for each row execute function zoho.refuse_change();

alter table zoho.records enable row level security;
alter table zoho.record_versions enable row level security;
alter table zoho.deletions enable row level security;
revoke all on schema zoho from anon, authenticated;
revoke all on all tables in schema zoho from anon, authenticated;
grant usage on schema zoho to service_role;
grant select, insert, update on zoho.records, zoho.deletions to service_role;
grant select, insert on zoho.record_versions to service_role;
