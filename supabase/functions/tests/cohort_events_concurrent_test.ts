/**
 * Cohort conversion's day events (analytics.r_cohorts) stay the sum of analytics.cohort_events over
 * the converted leads and their deals as they are, when a lead's conversion and its deal's win are
 * written by two transactions at once. The lead's trigger pairs the lead with its deal as its
 * transaction sees it (not won yet), the deal's trigger looks for the leads converted into it; each
 * alone would miss the other's uncommitted row, so the second waits for the first to commit (the
 * maintainers' lock, analytics.keep_first_wins's) and then sees it.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";

const DEAL = "ce-race-d1";
const LEAD = "ce-race-l1";

const CONVERT = (lead: string, deal: string) =>
  `insert into analytics.f_leads (id, created_at, created_day, lead_source, converted,
     converted_day, converted_deal_id)
   values ('${lead}', '2026-01-03 10:00Z', '2026-01-03', 'ce-web', true, '2026-01-10',
     '${deal}')`;
const WIN = (_lead: string, deal: string) =>
  `update analytics.f_deals set stage = 'Closed Won', is_won = true, is_closed = true
   where id = '${deal}'`;

for (
  const [name, first, second] of [
    ["the conversion first, then the win", CONVERT, WIN],
    ["the win first, then the conversion", WIN, CONVERT],
  ] as const
) {
  Deno.test(`cohort events follow a conversion and its deal's win written at once: ${name}`, async () => {
    const db = await createScratchDb("cohort_events", { max: 4 });
    try {
      await db.sql`insert into analytics.f_deals (id, created_at, created_day, stage, amount,
          closing_date, is_won, is_lost, is_closed)
        values (${DEAL}, '2026-01-05 10:00Z', '2026-01-05', 'Negotiation/Review', 100,
          '2026-02-20', false, false, false)`;

      let written!: () => void;
      const firstWritten = new Promise<void>((resolve) => written = resolve);
      let release!: () => void;
      const held = new Promise<void>((resolve) => release = resolve);
      // The first write, then its transaction held open.
      const one = db.sql.begin(async (tx) => {
        await tx.unsafe(first(LEAD, DEAL));
        written();
        await held;
      });
      await firstWritten;
      // The second, in a transaction of its own, while the first is not yet committed.
      let twoDone = false;
      const two = db.sql.begin(async (tx) => {
        await tx.unsafe(second(LEAD, DEAL));
      }).finally(() => twoDone = true);
      // Until the second waits for a lock (behind the first's maintainer lock) or has finished.
      const deadline = Date.now() + 10_000;
      let waited = false;
      while (!twoDone && Date.now() < deadline) {
        const [w] = await db.sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`;
        if (w!.n > 0) {
          waited = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      release();
      await Promise.all([one, two]);

      const kept = await db.sql`select r.measure, r.day, sum(r.n)::int as n
        from (select * from analytics.r_cohorts_folded union all
          select * from analytics.r_cohorts_log) r
        where r.lead_source = 'ce-web'
        group by 1, 2 having sum(r.n) <> 0 order by 1, 2`;
      const defined = await db.sql`select k.measure, k.day, sum(k.n)::int as n
        from analytics.f_leads f
        left join analytics.f_deals d on d.id = f.converted_deal_id
        cross join lateral analytics.cohort_events(f, d, analytics.time_zone()) k
        where f.id = ${LEAD}
        group by 1, 2 order by 1, 2`;
      assert.ok(waited, "the second writer waited for the first's commit");
      assert.deepEqual(
        defined.map((r) => Number(r.measure)),
        [0, 1, 2],
        "the lead counts as converted, with a deal and won",
      );
      assert.deepEqual(
        kept.map((r) => [Number(r.measure), String(r.day), r.n]),
        defined.map((r) => [Number(r.measure), String(r.day), r.n]),
        "kept events = defined after both committed",
      );
    } finally {
      await db.drop();
    }
  });
}
