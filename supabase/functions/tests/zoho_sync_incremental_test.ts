import assert from "node:assert/strict";
import postgres from "postgres";
import { createApp } from "../zoho-sync/app.ts";
import { STAGE_HISTORY_STEP } from "../_shared/sync/stage_history.ts";
import { diffWithTruth, SERVICE_KEY, startHarness } from "./_zoho_sync.ts";

async function sync(app: ReturnType<typeof createApp>, body: unknown = {}) {
  const res = await app.request("/zoho-sync", {
    method: "POST",
    headers: { authorization: `Bearer ${SERVICE_KEY}` },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

let release: () => void = () => {};
const released = new Promise<void>((resolve) => (release = resolve));

Deno.test("zoho-sync incremental", async (t) => {
  const h = await startHarness("zs_incr", { size: { leads: 2500 } }, { ZOHO_SEGMENTS: "4" });
  const { controls } = h.sim;
  // Default simulator behaviour: a restore does not move Modified_Time (restoreBumpsModifiedTime
  // false), so the restore below is found through the deleted-records list, not the records read.
  const app = createApp({ env: h.env, sql: h.db.sql });
  try {
    await t.step("full sync past 2,000 leads and 50 fields equals the truth", async () => {
      const out = await sync(app, { mode: "full" });
      assert.equal(out.status, "done");
      assert.equal(controls.records.count("Leads") > 2000, true);
      const diff = await diffWithTruth(h.db.sql, h.sim);
      assert.deepEqual([diff.missing, diff.extra], [[], []]);
    });

    await t.step(
      "creates, edits, deletes, restores and conversions arrive incrementally",
      async () => {
        controls.clock.advance(120);
        const created = controls.records.create("Leads", { Last_Name: "Newcomer" });
        const deal = controls.records.idOf("Deals", 3);
        controls.records.update("Deals", deal, { Stage: "Negotiation/Review" });
        const gone = controls.records.idOf("Leads", 7);
        controls.records.delete("Leads", gone);
        const back = controls.records.idOf("Contacts", 2);
        controls.records.delete("Contacts", back);
        controls.clock.advance(5);
        controls.records.restore("Contacts", back);
        const leads = [...controls.records.iterate("Leads")].filter((l) => l.Converted__s !== true);
        const conv = controls.records.convert(leads[3]!.id);
        controls.clock.advance(5);
        const out = await sync(app);
        assert.equal(out.status, "done");
        const diff = await diffWithTruth(h.db.sql, h.sim);
        assert.deepEqual([diff.missing, diff.extra], [[], []]);
        const [d] = await h.db.sql`select deleted_at is not null as deleted from zoho.records
        where module = 'Leads' and id = ${gone}`;
        assert.equal(d!.deleted, true);
        const history = await h.db.sql`select change from zoho.record_versions
        where module = 'Deals' and id = ${deal} order by version`;
        assert.deepEqual(history.map((r) => r.change), ["insert", "update"]);
        const [stage] = await h.db.sql`select count(*)::int as n from crm.deal_stage_history
        where deal_id = ${deal} and stage = 'Negotiation/Review'`;
        assert.equal(stage!.n, 1);
        const [c] = await h.db.sql`select converted, converted_deal_id from crm.leads
        where id = ${leads[3]!.id}`;
        assert.deepEqual(c, { converted: true, converted_deal_id: conv.deal });
        const [n] = await h.db.sql`select count(*)::int as n from zoho.records
        where module = 'Leads' and id = ${created.id}`;
        assert.equal(n!.n, 1);
      },
    );

    await t.step("a no-change run costs one records call per module, answered 304", async () => {
      // Past the overlap window, one run settles the cursors past the last changes.
      controls.clock.advance(120);
      assert.equal((await sync(app)).status, "done");
      controls.clock.advance(60);
      controls.log.clear();
      const out = await sync(app);
      assert.equal(out.status, "done");
      const entries = controls.log.entries();
      const lists = entries.filter((e) => /\/crm\/v7\/[A-Za-z_]+$/.test(e.path));
      // The Stage_History step has its own row: nothing changed, so no deal is queued, no call.
      const history = out.modules.find((m: { module: string }) => m.module === STAGE_HISTORY_STEP);
      assert.deepEqual([history?.api_calls, history?.queued], [0, 0]);
      const modules = out.modules.length - 1;
      // Leads has more than 50 fields: two field groups, one call each. Nothing else: the
      // modules list is reused within its TTL, deletions wait for their cadence, no history.
      assert.equal(lists.length, modules + 1);
      assert.equal(
        entries.length,
        lists.length,
        JSON.stringify(entries.map((e) => e.path + e.query + " " + e.status)),
      );
      assert.ok(lists.every((e) => e.status === 304), JSON.stringify(lists.map((e) => e.status)));
      const total = out.modules.reduce((n: number, m: { api_calls: number }) => n + m.api_calls, 0);
      assert.equal(total, entries.length);
      const [log] = await h.db.sql`select count(*)::int as n, sum(api_calls)::int as calls
        from zoho.sync_logs where run_id = ${out.run_id}`;
      assert.deepEqual(log, { n: modules + 1, calls: total });
    });

    await t.step("a slice settles what its writes left: rollups folded, touches", async () => {
      await h.db.sql`select analytics.refresh_facts()`;
      controls.clock.advance(60);
      const lead = controls.records.create("Leads", {
        Last_Name: "Folded",
        Lead_Source: "Partner",
      });
      controls.records.delete("Leads", controls.records.idOf("Leads", 11));
      controls.clock.advance(5);
      // A call on the new lead: its first touch is the call's start (analytics.settle_facts).
      const call = controls.records.create("Calls", {
        Subject: "First call",
        $se_module: "Leads",
        What_Id: { id: lead.id, name: "Folded" },
        Call_Start_Time: lead.Modified_Time,
      });
      controls.clock.advance(5);
      const out = await sync(app);
      assert.equal(out.status, "done");
      const [r] = await h.db.sql`select
          (select count(*) from analytics.r_leads_log)::int as log,
          (select sum(leads) from analytics.r_leads_folded where dimension = 'all')::int as folded,
          (select count(*) from analytics.f_leads)::int as facts,
          (select count(*) from analytics.f_touches_dirty)::int as dirty`;
      assert.deepEqual(r, { log: 0, folded: r!.facts, facts: r!.facts, dirty: 0 });
      assert.ok(r!.facts > 2000, JSON.stringify(r));
      const [touch] = await h.db.sql`select l.first_touch_at = a.touched_at as settled
        from analytics.f_leads l, analytics.f_activities a
        where l.id = ${lead.id} and a.module = 'Calls' and a.id = ${call.id}`;
      assert.deepEqual(touch, { settled: true });
    });

    await t.step(
      "a slice does not wait on a snapshot holding the facts: it leaves them",
      async () => {
        // Another session holds the facts' lock, as a snapshot's catch-up or a rebuild does.
        const holder = postgres(h.db.url, { max: 1, onnotice: () => {} });
        try {
          const held = holder.begin(async (tx) => {
            await tx`select pg_advisory_xact_lock(hashtext('analytics.refresh_facts'))`;
            await released;
          });
          controls.clock.advance(60);
          const lead = controls.records.create("Leads", {
            Last_Name: "Waiting",
            Lead_Source: "Web",
          });
          controls.records.create("Calls", {
            Subject: "Call while a snapshot runs",
            $se_module: "Leads",
            What_Id: { id: lead.id, name: "Waiting" },
            Call_Start_Time: lead.Modified_Time,
          });
          controls.clock.advance(5);
          // Not blocked: the slice ends, folds, and leaves the touches to the lock's holder.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const out = await Promise.race([
            sync(app),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error("the slice waited on the lock")), 30_000);
            }),
          ]).finally(() => clearTimeout(timer));
          assert.equal(out.status, "done");
          const [r] = await h.db.sql`select
            (select count(*) from analytics.f_touches_dirty)::int > 0 as left,
            (select count(*) from analytics.r_leads_log)::int as log,
            (select first_touch_at from analytics.f_leads where id = ${lead.id}) as first`;
          assert.deepEqual(r, { left: true, log: 0, first: null });
          release();
          await held;
          // The next settle (a slice's end, or the snapshot's catch-up) takes them.
          await h.db.sql`select analytics.settle_facts()`;
          const [after] = await h.db.sql`select
            (select count(*) from analytics.f_touches_dirty)::int as dirty,
            (select first_touch_at is not null from analytics.f_leads where id = ${lead.id})
              as touched`;
          assert.deepEqual(after, { dirty: 0, touched: true });
        } finally {
          release();
          await holder.end();
        }
      },
    );
  } finally {
    await h.close();
  }
});
