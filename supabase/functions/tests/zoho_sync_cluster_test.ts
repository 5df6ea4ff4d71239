/**
 * A cluster of records sharing one Modified_Time (a mass update), three times what a slice reads
 * under a small CPU budget: every read, full or incremental, with the page_token chain kept, lost
 * between slices (expired, dropped) or the process killed mid-slice, ends with the database equal
 * to the simulator and fetched / stored at most 1.2 (issue 20: each slice used to read the cluster
 * again from its first record and never passed it).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEFAULT_SCOPE } from "../../../scripts/zoho-sim/sim/config.ts";
import { diffWithTruth, type Harness, startHarness } from "./_zoho_sync.ts";

const BUDGET_MS = 100;
const CLUSTER = 4000;
const CHILD = fileURLToPath(new URL("./_zoho_sync_slices_child.ts", import.meta.url));

interface Slice {
  run: string;
  status: string;
  cpuMs: number;
  module: { status: string; fetched: number; errors: string[]; stalled_slices?: number };
}

function runChild(h: Harness, env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD],
    env: { ...h.env, SIM_URL: h.sim.url, ...env },
    stdout: "piped",
    stderr: "inherit",
  });
}

async function slices(h: Harness, env: Record<string, string>): Promise<Slice[]> {
  const out = await runChild(h, env).output();
  assert.ok(out.success, "the sync child finished");
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean).map((l) =>
    JSON.parse(l) as Slice
  );
}

/** Records fetched against records new or changed, over the run's audit rows. */
async function ratio(h: Harness, runId: string) {
  const [row] = await h.db.sql<{ fetched: number; stored: number; slices: number }[]>`
    select sum(fetched)::int as fetched, sum(inserted + updated + restored)::int as stored,
      count(*)::int as slices
    from zoho.sync_logs where run_id = ${runId} and module = 'Leads'`;
  return { ...row!, ratio: row!.fetched / row!.stored };
}

function cluster(h: Harness, tag: string): void {
  // A second past the data, so the mass update is the newest second (and later, settled).
  h.sim.controls.clock.advance(3600);
  const ids = h.sim.controls.records.massUpdate("Leads", {
    count: CLUSTER,
    patch: (n) => ({ Description: `${tag} ${n}` }),
  });
  assert.equal(ids.length, CLUSTER);
  h.sim.controls.clock.advance(120);
}

async function check(h: Harness, run: Slice[], label: string) {
  const last = run.at(-1)!;
  if (Deno.env.get("DEBUG_SLICES")) { for (const s of run) console.log(JSON.stringify(s)); }
  assert.equal(last.status, "done", `${label}: the run finished (${last.module.errors[0] ?? ""})`);
  const r = await ratio(h, last.run);
  console.log(
    `${label}: ${run.length} slices, fetched ${r.fetched}, new or changed ${r.stored}, ` +
      `fetched/stored ${r.ratio.toFixed(3)}`,
  );
  assert.ok(r.ratio <= 1.2, `${label}: fetched/stored ${r.ratio.toFixed(3)} > 1.2`);
  const diff = await diffWithTruth(h.db.sql, h.sim, ["Leads"]);
  assert.deepEqual([diff.missing, diff.extra], [[], []], `${label}: equal to the simulator`);
}

for (const lose of ["none", "expire", "drop"]) {
  Deno.test(`zoho-sync passes a cluster 3x a slice (chain ${lose} between slices), full and incremental`, async (t) => {
    const h = await startHarness(`zs_cluster_${lose}`, { size: { leads: 5000 } }, {
      ZOHO_CPU_BUDGET_MS: String(BUDGET_MS),
      ZOHO_SEGMENTS: "1",
    });
    try {
      await t.step("full read with the cluster in it", async () => {
        cluster(h, "full");
        h.sim.controls.log.clear();
        const run = await slices(h, { MODE: "full", LOSE: lose });
        assert.ok(run.length >= 4, `the cluster spanned slices (${run.length})`);
        await check(h, run, `full, chain ${lose}`);
        // A kept chain continues across slices (no COQL); a lost one resumes inside the second.
        const coql = h.sim.controls.log.entries().filter((e) => e.path.endsWith("/coql")).length;
        if (lose === "none") assert.equal(coql, 0, "the saved chain was used by every slice");
        else assert.ok(coql > 0, "the lost chain resumed through COQL");
      });
      await t.step("incremental read of a new cluster", async () => {
        cluster(h, "incremental");
        const run = await slices(h, { MODE: "incremental", LOSE: lose });
        assert.ok(run.length >= 3, `the cluster spanned slices (${run.length})`);
        await check(h, run, `incremental, chain ${lose}`);
      });
    } finally {
      await h.close();
    }
  });
}

Deno.test("zoho-sync passes a cluster when the process is killed mid-slice (kill -9), then resumes", async () => {
  const h = await startHarness("zs_cluster_kill", { size: { leads: 5000 } }, {
    ZOHO_CPU_BUDGET_MS: String(BUDGET_MS),
    ZOHO_SEGMENTS: "1",
  });
  try {
    cluster(h, "kill");
    // Two kills: each once part of the cluster is stored, while the next slices run.
    let stored = 0;
    for (const target of [1000, 2000]) {
      const child = runChild(h, { MODE: "full" }).spawn();
      let exited = false;
      child.status.then(() => (exited = true));
      for (;;) {
        assert.ok(!exited, "the sync child was still running when killed");
        const [row] = await h.db.sql<{ n: number }[]>`select count(*)::int as n from zoho.records
          where module = 'Leads' and data ->> 'Description' like 'kill %'`;
        stored = row!.n;
        if (stored >= target) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel();
    }
    assert.ok(stored < CLUSTER, `killed inside the cluster (${stored} of it stored)`);
    const run = await slices(h, { MODE: "incremental" });
    await check(h, run, "after two kills");
  } finally {
    await h.close();
  }
});

Deno.test("zoho-sync fails a module that makes no progress for ZOHO_STALL_SLICES slices, naming where", async () => {
  // No COQL scope (the cluster cannot be read by id) and every chain refused as soon as it is
  // continued: each slice reads the cluster's first page again and never passes it.
  const h = await startHarness("zs_cluster_stall", { size: { leads: 1000 } }, {
    ZOHO_CPU_BUDGET_MS: String(BUDGET_MS),
    ZOHO_SEGMENTS: "1",
    ZOHO_STALL_SLICES: "3",
  });
  try {
    h.env.ZOHO_REFRESH_TOKEN = h.sim.controls.tokens.issueRefreshToken({
      scope: DEFAULT_SCOPE.replace(",ZohoCRM.coql.READ", ""),
    });
    const at = new Date(h.sim.controls.clock.advance(3600) * 1000).toISOString();
    h.sim.controls.records.massUpdate("Leads", { count: 800 });
    h.sim.controls.clock.advance(120);
    h.sim.controls.faults.add({
      kind: "status",
      status: 400,
      code: "INVALID_DATA",
      path: "/crm/v7/Leads",
      query: "page_token=",
    });
    const run = await slices(h, { MODE: "full" });
    const last = run.at(-1)!;
    assert.equal(last.module.status, "failed");
    assert.equal(last.module.stalled_slices, 3);
    assert.match(
      last.module.errors.at(-1)!,
      new RegExp(
        `^Cannot sync Leads: no progress in 3 slices in a row at Modified_Time ${
          at.replace(".000", "\\.000")
        }`,
      ),
    );
    const stalled = run.filter((s) => (s.module.stalled_slices ?? 0) > 0);
    assert.deepEqual(stalled.map((s) => s.module.stalled_slices), [1, 2, 3]);
    const [log] = await h.db.sql<{ status: string; errors: string[] }[]>`select status, errors
      from zoho.sync_logs where run_id = ${last.run} order by slice desc limit 1`;
    assert.equal(log!.status, "failed");
    assert.match(log!.errors.join(" "), /no progress in 3 slices/);
  } finally {
    await h.close();
  }
});
