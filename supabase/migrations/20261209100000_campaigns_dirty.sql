-- Campaign facts rebuilt only when marked dirty (analytics.settle_facts, in a later migration).
-- Marked once here: writes since the last snapshot's rebuild may not be in them yet.
create unlogged table analytics.f_campaigns_dirty (
  marked_by text not null
);
alter table analytics.f_campaigns_dirty enable row level security;
insert into analytics.f_campaigns_dirty values ('migration');
