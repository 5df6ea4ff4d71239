import assert from "node:assert/strict";
import { createApp } from "../zoho-sync/app.ts";
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

/** Syncs until a run answers done (a changed field set leaves a module partial once). */
async function syncUntilDone(app: ReturnType<typeof createApp>, body: unknown = {}) {
  let out = await sync(app, body);
  for (let i = 0; out.status !== "done" && i < 4; i++) out = await sync(app);
  assert.equal(out.status, "done", JSON.stringify(out));
  return out;
}

async function assertTruth(h: Awaited<ReturnType<typeof startHarness>>) {
  const diff = await diffWithTruth(h.db.sql, h.sim);
  assert.deepEqual([diff.missing, diff.extra], [[], []]);
}

Deno.test("zoho-sync follows restores and new custom fields", async (t) => {
  const h = await startHarness("zs_changes");
  const { controls } = h.sim;
  const app = createApp({ env: h.env, sql: h.db.sql });
  try {
    await t.step("full sync in the default mode equals the truth", async () => {
      await syncUntilDone(app, { mode: "full" });
      await assertTruth(h);
    });

    await t.step("a restore without a Modified_Time bump is found and stored", async () => {
      assert.equal(controls.behaviour.restoreBumpsModifiedTime, false);
      const contact = controls.records.idOf("Contacts", 4);
      const lead = [...controls.records.iterate("Leads")].find((l) => l.Converted__s === true)!.id;
      controls.clock.advance(120);
      controls.records.delete("Contacts", contact);
      controls.records.delete("Leads", lead);
      controls.clock.advance(120);
      await syncUntilDone(app);
      const deleted = await h.db.sql`select id from zoho.records
        where deleted_at is not null and id in (${contact}, ${lead})`;
      assert.equal(deleted.length, 2);
      controls.records.restore("Contacts", contact);
      controls.records.restore("Leads", lead);
      // Restores move no Modified_Time: the records read sees nothing; the deletions check,
      // due after ZOHO_DELETED_CHECK_MINUTES (15) of Zoho time, finds them gone from the bin.
      controls.clock.advance(16 * 60);
      controls.log.clear();
      const out = await syncUntilDone(app);
      const restored = out.modules.reduce(
        (n: number, m: { restored: number }) => n + m.restored,
        0,
      );
      assert.equal(restored, 2);
      const byIds = controls.log.entries().filter((e) => /[?&]ids=/.test(e.query));
      assert.ok(byIds.length >= 2, "restored records are read with ids");
      const versions = await h.db.sql`select id, change from zoho.record_versions
        where id in (${contact}, ${lead}) and change = 'restore'`;
      assert.equal(versions.length, 2);
      const [open] = await h.db.sql`select count(*)::int as n from zoho.deletions
        where id in (${contact}, ${lead}) and restored_at is null`;
      assert.equal(open!.n, 0);
      await assertTruth(h);
    });

    await t.step(
      "a field added between runs arrives once the modules list is re-read",
      async () => {
        controls.clock.advance(60);
        controls.fields.add(
          "Contacts",
          { api_name: "Loyalty_Tier__c", data_type: "text" },
          (i) => (i % 3 === 0 ? "Gold" : null),
        );
        // Nothing else changed: the run is all 304 and keeps the cached modules list.
        const quiet = await syncUntilDone(app);
        assert.equal(
          quiet.modules.reduce((n: number, m: { fetched: number }) => n + m.fetched, 0),
          0,
        );
        // Once the modules list is older than ZOHO_MODULES_TTL_MINUTES the next run re-reads it.
        await h.db.sql`update zoho.metadata_snapshots set captured_at = now() - interval '2 hours'
        where kind = 'modules'`;
        controls.clock.advance(60);
        await syncUntilDone(app);
        await assertTruth(h);
        const [gold] = await h.db.sql`select count(*)::int as n from zoho.records
        where module = 'Contacts' and data ->> 'Loyalty_Tier__c' = 'Gold'`;
        assert.ok(gold!.n > 0);
      },
    );

    await t.step("a field added while a sync runs is read by the end of that sync", async () => {
      controls.clock.advance(60);
      controls.faults.add({ kind: "slow", delayMs: 100, path: "/crm/v7/Leads" });
      controls.log.clear();
      // The field is added as the first Leads page is asked for, before it is answered: polling
      // the log on a timer missed the request once on a loaded machine (the sync had finished).
      const asked = controls.log.next((e) => e.path === "/crm/v7/Leads");
      const running = sync(app, { mode: "full" });
      await asked;
      controls.fields.add(
        "Leads",
        { api_name: "Referral_Code__c", data_type: "text" },
        (i) => `R-${i}`,
      );
      const first = await running;
      controls.faults.clear();
      if (first.status !== "done") await syncUntilDone(app);
      await assertTruth(h);
      const [coded] = await h.db.sql`select count(*)::int as n from zoho.records
        where module = 'Leads' and deleted_at is null and data ? 'Referral_Code__c'`;
      const [all] = await h.db.sql`select count(*)::int as n from zoho.records
        where module = 'Leads' and deleted_at is null`;
      assert.equal(coded!.n, all!.n);
    });
  } finally {
    await h.close();
  }
});
