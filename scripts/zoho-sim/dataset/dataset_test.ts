import assert from "node:assert/strict";
import { PRODUCTS, STAGES } from "./catalog.ts";
import { createDataset, iterateRecords } from "./dataset.ts";
import { RECORD_MODULES } from "./modules.ts";
import { decodeId } from "./ids.ts";
import type { ZohoRecord } from "./types.ts";

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

function refs(rec: ZohoRecord): { id: string }[] {
  const out: { id: string }[] = [];
  for (const [key, value] of Object.entries(rec)) {
    if (key.startsWith("$") || key === "Owner" || key.endsWith("_By")) continue;
    if (value && typeof value === "object" && !Array.isArray(value) && "id" in value) {
      out.push(value as { id: string });
    }
  }
  return out;
}

Deno.test("dataset generator", async (t) => {
  const ds = createDataset({ seed: 7, leads: 1000 });

  await t.step("records are a pure function of seed, module and index", () => {
    const again = createDataset({ seed: 7, leads: 1000 });
    for (const m of ["Leads", "Deals", "Calls", "Notes"]) {
      assert.deepEqual(again.record(m, 13), ds.record(m, 13));
    }
    const other = createDataset({ seed: 8, leads: 1000 });
    assert.notDeepEqual(
      other.record("Leads", 13).Full_Name + String(other.record("Leads", 13).Email),
      ds.record("Leads", 13).Full_Name + String(ds.record("Leads", 13).Email),
    );
  });

  await t.step("every lookup points at a live record of the named module", () => {
    for (const mod of RECORD_MODULES) {
      for (const rec of iterateRecords({ seed: 7, leads: 1000, module: mod.api_name })) {
        for (const ref of refs(rec)) {
          const d = decodeId(ref.id);
          assert.ok(d, `${mod.api_name} ${rec.id} has a decodable lookup`);
          const target = RECORD_MODULES.find((m) => m.code === d.code);
          assert.ok(target, `lookup ${ref.id} names a record module`);
          assert.ok(d.index < ds.count(target.api_name), `${target.api_name} ${d.index} exists`);
          assert.equal(
            ds.deletion(target.api_name, d.index),
            null,
            `${target.api_name} ${d.index} is live`,
          );
        }
      }
    }
  });

  await t.step("conversions link contact, account and deal in $converted_detail", () => {
    let converted = 0;
    for (const lead of iterateRecords({ seed: 7, leads: 1000, module: "Leads" })) {
      if (!lead.Converted__s) {
        assert.deepEqual(lead.$converted_detail, {});
        continue;
      }
      converted++;
      const detail = lead.$converted_detail as Record<string, { id: string }>;
      const deal = ds.record("Deals", decodeId(detail.Deal!.id)!.index);
      assert.equal((deal.Contact_Name as { id: string }).id, detail.Contact!.id);
      assert.equal((deal.Account_Name as { id: string }).id, detail.Account!.id);
      assert.ok(Date.parse(String(deal.Created_Time)) >= Date.parse(String(lead.Created_Time)));
    }
    assert.equal(converted, ds.plan.conversions);
  });

  await t.step("deals use the standard stages, realistic amounts and a stage history", () => {
    const stages = new Set<string>(STAGES.map((s) => s.value));
    let won = 0;
    let closed = 0;
    for (let k = 0; k < ds.count("Deals"); k++) {
      const deal = ds.record("Deals", k);
      assert.ok(stages.has(String(deal.Stage)));
      assert.ok((deal.Amount as number) >= 99 && (deal.Amount as number) <= 2 * 60000);
      const history = ds.stageHistory(k);
      assert.equal(history[0]?.Stage, deal.Stage);
      assert.equal(history.at(-1)?.Stage, "Qualification");
      if (String(deal.Stage).startsWith("Closed")) closed++;
      if (deal.Stage === "Closed Won") won++;
    }
    const rate = won / closed;
    assert.ok(rate > 0.2 && rate < 0.6, `win rate ${rate}`);
    assert.ok(PRODUCTS.some(([name]) => name.includes("Whole-Home")));
  });

  await t.step("leads come from the six sources; campaigns carry costs", () => {
    const sources = new Set<string>();
    for (const lead of iterateRecords({ seed: 7, leads: 1000, module: "Leads" })) {
      sources.add(String(lead.Lead_Source));
    }
    assert.deepEqual([...sources].sort(), [
      "Facebook",
      "Google Ads",
      "Partner",
      "Referral",
      "Trade Show",
      "Website",
    ]);
    const c = ds.record("Campaigns", 0);
    assert.equal(typeof c.Budgeted_Cost, "number");
    assert.equal(typeof c.Actual_Cost, "number");
  });

  await t.step("ids are 19-digit strings and timestamps carry the offset", () => {
    const lead = ds.record("Leads", 0);
    assert.match(lead.id, /^\d{19}$/);
    assert.match(String(lead.Created_Time), TS);
    assert.ok(String(lead.Created_Time).endsWith("+05:30"));
    const utc = createDataset({ seed: 7, leads: 10, orgTimezoneOffset: "-11:00" }).record(
      "Leads",
      0,
    );
    assert.ok(String(utc.Created_Time).endsWith("-11:00"));
  });

  await t.step("streaming 60,000 leads keeps memory flat", () => {
    const before = Deno.memoryUsage().heapUsed;
    let n = 0;
    let peak = 0;
    for (const _ of iterateRecords({ seed: 1, leads: 60000, module: "Leads" })) {
      if (++n % 10000 === 0) peak = Math.max(peak, Deno.memoryUsage().heapUsed - before);
    }
    assert.ok(n > 59000);
    assert.ok(peak < 64 * 1024 * 1024, `heap grew ${peak} bytes`);
  });
});
