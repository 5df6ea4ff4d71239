-- The pipeline waterfall: how the open pipeline moved over a period. Conventions and shared
-- rules: analytics/rules.sql.

-- Only deals that can count are looked at: those with a state closing in the window at the
-- period's first instant or at the end of as_of (18k of 200k deals for a quarter on the 1M-lead
-- demo), found by Closing_Date and validity (f_deal_versions_window_idx) among the versions
-- current at t0 or at t1, then the states still missing by primary key. Classifying all 200k
-- deals cost 0.5 s a quarter there; this 0.19 s (a month 0.06 s). A deal whose two states were
-- both among the versions read by Closing_Date (7.3k of the quarter's 18.3k) is not looked up
-- again: a quarter 205 → 178 ms, a month 61 → 47 ms; one whose state at t0 alone is missing is
-- probed for that one version.
--
-- Before a deal's first observed version, its state is what Zoho's Stage_History says: the stay
-- then current (its Stage, and the deal's Closing_Date and Amount on that history row). Without it
-- a quarter that began before the first sync started empty: every deal modified since its start
-- had no state at t0 and counted as new (the demo company's quarter: start $0, new $239,810).
create or replace function analytics.pipeline_waterfall(p_as_of date, p_period text default 'qtd')
returns table (step text, ord integer, deals bigint, amount numeric)
language sql stable
as $$
  with p as (
    select p.start_day, p.full_end,
      p.start_day::timestamp at time zone (select analytics.time_zone()) as t0,
      (select analytics.day_end(p_as_of)) as t1
    from analytics.periods(p_as_of) p where p.period = p_period
  ),
  -- The deals with versions that can count: a state current at t0 or at t1 closing in the
  -- window (a deal whose states at both instants close outside it adds to no step), those states
  -- as read from f_deal_versions_window_idx alone: those current at t0 (with whether they still
  -- are at t1), then those that began after t0 and are current at t1 (each state once). Each
  -- part's validity is a range of the index's keys after Closing_Date (valid_to null = never
  -- ended, as infinity).
  r as materialized (
    select fv.deal_id, fv.valid_from, fv.valid_to, fv.change = 'delete' as gone, fv.stage,
      coalesce(fv.amount, 0) as amount, fv.closing_date, true as at0,
      coalesce(fv.valid_to, 'infinity') >= p.t1 as at1, -- (it began by t0, so before t1)
      fv.first_from
    from analytics.f_deal_versions fv, p
    where fv.closing_date >= p.start_day and fv.closing_date < p.full_end
      and coalesce(fv.valid_to, 'infinity') > p.t0 and fv.valid_from <= p.t0
    union all
    select fv.deal_id, fv.valid_from, fv.valid_to, fv.change = 'delete' as gone, fv.stage,
      coalesce(fv.amount, 0) as amount, fv.closing_date, false, true, fv.first_from
    from analytics.f_deal_versions fv, p
    where fv.closing_date >= p.start_day and fv.closing_date < p.full_end
      and coalesce(fv.valid_to, 'infinity') >= p.t1 and fv.valid_from > p.t0
      and fv.valid_from < p.t1
  ),
  -- And the deals with a Stage_History stay current at t0 or at t1 that closes in the window (it
  -- may be a state before their first version: see v); none where no history was read.
  hc as materialized (
    select distinct e.deal_id
    from analytics.f_stage_entries e, p
    where e.row_id is not null and e.closing_date >= p.start_day and e.closing_date < p.full_end
      and ((e.entered_at <= p.t0 and (e.left_at is null or e.left_at > p.t0))
        or (e.entered_at < p.t1 and (e.left_at is null or e.left_at >= p.t1)))
  ),
  -- Per deal: whether both its states (at t0 and at t1) were among those read. A deal whose
  -- versions' intervals do not overlap has at most one state at each instant, so such a deal's
  -- are complete; the others' are looked up. Intervals overlap only where a version ends before
  -- it begins (valid_to = the next version's valid_from: a deletion observed after a restore's
  -- earlier Modified_Time), and those deals are always looked up (f_deal_versions_backwards_idx).
  -- seen_t0: a version current at t0 was read, so the deal's first version began by t0 and no
  -- Stage_History stay before it is current at either instant. hc_only: no version was read;
  -- the others have one before t1, so only their state at t0 can come from Stage_History.
  -- probe: no version current at t0 was read (so the one read is its state at t1) and its
  -- versions do not overlap; only its state at t0 is missing, and that is one version (below).
  -- began_t0: the deal's first version began by t0 (null first_from: not known, as if it did);
  -- only then can a version be current at t0, so only then is the probe below made (10.3k of the
  -- quarter's 10.7k probed deals at 1M leads were created after its start).
  rd as materialized (
    select g.deal_id, g.a0 and g.a1 and not g.bk as complete, not g.a0 and not g.bk as probe,
      g.a0 as seen_t0, false as hc_only, g.began_t0
    from (
      select r.deal_id, bool_or(r.at0) as a0, bool_or(r.at1) as a1,
        exists (select from analytics.f_deal_versions x where x.deal_id = r.deal_id
          and x.valid_to < x.valid_from) as bk,
        bool_or(r.first_from is null or r.first_from <= p.t0) as began_t0
      from r, p group by r.deal_id
    ) g
    union all
    select hc.deal_id, false, false, false, true, true from hc
    where not exists (select from r where r.deal_id = hc.deal_id)
  ),
  -- A deal without versions of its own stands as its current record (one state); only the
  -- window's such deals can count. The deals read above have versions: only the others are
  -- looked up (offset 0 keeps that order: 18k lookups for none found cost a quarter 15 ms).
  -- Those are left out by a hashed `not in` (r's deal ids are never null, so it is the anti
  -- join): planned as a merge anti join, sorting both sides cost a quarter 37 ms at 1M leads.
  -- The window's ids come from the Closing_Date index alone (f_deals_closing_idx includes the
  -- id), the few deals left by primary key: reading the window's 18k rows to keep none cost a
  -- quarter about 8 ms at 1M leads (158 → 151 ms).
  nv as materialized (
    select d.id as deal_id, coalesce(d.created_at, '-infinity') as valid_from,
      d.deleted_at as valid_to, false as gone, d.stage, coalesce(d.amount, 0) as amount,
      d.closing_date
    from (
      select c.id from analytics.f_deals c, p
      where c.closing_date >= p.start_day and c.closing_date < p.full_end
        and c.id not in (select r.deal_id from r)
      offset 0
    ) c
    join analytics.f_deals d on d.id = c.id
    where not exists (select 1 from analytics.f_deal_versions x where x.deal_id = d.id)
  ),
  -- Their states current at t0 or at t1: as read when complete, else by primary key; the
  -- window's deals without versions; and, for a deal looked up and not seen at t0, the
  -- Stage_History stays current at t0 (and at t1 for hc_only) when they began before its first
  -- version, each ending at the next entry or at that first version, whichever is first. Each is
  -- the last history entry by that instant, one backward probe of
  -- f_stage_entries_history_deal_idx (empty where no history was read; the exists skips even
  -- those probes then). Reading every stay between t0 and t1 instead cost a quarter 0.6-0.85 s
  -- at 1M with full Stage_History (1.13M entries), against 0.25-0.33 s so.
  v as (
    select r.deal_id, r.valid_from, r.valid_to, r.gone, r.stage, r.amount, r.closing_date
    from r join rd on rd.deal_id = r.deal_id
    where rd.complete or rd.probe
    union all
    -- A probed deal's state at t0: each version ends where the next (by version) begins, and
    -- where none ends before it begins, both ends grow with the version; so the first version
    -- not ended by t0 is the one current at t0 when it began by then, and else none is. One
    -- version by primary key instead of every version not ended by t0 (10.7k deals of the
    -- quarter's 18.3k at 1M leads, 47k versions): a quarter 170 → 158 ms.
    select fv.deal_id, fv.valid_from, fv.valid_to, fv.change = 'delete' as gone, fv.stage,
      coalesce(fv.amount, 0) as amount, fv.closing_date
    from rd cross join p
    cross join lateral (select x.* from analytics.f_deal_versions x
      where x.deal_id = rd.deal_id and (x.valid_to is null or x.valid_to > p.t0)
      order by x.version limit 1) fv
    where rd.probe and rd.began_t0 and fv.valid_from <= p.t0
    union all
    select fv.deal_id, fv.valid_from, fv.valid_to, fv.change = 'delete' as gone, fv.stage,
      coalesce(fv.amount, 0) as amount, fv.closing_date
    from rd cross join p
    -- per deal by primary key (offset 0 keeps the lookup: a join hashes every version)
    cross join lateral (select x.* from analytics.f_deal_versions x
      where x.deal_id = rd.deal_id and (x.valid_to is null or x.valid_to > p.t0) offset 0) fv
    where not rd.complete and not rd.probe
    union all
    select nv.* from nv
    union all
    select e.deal_id, e.entered_at, least(e.left_at, f.first_from), false, e.stage,
      coalesce(h.amount, 0), e.closing_date
    from rd cross join p
    cross join lateral (
      select e.* from (
        (select e.* from analytics.f_stage_entries e
          where e.row_id is not null and e.deal_id = rd.deal_id and e.entered_at <= p.t0
          order by e.entered_at desc, e.seq desc limit 1)
        union
        (select e.* from analytics.f_stage_entries e
          where rd.hc_only and e.row_id is not null and e.deal_id = rd.deal_id
            and e.entered_at < p.t1
          order by e.entered_at desc, e.seq desc limit 1)
      ) e
      where e.left_at is null or e.left_at > p.t0) e
    cross join lateral (select min(x.valid_from) as first_from from analytics.f_deal_versions x
      where x.deal_id = e.deal_id) f
    left join analytics.f_stage_history h on h.deal_id = e.deal_id and h.row_id = e.row_id
    where not rd.complete and not rd.seen_t0 and e.entered_at < f.first_from
      and exists (select from analytics.f_stage_entries x where x.row_id is not null)
  ),
  s as materialized (
    select v.*, not v.gone and v.stage not like 'Closed%' and v.closing_date >= p.start_day
        and v.closing_date < p.full_end as in_window,
      not v.gone and v.stage = 'Closed Won' as won,
      not v.gone and v.stage like 'Closed Lost%' as lost
    from v, p
    where (v.valid_from <= p.t0 and (v.valid_to is null or v.valid_to > p.t0))
      or (v.valid_from < p.t1 and (v.valid_to is null or v.valid_to >= p.t1))
  ),
  s0 as (select s.* from s, p where s.valid_from <= p.t0 and (s.valid_to is null or s.valid_to > p.t0)),
  s1 as (select s.* from s, p where s.valid_from < p.t1 and (s.valid_to is null or s.valid_to >= p.t1)),
  j as (
    select coalesce(a.deal_id, b.deal_id) as deal_id,
      coalesce(a.in_window, false) as in0, coalesce(b.in_window, false) as in1,
      a.deal_id is null or a.gone as absent0,
      a.won or a.lost as closed0,
      coalesce(a.amount, 0) as a0, coalesce(b.amount, 0) as a1,
      b.deal_id is null or b.gone as absent1, coalesce(b.won, false) as won1,
      coalesce(b.lost, false) as lost1,
      b.closing_date >= p.start_day and b.closing_date < p.full_end as closes_in_window
    from s0 a full join s1 b on b.deal_id = a.deal_id, p
  ),
  k as (
    select j.*,
      case when in0 then null when in1 or (closes_in_window and (won1 or lost1)
        and not coalesce(closed0, false)) then case when absent0 then 'new' else 'moved_in' end
      end as entry,
      case when in1 then null
        when in0 and absent1 then 'removed'
        when (in0 or closes_in_window) and won1 and not coalesce(closed0, false) then 'won'
        when (in0 or closes_in_window) and lost1 and not coalesce(closed0, false) then 'lost'
        when in0 then 'moved_out' end as exit
    from j
  ),
  -- Every step counted and summed in one pass over k (a union of five scans of it, grouped
  -- against the step names, cost the quarter about 8 ms at 1M leads, the month 2, the same rows).
  -- Exits count deals in the start set or entered in the period, at their current amount, a
  -- removal at its start amount; changed = amount changes of the start set's deals still there.
  t as (
    select count(*) filter (where in0) as n1, sum(a0) filter (where in0) as a1,
      count(*) filter (where entry = 'new') as n2, sum(a1) filter (where entry = 'new') as a2,
      count(*) filter (where entry = 'moved_in') as n3,
      sum(a1) filter (where entry = 'moved_in') as a3,
      count(*) filter (where in0 and exit is distinct from 'removed' and a1 <> a0) as n4,
      sum(a1 - a0) filter (where in0 and exit is distinct from 'removed' and a1 <> a0) as a4,
      count(*) filter (where exit = 'won' and (in0 or entry is not null)) as n5,
      sum(a1) filter (where exit = 'won' and (in0 or entry is not null)) as a5,
      count(*) filter (where exit = 'lost' and (in0 or entry is not null)) as n6,
      sum(a1) filter (where exit = 'lost' and (in0 or entry is not null)) as a6,
      count(*) filter (where exit = 'moved_out' and (in0 or entry is not null)) as n7,
      sum(a1) filter (where exit = 'moved_out' and (in0 or entry is not null)) as a7,
      count(*) filter (where exit = 'removed' and (in0 or entry is not null)) as n8,
      sum(a0) filter (where exit = 'removed' and (in0 or entry is not null)) as a8,
      count(*) filter (where in1) as n9, sum(a1) filter (where in1) as a9
    from k
  )
  select v.step, v.ord, v.deals, coalesce(v.amount, 0)
  from t cross join lateral (values ('start', 1, t.n1, t.a1), ('new', 2, t.n2, t.a2),
    ('moved_in', 3, t.n3, t.a3), ('changed', 4, t.n4, t.a4), ('won', 5, t.n5, t.a5),
    ('lost', 6, t.n6, t.a6), ('moved_out', 7, t.n7, t.a7), ('removed', 8, t.n8, t.a8),
    ('end', 9, t.n9, t.a9)) v(step, ord, deals, amount)
  order by v.ord
$$;
comment on function analytics.pipeline_waterfall(date, text) is
  'Pipeline waterfall (Pipeline Inspection / Deltek composition variant): the pipeline of a '
  'period = open deals with Closing_Date in the whole calendar period; start = at the period''s '
  'first instant, end = at the end of p_as_of, from the deal versions we own (before a deal''s '
  'first version, its Stage_History stay then: Stage, Closing_Date, Amount); '
  'end = start + new + moved_in + changed − won − lost − moved_out − removed (exits at their '
  'current amount, amount changes of deals in the start set in "changed"; deals created and '
  'closed inside the period pass through new and won/lost)';
