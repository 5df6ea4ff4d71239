-- The brief schema: the payload a brief is written from (snapshot facts + driver facts, kept per
-- snapshot) and the stored briefs with every check verdict.
create schema if not exists brief;
revoke all on schema brief from public, anon, authenticated;
grant usage on schema brief to service_role;

-- What the model (or the rules) may talk about for one snapshot: the snapshot's company facts
-- plus bounded driver facts (brief.driver_facts), computed once and kept, so a brief and a later
-- POST /generate-brief/check read the same facts.
create table brief.payloads (
  snapshot_id uuid primary key references analytics.snapshots (id),
  payload jsonb not null,
  created_at timestamptz not null default now()
);
comment on table brief.payloads is
  'Brief payload per snapshot: {as_of, currency, facts[]}; company facts + driver facts';

-- One generated brief. content = {headline, critical_gap, immediate_action, insights[]}, each
-- {text, facts[]}; checks = one entry per attempt with its verdict per claim.
create table brief.briefs (
  id uuid primary key default gen_random_uuid(),
  snapshot_id uuid not null references analytics.snapshots (id),
  run_id uuid,
  model text not null,
  content jsonb not null,
  pulse text not null check (char_length(pulse) <= 400),
  pulse_variables jsonb not null,
  attempts integer not null check (attempts >= 0),
  checks jsonb not null default '[]',
  fallback_reason text,
  prompt_tokens integer,
  timings jsonb not null default '{}',
  -- The brief this one was asked to replace (`regenerate`); null for the first of a snapshot.
  replaces uuid references brief.briefs (id),
  created_at timestamptz not null default now()
);
comment on table brief.briefs is
  'Stored CRO briefs: model ("rules" = deterministic), attempts, every check verdict, pulse text';
comment on column brief.briefs.model is
  'The Ollama model that wrote the checked text, or "rules" for the deterministic brief';
create index briefs_snapshot_idx on brief.briefs (snapshot_id, created_at desc);
-- One first brief per (snapshot, run): two concurrent calls store one brief, so one pulse.
create unique index briefs_first_idx on brief.briefs
  (snapshot_id, coalesce(run_id, '00000000-0000-0000-0000-000000000000'::uuid))
  where replaces is null;
create index briefs_run_idx on brief.briefs (run_id, created_at desc) where run_id is not null;
create index briefs_created_idx on brief.briefs (created_at desc);

alter table brief.payloads enable row level security;
alter table brief.briefs enable row level security;
revoke all on all tables in schema brief from public, anon, authenticated;
grant select, insert on brief.payloads, brief.briefs to service_role;
