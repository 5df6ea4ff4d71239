/**
 * `deno task bench webhook`: WhatsApp reply latency through the functions gateway. The gateway
 * (scripts/local/gateway.ts, as `deno task start` serves it) runs on a loopback port with the
 * real whatsapp-webhook app on the demo company (the metrics bench's database, loaded once) and
 * a recipient row; 50 clients post Twilio-signed form requests concurrently, each with a new
 * MessageSid, and the reply time of each is measured. Four kinds, side by side in one run: the
 * gateway's health route (no database: the floor), the `help` command (inbound and outbound log
 * rows), questions (the keyword matcher, then the intent's answer, reused while the data version
 * stays the same: what executives asking about the same day's numbers get), and questions that
 * are all different, so each answer runs its SQL on the demo company. No model. Next to the
 * latencies it prints the CPU each reply cost in the gateway process (the load client's thread
 * left out) and in Postgres (its backends), read from /proc around each batch: what limits the
 * replies per second on this machine. Flags: `--leads=N` (default 20,000), `--requests=N` per
 * kind (default 500), `--concurrency=N` (default 50), `--fresh`. */
import type postgres from "postgres";
import { createGateway } from "../local/gateway.ts";
import type { LoadRequest, LoadResult } from "./webhook_client.ts";
import { benchDatabase } from "./metrics.ts";
import { closeAllSql } from "../../supabase/functions/_shared/db.ts";
import { createApp } from "../../supabase/functions/whatsapp-webhook/app.ts";
import { loadAskContext } from "../../supabase/functions/_shared/ask/answer.ts";
import { intentByName } from "../../supabase/functions/_shared/ask/intents.ts";
import { PERIOD_PHRASES } from "../../supabase/functions/_shared/ask/phrases.ts";
import { matchMessage } from "../../supabase/functions/_shared/ask/matcher.ts";
import { adminUrl } from "../local/scratch_db.ts";

const TOKEN = "bench-auth-token-0123456789abcdef";
const PHONE = "+15550009999";
const UNCACHED = "question, not cached";
/** The questions, rotated: each answer is SQL on the demo company. */
const QUESTIONS = [
  "rev mtd",
  "leads today",
  "pipeline",
  "win rate qtd",
  "top 5 deals",
  "whats closing this week",
  "leads by source this week",
  "revenue vs target this quarter",
];

function flag(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** CPU milliseconds so far: this process's threads (the load Worker's apart) and Postgres's. */
interface Cpu {
  gateway: number;
  client: number;
  postgres: number;
}

function ticks(stat: string): { comm: string; ppid: number; ms: number } {
  const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime, in clock ticks of 10 ms (USER_HZ = 100 on Linux).
  return { comm, ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 };
}

/** Reads /proc; undefined where there is none. `postmaster`: the cluster's main process. */
function cpuNow(postmaster: number): Cpu | undefined {
  try {
    const cpu = { gateway: 0, client: 0, postgres: 0 };
    for (const t of Deno.readDirSync("/proc/self/task")) {
      try {
        const { comm, ms } = ticks(Deno.readTextFileSync(`/proc/self/task/${t.name}/stat`));
        // Deno names a Worker's thread worker-N: the load client.
        if (comm.startsWith("worker-")) cpu.client += ms;
        else cpu.gateway += ms;
      } catch { /* the thread ended */ }
    }
    for (const p of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(p.name)) continue;
      try {
        const t = ticks(Deno.readTextFileSync(`/proc/${p.name}/stat`));
        if (Number(p.name) === postmaster || t.ppid === postmaster) cpu.postgres += t.ms;
      } catch { /* the process ended */ }
    }
    return cpu;
  } catch {
    return undefined;
  }
}

/** The cluster's postmaster: the parent of a backend of ours. */
async function postmasterPid(sql: postgres.Sql): Promise<number> {
  const [row] = await sql`select pg_backend_pid() as pid`;
  try {
    return ticks(await Deno.readTextFile(`/proc/${row!.pid}/stat`)).ppid;
  } catch {
    return -1;
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Questions that are all different to the registry (intent and parameters): sources, owners,
 * periods and deal names of the bench company combined, deduplicated by what they match. Each is
 * asked once, so its answer is computed, not reused.
 */
async function distinctQuestions(sql: postgres.Sql): Promise<string[]> {
  const ask = await loadAskContext(sql);
  const periods = [...new Map(PERIOD_PHRASES.map(([phrase, p]) => [p, phrase])).values()];
  const deals = await sql`select distinct split_part(r.data ->> 'Deal_Name', ' - ', 1) as name
    from zoho.records r where r.module = 'Deals' and r.deleted_at is null`;
  const candidates = [
    ...ask.sources.flatMap((s) => periods.map((p) => `leads from ${s} ${p}`)),
    ...ask.owners.flatMap((o) => periods.map((p) => `win rate for ${o} ${p}`)),
    ...ask.owners.flatMap((o) => periods.map((p) => `deals closing ${p} for ${o}`)),
    ...ask.sources.flatMap((s) => periods.map((p) => `roi of ${s} ${p}`)),
    ...periods.flatMap((p) => [`revenue ${p}`, `leads by source ${p}`, `lost deals ${p}`]),
    ...deals.map((d) => `how is the ${d.name} deal`),
  ];
  const seen = new Set<string>();
  return candidates.filter((q) => {
    const m = matchMessage(q, ask);
    if (m.kind !== "intent") return false;
    const intent = intentByName(m.intent)!;
    const key = `${intent.name} ${JSON.stringify(intent.parseParams(m.params))}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Runs one batch in the load Worker. */
function inWorker(worker: Worker, req: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => e.data.ok ? resolve(e.data.ok) : reject(new Error(e.data.error));
    worker.postMessage(req);
  });
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const leads = Number(flag(args, "leads", "20000"));
  const n = Number(flag(args, "requests", "500"));
  let concurrency = Number(flag(args, "concurrency", "50"));
  const sql = await benchDatabase(leads, args.includes("--fresh"));
  const [ready] = await sql`select exists (select from analytics.facts_built) as ok`;
  if (!ready?.ok) await sql`select analytics.refresh_facts()`;
  await sql`insert into whatsapp.recipients (name, phone, opted_in)
    values ('Bench Executive', ${PHONE}, true) on conflict (phone) do nothing`;
  const postmaster = await postmasterPid(sql);
  const fresh = await distinctQuestions(sql);
  await sql.end();
  const url = new URL(
    adminUrl("run the benchmark"),
  );
  url.pathname = `/bench_metrics_${leads}`;

  let publicUrl = "";
  const env = () => ({
    SUPABASE_DB_URL: url.href,
    TWILIO_AUTH_TOKEN: TOKEN,
    WHATSAPP_WEBHOOK_URL: publicUrl,
    ASK_AS_OF: "2026-03-04",
  });
  const gateway = createGateway({
    functions: [{ name: "whatsapp-webhook", enabled: true, verifyJwt: false, entrypoint: "" }],
    functionsDir: "",
    jwtSecret: "bench-jwt-secret-with-at-least-32-characters",
    load: () => Promise.resolve(createApp({ env })),
    log: () => {},
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gateway);
  const base = `http://127.0.0.1:${server.addr.port}/functions/v1/whatsapp-webhook`;
  publicUrl = base;
  const worker = new Worker(new URL("./webhook_client.ts", import.meta.url), { type: "module" });
  let sidStart = Date.now() * 1000;
  const batch = (bodies: (string | null)[], count: number) => {
    const req = { base, token: TOKEN, phone: PHONE, bodies, n: count, concurrency, sidStart };
    sidStart += count;
    return inWorker(worker, req);
  };
  try {
    // Warm-up: boot the app, fill the pool, the vocabulary and answer caches.
    await batch(QUESTIONS, 100);
    // name, bodies at 50 concurrent, bodies one at a time (new deal names: still not cached).
    const kinds: [string, (string | null)[], (string | null)[]][] = [
      ["gateway health (floor)", [null], [null]],
      ["command: help", ["help"], ["help"]],
      [`question (${QUESTIONS.length} kinds)`, QUESTIONS, QUESTIONS],
      [
        UNCACHED,
        fresh.slice(0, fresh.length - 50),
        fresh.slice(fresh.length - 50),
      ],
    ];
    const results: [string, LoadResult][] = [];
    const cpu: string[] = [];
    // Questions not cached are each asked once; the other kinds rotate over their bodies.
    const count = (name: string, of: { bodies: unknown[]; max: number }) =>
      name === UNCACHED ? of.bodies.length : of.max;
    for (const [name, bodies] of kinds) {
      const before = cpuNow(postmaster);
      const m = count(name, { bodies, max: n });
      results.push([name, await batch(bodies, m)]);
      const after = cpuNow(postmaster);
      if (before && after) {
        const per = (k: keyof Cpu) => ((after[k] - before[k]) / m).toFixed(2).padStart(5);
        cpu.push(
          `${name.padEnd(24)} gateway ${per("gateway")} ms  Postgres ${per("postgres")} ms  ` +
            `(load client ${per("client")} ms)`,
        );
      }
    }
    // The same kinds one at a time: each request's own service time, without queueing.
    const inFlight = concurrency;
    concurrency = 1;
    for (const [name, , bodies] of kinds) {
      const m = count(name, { bodies, max: Math.min(n, 100) });
      results.push([`${name}, 1 in flight`, await batch(bodies, m)]);
    }
    concurrency = inFlight;
    const floor = pct(results[0]![1].ms, 50);
    const floor1 = pct(results[kinds.length]![1].ms, 50);
    console.log(
      `${n} requests per kind, ${concurrency} concurrent, demo company of ${leads} leads, ` +
        `no model; load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")} on ` +
        `${navigator.hardwareConcurrency} cores`,
    );
    for (const [name, r] of results) {
      if (name.endsWith("1 in flight") && name.startsWith("gateway")) console.log("sequential:");
      const p50 = pct(r.ms, 50);
      const p99 = pct(r.ms, 99);
      console.log(
        `${name.replace(", 1 in flight", "").padEnd(24)} p50 ${
          p50.toFixed(1).padStart(6)
        } ms  p99 ${p99.toFixed(1).padStart(6)} ms  max ${
          r.ms.at(-1)!.toFixed(1).padStart(6)
        } ms  ${(r.ms.length / (r.wall / 1000)).toFixed(0).padStart(5)} req/s  p50 = ${
          (p50 / (name.endsWith("1 in flight") ? floor1 : floor)).toFixed(1)
        }× floor`,
      );
    }
    if (cpu.length) {
      console.log(`CPU per reply at ${concurrency} concurrent (from /proc, 10 ms ticks):`);
      for (const line of cpu) console.log(line);
    }
    const worst = Math.max(pct(results[1]![1].ms, 99), pct(results[2]![1].ms, 99));
    console.log(
      `target p99 < 100 ms for commands and questions: ${worst < 100 ? "met" : "NOT met"} ` +
        `(${worst.toFixed(1)} ms); ${results[3]![1].ms.length} questions all different: p99 ${
          pct(results[3]![1].ms, 99).toFixed(1)
        } ms ` +
        `(their SQL bounds it: Postgres CPU per answer above)`,
    );
  } finally {
    worker.terminate();
    await server.shutdown();
    await closeAllSql();
  }
}
