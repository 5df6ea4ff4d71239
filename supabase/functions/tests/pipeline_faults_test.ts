// Faults in a pipeline run on the local stack: a sync that needs many slices, a function that
// answers 500, a stage that hangs past its budget, the gateway unreachable, Postgres restarted
// mid-run. Each run recovers through the watchdog (called here directly instead of waiting for
// pg_cron's minute) or fails with a reason that says what went wrong.
import assert from "node:assert/strict";
import { loadLocalConfig } from "../../../scripts/local/config.ts";
import { putSecret } from "../../../scripts/local/pipeline_setup.ts";
import { startPostgres, stopPostgres } from "../../../scripts/local/postgres.ts";
import { startRun } from "../_shared/pipeline/runs.ts";
import { cancelRunning, simulatorDate, waitForRun, withStageSettings } from "./_pipeline.ts";
import { stackEnv, stackSql } from "./_stack.ts";

async function events(sql: ReturnType<typeof stackSql>, runId: string, stage: string) {
  const rows = await sql<{ event: string; detail: string | null }[]>`
    select event, detail from pipeline.events where run_id = ${runId} and stage = ${stage}
    order by id`;
  return rows.map((r) => `${r.event}: ${r.detail ?? ""}`);
}

/**
 * Runs `body` with every Leads page answered `ms` late by the simulator, so a full read of the
 * demo company's leads needs several slices however fast the sync is (one slice of 668 ms read
 * all 3,000 once each call's deadline timer stopped holding memory).
 */
async function withSlowLeads<T>(ms: number, body: () => Promise<T>): Promise<T> {
  const base = `${stackEnv().ZOHO_SIM_URL}/__sim/faults`;
  const res = await fetch(base, {
    method: "POST",
    body: JSON.stringify({ kind: "slow", delayMs: ms, path: "/crm/v7/Leads" }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = await res.json() as { id: number };
  try {
    return await body();
  } finally {
    await fetch(`${base}/${id}`, { method: "DELETE" }).then((r) => r.body?.cancel());
  }
}

Deno.test("a sync needing many slices queues each next slice at once", async () => {
  const sql = stackSql();
  try {
    await cancelRunning(sql);
    // A full read of the leads in 1 s slices (a few hundred Zoho credits, not a whole sync).
    const done = await withSlowLeads(300, async () => {
      const run = await startRun(sql, "fault-test", {
        as_of: await simulatorDate(),
        mode: "full",
        budget_ms: 1_000,
        modules: ["Leads"],
      });
      return await waitForRun(sql, run.id, { timeoutMs: 120_000 });
    });
    const run = { id: done.id };
    assert.equal(done.status, "succeeded", done.error ?? "");
    const sync = done.stages[0]!;
    assert.ok(sync.slices >= 2, `expected several slices, got ${sync.slices}`);
    const [leads] = await sql<{ n: number }[]>`
      select count(*)::int as n from zoho.records where module = 'Leads'`;
    assert.ok(Number(sync.counts.fetched) >= leads!.n, JSON.stringify(sync.counts));
    // No waiting for the minute tick between slices: each gap is well under a second or two.
    const [gap] = await sql<{ max_gap: number }[]>`
      select max(extract(epoch from next_at - at))::float8 as max_gap from (
        select at, lead(at) over (order by id) as next_at, event from pipeline.events
        where run_id = ${run.id} and stage = 'sync') e
      where event = 'slice'`;
    assert.ok(gap!.max_gap < 5, `slowest hand-over between slices: ${gap!.max_gap} s`);
  } finally {
    await cancelRunning(sql);
    await sql.end();
  }
});

Deno.test("a function answering 500 is retried and the run recovers", async () => {
  const sql = stackSql();
  try {
    await cancelRunning(sql);
    await sql`alter table analytics.snapshots
      add constraint pipeline_fault_test check (false) not valid`;
    const run = await withStageSettings(sql, "metrics", { backoff_seconds: 1 }, async () => {
      const run = await startRun(sql, "fault-test", { as_of: await simulatorDate() });
      await waitForRun(sql, run.id, {
        tick: true,
        until: (r) => r.stages[1]!.status === "retrying",
      });
      await sql`alter table analytics.snapshots drop constraint pipeline_fault_test`;
      return await waitForRun(sql, run.id, { tick: true });
    });
    assert.equal(run.status, "succeeded", run.error ?? "");
    assert.equal(run.stages[1]!.attempts, 2);
    const log = await events(sql, run.id, "metrics");
    assert.ok(
      log.some((l) =>
        /^attempt_failed: attempt 1 of 3: PostgresError: .*pipeline_fault_test/.test(l)
      ),
      log.join("\n"),
    );
  } finally {
    await sql`alter table analytics.snapshots drop constraint if exists pipeline_fault_test`;
    await cancelRunning(sql);
    await sql.end();
  }
});

Deno.test("a stage hanging past its budget times out and is retried", async () => {
  const sql = stackSql();
  const locker = stackSql(1);
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  try {
    await cancelRunning(sql);
    const run = await withStageSettings(
      sql,
      "metrics",
      { budget_seconds: 5, backoff_seconds: 0 },
      async () => {
        // Holds a lock compute_snapshot needs, so the metrics function hangs.
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => locked = r);
        const holder = locker.begin(async (tx) => {
          await tx`lock table analytics.snapshots in exclusive mode`;
          locked();
          await released;
        });
        await isLocked;
        const run = await startRun(sql, "fault-test", { as_of: await simulatorDate() });
        const hung = await waitForRun(sql, run.id, {
          tick: true,
          timeoutMs: 30_000,
          until: (r) => r.stages[1]!.attempts >= 2,
        });
        release();
        await holder;
        assert.equal(hung.stages[1]!.attempts, 2);
        return await waitForRun(sql, run.id, { tick: true });
      },
    );
    assert.equal(run.status, "succeeded", run.error ?? "");
    const log = await events(sql, run.id, "metrics");
    assert.ok(
      log.some((l) =>
        l.includes("attempt 1 of 3: timed out: no report within 5 s (the function started")
      ),
      log.join("\n"),
    );
  } finally {
    release();
    await locker.end();
    await cancelRunning(sql);
    await sql.end();
  }
});

Deno.test("the gateway unreachable: retried until it is back, or failed with the reason", async (t) => {
  const sql = stackSql();
  const env = stackEnv();
  try {
    await withStageSettings(sql, "sync", { backoff_seconds: 1, max_attempts: 2 }, async () => {
      await t.step("down for good: the run fails saying it cannot reach the function", async () => {
        await cancelRunning(sql);
        await putSecret(sql, { name: "project_url", value: "http://127.0.0.1:9" });
        const run = await startRun(sql, "fault-test", { as_of: await simulatorDate() });
        const done = await waitForRun(sql, run.id, { tick: true, timeoutMs: 30_000 });
        assert.equal(done.status, "failed");
        assert.match(
          done.error!,
          /^Stage sync failed after 2 attempt\(s\): cannot reach the function: /,
        );
        assert.equal(done.stages[1]!.status, "skipped");
      });
      await t.step("back after a while: the retry reaches it and the run succeeds", async () => {
        await cancelRunning(sql);
        const run = await startRun(sql, "fault-test", { as_of: await simulatorDate() });
        await waitForRun(sql, run.id, {
          tick: true,
          until: (r) => r.stages[0]!.status === "retrying",
        });
        await putSecret(sql, { name: "project_url", value: env.SUPABASE_URL! });
        const done = await waitForRun(sql, run.id, { tick: true });
        assert.equal(done.status, "succeeded", done.error ?? "");
        assert.equal(done.stages[0]!.attempts, 2);
      });
    });
  } finally {
    await putSecret(sql, { name: "project_url", value: env.SUPABASE_URL! });
    await cancelRunning(sql);
    await sql.end();
  }
});

Deno.test("Postgres restarted in the middle of a sync: the run recovers", async () => {
  const config = loadLocalConfig();
  const sql = stackSql();
  try {
    await cancelRunning(sql);
    // A slice cut off by the restart never reports: the watchdog times it out after the stage
    // budget (20 s here), and its sync lease expires by itself (ZOHO_LEASE_SECONDS). A quick
    // sync may be over before the restart, which then cuts off a later stage: theirs are short
    // too, so the run recovers within the wait wherever the restart falls.
    const settings = { budget_seconds: 20, backoff_seconds: 5, max_attempts: 6 };
    const quick = { budget_seconds: 30, backoff_seconds: 5 };
    const later = (stages: string[], body: () => Promise<void>): Promise<void> => {
      const [stage, ...rest] = stages;
      return stage ? withStageSettings(sql, stage, quick, () => later(rest, body)) : body();
    };
    await later(
      ["metrics", "brief", "pulse"],
      () =>
        withStageSettings(sql, "sync", settings, async () => {
          const run = await withSlowLeads(1_000, async () => {
            const run = await startRun(sql, "fault-test", {
              as_of: await simulatorDate(),
              mode: "full",
              budget_ms: 3_000,
              modules: ["Leads"],
            });
            await waitForRun(sql, run.id, {
              until: (r) => r.stages[0]!.slices >= 2,
              timeoutMs: 60_000,
            });
            return run;
          });
          // postgres.js reconnects by itself once the server is back.
          await stopPostgres(config);
          await startPostgres(config);
          const done = await waitForRun(sql, run.id, { tick: true, timeoutMs: 180_000 });
          assert.equal(done.status, "succeeded", done.error ?? "");
          assert.equal(done.stages[1]!.status, "succeeded");
          const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from zoho.records
        where module = 'Leads' and deleted_at is null and last_synced_at >= ${done.started_at}`;
          // Every live lead this full run stored was fetched by one of its slices (leads deleted
          // by earlier tests stay stored, marked, and are not fetched again).
          assert.ok(row!.n > 0);
          assert.ok(Number(done.stages[0]!.counts.fetched) >= row!.n);
        }),
    );
  } finally {
    await cancelRunning(sql);
    await sql.end();
  }
});

Deno.test("a pulse refused with 429 is retried and reaches each recipient exactly once", async () => {
  const sql = stackSql();
  const env = stackEnv();
  const phones = ["+15555550197", "+15555550198"];
  try {
    await cancelRunning(sql);
    for (const phone of phones) {
      await sql`insert into whatsapp.recipients (name, phone, role, opted_in)
        values ('Pulse fault test', ${phone}, 'CRO', true)
        on conflict (phone) do update set opted_in = true`;
    }
    // Twilio answers 429 (Too Many Requests) to the first recipient once.
    const fail = await fetch(`${env.TWILIO_API_URL}/__sink/fail`, {
      method: "POST",
      body: JSON.stringify({
        to: phones[0],
        status: 429,
        code: 20429,
        message: "Too Many Requests",
      }),
    });
    assert.equal(fail.status, 200);
    await fail.body?.cancel();
    const run = await withStageSettings(sql, "pulse", { backoff_seconds: 1 }, async () => {
      const run = await startRun(sql, "fault-test", { as_of: await simulatorDate() });
      return await waitForRun(sql, run.id, { tick: true, timeoutMs: 90_000 });
    });
    assert.equal(run.status, "succeeded", run.error ?? "");
    const pulse = run.stages[3]!;
    assert.equal(pulse.attempts, 2);
    assert.ok(
      (await events(sql, run.id, "pulse")).some((l) => l.includes("wait for a retry")),
    );
    const sid = env.TWILIO_ACCOUNT_SID!;
    for (const phone of phones) {
      const query = new URLSearchParams({ To: `whatsapp:${phone}`, PageSize: "1000" });
      const url = `${env.TWILIO_API_URL}/2010-04-01/Accounts/${sid}/Messages.json?${query}`;
      const res = await fetch(url, {
        headers: { authorization: "Basic " + btoa(`${sid}:${env.TWILIO_AUTH_TOKEN}`) },
      });
      const { messages } = await res.json() as { messages: { to: string; date_created: string }[] };
      const got = messages.filter((m) =>
        m.to === `whatsapp:${phone}` && // Twilio dates are whole seconds.
        new Date(m.date_created).getTime() > new Date(run.started_at).getTime() - 1000
      );
      assert.equal(got.length, 1, `${phone} got the pulse exactly once`);
    }
  } finally {
    await sql`update whatsapp.recipients set opted_in = false where phone in ${sql(phones)}`;
    await cancelRunning(sql);
    await sql.end();
  }
});
