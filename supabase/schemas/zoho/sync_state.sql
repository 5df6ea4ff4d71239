-- Sync engine state: metadata snapshots, per-module cursors, run lease, audit logs, OAuth token.
-- Cursors move in the same transaction as the records they cover, so a crash resumes cleanly.

-- Module and field metadata as Zoho returned it, one row per distinct content (append-only).
create table zoho.metadata_snapshots (
  kind text not null check (kind in ('modules', 'fields')),
  module text not null default '',
  data jsonb not null,
  content_hash text not null,
  captured_at timestamptz not null default now(),
  primary key (kind, module, content_hash)
);
comment on table zoho.metadata_snapshots is
  'Every distinct /settings/modules and /settings/fields answer; the newest per (kind, module) is current';

-- Per-module sync state: the incremental cursor, deletions cursor and full-read bookkeeping.
create table zoho.sync_state (
  module text primary key,
  next_since timestamptz,
  max_modified_time timestamptz,
  deleted_since timestamptz,
  full_started_at timestamptz,
  last_full_read_at timestamptz,
  fields_hash text,
  updated_at timestamptz not null default now(),
  deleted_checked_at timestamptz,
  stalled_slices integer not null default 0
);
comment on column zoho.sync_state.next_since is
  'If-Modified-Since for the next incremental read (inclusive); null means read everything';
comment on column zoho.sync_state.stalled_slices is
  'Slices in a row that fetched records but stored nothing new and moved no read position (ZOHO_STALL_SLICES fails the module)';
comment on column zoho.sync_state.deleted_checked_at is
  'Zoho server time of the last /deleted read (ZOHO_DELETED_CHECK_MINUTES cadence; restores are found there too)';

-- A module read splits into segments of Modified_Time; each is one ascending page_token chain per field group.
create table zoho.sync_segments (
  module text not null,
  segment integer not null,
  since timestamptz,
  until timestamptz,
  cursor timestamptz,
  page_tokens jsonb constraint sync_segments_page_tokens_array
    check (page_tokens is null or jsonb_typeof(page_tokens) = 'array'),
  token_since timestamptz,
  done boolean not null default false,
  updated_at timestamptz not null default now(),
  cursor_complete boolean not null default false,
  cluster_after text,
  chain_read integer not null default 0,
  primary key (module, segment)
);
comment on table zoho.sync_segments is
  'Read progress: records with Modified_Time in [since, until) up to cursor are committed';
comment on column zoho.sync_segments.page_tokens is
  'Next page_token of each field group (JSON array of strings, group 0 first), or null';
comment on column zoho.sync_segments.cursor_complete is
  'Every record stamped with cursor is committed: a new chain starts one second past it';
comment on column zoho.sync_segments.cluster_after is
  'Reading the records stamped with cursor in id order (COQL), after this id ('''' = from the first)';
comment on column zoho.sync_segments.chain_read is
  'Records read by the current page_token chain (started at token_since)';

-- One running sync at a time: a lease row renewed while the run works (no session locks, so it
-- also works behind the transaction pooler).
create table zoho.sync_lease (
  id boolean primary key default true check (id),
  run_id uuid not null,
  expires_at timestamptz not null
);

-- Runs and their per-module audit rows; sync_logs is append-only.
create table zoho.sync_runs (
  run_id uuid primary key,
  mode text not null check (mode in ('incremental', 'full')),
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  status text not null default 'running' check (status in ('running', 'partial', 'done', 'failed')),
  slices integer not null default 0,
  credits_used integer not null default 0
);

create table zoho.sync_logs (
  id bigserial primary key,
  run_id uuid not null,
  module text not null,
  slice integer not null,
  mode text not null,
  status text not null check (status in ('done', 'partial', 'failed')),
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  pages integer not null default 0,
  fetched integer not null default 0,
  inserted integer not null default 0,
  updated integer not null default 0,
  unchanged integer not null default 0,
  deleted integer not null default 0,
  restored integer not null default 0,
  api_calls integer not null default 0,
  credits_used integer not null default 0,
  errors jsonb not null default '[]',
  cursor_before timestamptz,
  cursor_after timestamptz,
  queued integer
);
comment on column zoho.sync_logs.queued is
  'Work left after the slice, where a step keeps a queue (Deals/Stage_History: deals whose history is still to be read)';
create index sync_logs_run_idx on zoho.sync_logs (run_id, module);
create index sync_logs_finished_idx on zoho.sync_logs (finished_at);
create trigger sync_logs_append_only
  before update or delete on zoho.sync_logs
  for each row execute function zoho.refuse_change();
comment on table zoho.sync_logs is 'Immutable audit trail: one row per run, slice and module';

-- The OAuth access token, reused across invocations until it expires. refresh_log keeps the
-- recent refresh times so we stay under Zoho's ten refreshes per ten minutes.
create table zoho.oauth_tokens (
  key text primary key,
  access_token text,
  api_domain text,
  expires_at timestamptz,
  refresh_log timestamptz[] not null default '{}',
  updated_at timestamptz not null default now()
);
comment on table zoho.oauth_tokens is
  'Zoho access token per (accounts URL, client); the refresh token itself stays in env';

alter table zoho.metadata_snapshots enable row level security;
alter table zoho.sync_state enable row level security;
alter table zoho.sync_segments enable row level security;
alter table zoho.sync_lease enable row level security;
alter table zoho.sync_runs enable row level security;
alter table zoho.sync_logs enable row level security;
alter table zoho.oauth_tokens enable row level security;
revoke all on all tables in schema zoho from anon, authenticated;
revoke all on all sequences in schema zoho from anon, authenticated;
grant select, insert, update, delete on zoho.sync_state, zoho.sync_segments, zoho.sync_lease,
  zoho.sync_runs, zoho.oauth_tokens to service_role;
grant select, insert on zoho.metadata_snapshots, zoho.sync_logs to service_role;
grant usage on all sequences in schema zoho to service_role;
