-- Names analytics.facts_built's constraints after the table (they kept f_ready's names through the rename), as a new database builds them from supabase/schemas.
alter table analytics.facts_built rename constraint f_ready_pkey to facts_built_pkey;
alter table analytics.facts_built rename constraint f_ready_id_check to facts_built_id_check;
