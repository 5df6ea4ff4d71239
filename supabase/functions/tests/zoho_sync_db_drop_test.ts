import assert from "node:assert/strict";
import type postgres from "postgres";
import { createGateway } from "../../../scripts/local/gateway.ts";
import { startZohoSim } from "../../../scripts/zoho-sim/server.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp } from "../zoho-sync/app.ts";
import { startPrivateCluster } from "./_private_cluster.ts";
import { diffWithTruth, SERVICE_KEY } from "./_zoho_sync.ts";

// The scenario of porsager/postgres#1208 as a user meets it: the database goes away in the middle
// of a zoho-sync slice. The gateway (and this process) must stay up, the slice answers 503 naming
// the database, and later calls with the same run_id finish the sync with nothing lost.
Deno.test("zoho-sync survives a terminated connection and a Postgres restart mid-slice", async () => {
  const pg = await startPrivateCluster();
  const sim = await startZohoSim({ port: 0, size: { leads: 1500 } });
  try {
    const env = {
      SUPABASE_DB_URL: pg.url,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
      ZOHO_ACCOUNTS_URL: sim.credentials.accountsUrl,
      ZOHO_CLIENT_ID: sim.credentials.clientId,
      ZOHO_CLIENT_SECRET: sim.credentials.clientSecret,
      ZOHO_REFRESH_TOKEN: sim.credentials.refreshToken,
      ZOHO_LEASE_SECONDS: "3",
      ZOHO_CPU_BUDGET_MS: "600000", // the simulator shares this process (see _zoho_sync.ts)
    };
    const gateway = createGateway({
      functions: [{ name: "zoho-sync", enabled: true, verifyJwt: false, entrypoint: "index.ts" }],
      functionsDir: "",
      jwtSecret: "x".repeat(32),
      load: () => Promise.resolve(createApp({ env })),
      log: () => {},
    });
    const runId = crypto.randomUUID();
    const call = async () => {
      const res = await gateway(
        new Request("http://gw/functions/v1/zoho-sync", {
          method: "POST",
          headers: { authorization: `Bearer ${SERVICE_KEY}` },
          body: JSON.stringify({ mode: "full", run_id: runId }),
        }),
      );
      return { status: res.status, body: await res.json() };
    };
    const stored = async () => {
      const [row] = await pg.admin`select count(*)::int as n from zoho.records`;
      return row!.n as number;
    };
    // Pages slow enough that the drop lands while pages are read and written.
    sim.controls.faults.add({ kind: "slow", delayMs: 120, path: "/crm/v7/" });
    // Each drop lands while a statement of the slice is in flight: its next write waits on a
    // lock held here, then the connections are ended or the server restarted. (An idle pooled
    // connection that is ended is replaced without an error, and a slice with little left may be
    // over before a drop: the wait makes the drop certain.)
    const whileWriting = (drop: (tx: postgres.TransactionSql) => Promise<unknown>) =>
      pg.admin.begin(async (tx) => {
        await tx`lock table zoho.records in exclusive mode`;
        for (let i = 0; i < 400; i++) {
          await tx`select pg_stat_clear_snapshot()`;
          const [w] = await tx`select count(*)::int as n from pg_stat_activity
            where wait_event_type = 'Lock' and pid <> pg_backend_pid()`;
          if (w!.n > 0) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await drop(tx);
      });
    // [records stored by the slice before the drop, the drop]. The first slice stores most of
    // the company, so the second waits only for the slice to be writing.
    const drops: [number, () => Promise<unknown>][] = [
      [150, () =>
        whileWriting((tx) =>
          tx`select pg_terminate_backend(pid) from pg_stat_activity
            where backend_type = 'client backend' and pid <> pg_backend_pid()`
        )],
      // The restart, too, while a write of the slice waits (it ends this transaction as well).
      [0, () =>
        whileWriting(() => pg.restart()).catch((e) => {
          if (!/terminat|CONNECTION|ECONN|shut/i.test(String(e))) throw e;
        })],
    ];
    for (const [written, drop] of drops) {
      const before = await stored();
      const slice = call();
      for (let i = 0; i < 600 && await stored() < before + written; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      await drop();
      const out = await slice;
      assert.equal(out.status, 503, JSON.stringify(out.body));
      assert.equal(out.body.error.code, "database_unavailable");
      assert.match(
        out.body.error.message,
        new RegExp(`127\\.0\\.0\\.1:${pg.config.dbPort}/postgres`),
      );
      assert.doesNotMatch(out.body.error.message, /postgres:postgres@/, "no credentials");
    }
    sim.controls.faults.clear();
    // Postgres may still be starting after the restart (a 503 naming it): wait and call again.
    let out = await call();
    for (let i = 0; out.body.status !== "done" && i < 40; i++) {
      if (out.status === 503) await new Promise((r) => setTimeout(r, 250));
      out = await call();
    }
    assert.equal(out.status, 200, JSON.stringify(out.body));
    assert.equal(out.body.status, "done", JSON.stringify(out.body));
    const diff = await diffWithTruth(pg.admin, sim);
    assert.deepEqual([diff.missing, diff.extra], [[], []]);
    assert.ok(diff.total >= 1500);
    const [dupes] = await pg.admin`select count(*)::int as n from (
      select module, id, content_hash from zoho.record_versions
      group by 1, 2, 3 having count(*) > 1) x`;
    assert.equal(dupes!.n, 0, "no version stored twice");
  } finally {
    await closeAllSql();
    await sim.close();
    await pg.destroy();
  }
});
