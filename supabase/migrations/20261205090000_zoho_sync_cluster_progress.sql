-- Sync progress inside a cluster of records sharing one Modified_Time: page_tokens must be a JSON
-- array (a JSON string of the array was stored, so every slice lost its chain), the read position
-- inside a cluster (COQL by id), records read per chain, and the stalled-slice counter.
alter table zoho.sync_state add column stalled_slices integer not null default 0;
comment on column zoho.sync_state.stalled_slices is
  'Slices in a row that fetched records but stored nothing new and moved no read position (ZOHO_STALL_SLICES fails the module)';

-- Chains saved before this fix are JSON strings holding the array: unwrap them.
update zoho.sync_segments set page_tokens = (page_tokens #>> '{}')::jsonb
  where jsonb_typeof(page_tokens) = 'string';
alter table zoho.sync_segments add constraint sync_segments_page_tokens_array
  check (page_tokens is null or jsonb_typeof(page_tokens) = 'array');
alter table zoho.sync_segments add column cursor_complete boolean not null default false;
alter table zoho.sync_segments add column cluster_after text;
alter table zoho.sync_segments add column chain_read integer not null default 0;
comment on column zoho.sync_segments.cursor_complete is
  'Every record stamped with cursor is committed: a new chain starts one second past it';
comment on column zoho.sync_segments.cluster_after is
  'Reading the records stamped with cursor in id order (COQL), after this id ('''' = from the first)';
comment on column zoho.sync_segments.chain_read is
  'Records read by the current page_token chain (started at token_since)';
