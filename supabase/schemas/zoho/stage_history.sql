-- Each deal's Stage_History related list (what Zoho remembers of its stage path, from before our
-- first sync too), stored row by row as returned, and the queue of deals whose list is to be read.
-- Zoho keeps a picklist-history related list for Deals.Stage (Kaizen #107, field trackers: Stage
-- tracked by default; default fields picklist value, duration, modified time, modified by, moved
-- to), read with GET /crm/v7/Deals/{id}/Stage_History (related-records API, one call per deal).

-- Append-only like zoho.record_versions: one row per distinct content of a history row. A row
-- whose content changes under the same id (Zoho fills Moved To and the duration of the stay that
-- was current when the deal moves on) is kept as version n + 1, never overwritten and never
-- refused: refusing would stop the sync on Zoho's own bookkeeping, overwriting would lose what
-- the row said before.
create table zoho.stage_history (
  deal_id text not null,
  row_id text not null,
  version integer not null default 1,
  data jsonb not null,
  content_hash text not null,
  modified_time timestamptz,
  first_seen_at timestamptz not null default now(),
  sync_run_id uuid,
  primary key (deal_id, row_id, version)
);
comment on table zoho.stage_history is
  'Append-only: every distinct content of every Deals/{id}/Stage_History row, whole as Zoho returned it';
comment on column zoho.stage_history.modified_time is
  'The row''s Modified_Time: when the deal entered the row''s Stage';
create trigger stage_history_append_only
  before update or delete on zoho.stage_history
  for each row execute function zoho.refuse_change();

-- Deals whose Stage_History is to be read: every deal once (the backfill), then each deal again
-- when a new version of it is stored (its Modified_Time moved: a deal that moved twice between
-- two syncs shows one new version, and its history list holds both moves). `version` is the deal
-- version that queued it: a read removes the entry only if no newer version queued it meanwhile.
create table zoho.stage_history_queue (
  deal_id text primary key,
  version integer not null,
  modified_time timestamptz,
  queued_at timestamptz not null default now()
);
comment on table zoho.stage_history_queue is
  'Deals whose Stage_History related list is to be (re)read; removed in the transaction storing the rows';
-- Read newest-changed first: the deals a recent period's stage figures count come first.
create index stage_history_queue_order_idx
  on zoho.stage_history_queue (modified_time desc nulls last, deal_id);

-- A new deal version (insert, update, restore: not a deletion, whose list cannot be read) queues
-- the deal, in the transaction that stores the version.
create or replace function zoho.queue_stage_history() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into zoho.stage_history_queue as q (deal_id, version, modified_time)
  select n.id, max(n.version), max(n.modified_time)
  from new_rows n
  where n.module = 'Deals' and n.change <> 'delete'
  group by n.id
  on conflict (deal_id) do update set version = greatest(q.version, excluded.version),
    modified_time = greatest(q.modified_time, excluded.modified_time), queued_at = now();
  return null;
end
$$;
create trigger record_versions_queue_stage_history after insert on zoho.record_versions
  referencing new table as new_rows
  for each statement execute function zoho.queue_stage_history();

alter table zoho.stage_history enable row level security;
alter table zoho.stage_history_queue enable row level security;
revoke all on zoho.stage_history, zoho.stage_history_queue from anon, authenticated;
grant select, insert on zoho.stage_history to service_role;
grant select, insert, update, delete on zoho.stage_history_queue to service_role;
