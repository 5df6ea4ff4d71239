/**
 * `deno task bench brief`: the brief's costs, side by side in one run, on the demo company's
 * snapshots (the database of `bench metrics`, `bench_metrics_<leads>`, loaded once and kept):
 * - the check's CPU per brief, against the whole generate-brief call without a model (rules)
 *   and with the fake Ollama answering at once (so the ratio is the check's share of the call);
 * - the prompt's Llama 3 tokens per snapshot (on `--leads=1000000`, the 1M-lead company);
 * - against a real Ollama at OLLAMA_HOST when one answers (else one line saying it was skipped):
 *   share of briefs passing the check on the first try, attempts per brief, seconds per brief.
 * Flags: `--leads=N` (default 3,000, the demo), `--days=N` snapshots (default 5), `--runs=N`
 * calls per snapshot for the timings (default 5), `--fresh`.
 */
import llama3Tokenizer from "llama3-tokenizer-js";
import { checkSections, draftSections } from "../../supabase/functions/_shared/brief/check.ts";
import { startFakeOllama } from "../../supabase/functions/_shared/brief/fake_ollama.ts";
import { writeBrief } from "../../supabase/functions/_shared/brief/generate.ts";
import {
  BRIEF_ENV,
  ollamaWriter,
  shownHost,
} from "../../supabase/functions/_shared/brief/ollama.ts";
import { buildMessages, promptText } from "../../supabase/functions/_shared/brief/prompt.ts";
import { rulesBrief } from "../../supabase/functions/_shared/brief/rules.ts";
import { loadPayload } from "../../supabase/functions/_shared/brief/store.ts";
import { closeAllSql } from "../../supabase/functions/_shared/db.ts";
import { computeSnapshot } from "../../supabase/functions/_shared/metrics/snapshot.ts";
import { createApp } from "../../supabase/functions/generate-brief/app.ts";
import { benchDatabase } from "./metrics.ts";
import { adminUrl } from "../local/scratch_db.ts";

function flag(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const leads = flag(args, "leads", 3000);
  const days = flag(args, "days", 5);
  const runs = flag(args, "runs", 5);
  const sql = await benchDatabase(leads, args.includes("--fresh"));
  const url = new URL(
    adminUrl("run the benchmark"),
  );
  url.pathname = `/bench_metrics_${leads}`;
  const fake = startFakeOllama();
  try {
    const snapshots: string[] = [];
    for (let d = days - 1; d >= 0; d--) {
      const asOf = new Date(Date.UTC(2026, 2, 4 - d)).toISOString().slice(0, 10);
      const t0 = performance.now();
      const { snapshot } = await computeSnapshot(sql, { asOf });
      const t1 = performance.now();
      const payload = (await loadPayload(sql, snapshot.id))!;
      const t2 = performance.now();
      snapshots.push(snapshot.id);
      const tokens = llama3Tokenizer.encode(promptText(buildMessages(payload))).length;
      console.log(
        `snapshot ${asOf}: ${payload.facts.length} facts, prompt ${tokens} Llama 3 tokens ` +
          `(snapshot ${ms(t1 - t0)}, driver facts + payload ${ms(t2 - t1)})`,
      );
    }

    // The check alone, on the rules brief of each payload.
    const checkTimes: number[] = [];
    for (const id of snapshots) {
      const payload = (await loadPayload(sql, id))!;
      const sections = draftSections(rulesBrief(payload));
      for (let i = 0; i < runs * 20; i++) {
        const t0 = performance.now();
        checkSections(sections, payload);
        checkTimes.push(performance.now() - t0);
      }
    }

    // The whole function in process, rules vs the fake model answering at once.
    const call = async (model: string, host: string) => {
      const app = createApp({
        env: () => ({
          SUPABASE_DB_URL: url.href,
          SUPABASE_SERVICE_ROLE_KEY: "bench",
          OLLAMA_MODEL: model,
          OLLAMA_HOST: host,
        }),
      });
      const times: number[] = [];
      for (const id of snapshots) {
        const payload = (await loadPayload(sql, id))!;
        fake.script({ kind: "reply", content: JSON.stringify(rulesBrief(payload)) });
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          const res = await app.request("/generate-brief", {
            method: "POST",
            headers: { authorization: "Bearer bench", "content-type": "application/json" },
            body: JSON.stringify({ snapshot_id: id, regenerate: true }),
          });
          const body = await res.json();
          times.push(performance.now() - t0);
          if (body.model !== model) throw new Error(`Unexpected brief: ${JSON.stringify(body)}`);
        }
      }
      return times;
    };
    const rules = await call("rules", fake.url);
    const faked = await call("llama3.2:1b", fake.url);
    const check = median(checkTimes);
    console.log(`check per brief: median ${ms(check)} over ${checkTimes.length} checks`);
    console.log(
      `generate-brief without a model (rules): median ${ms(median(rules))}; with the fake ` +
        `model answering at once: median ${ms(median(faked))}`,
    );
    console.log(
      `ratio check / whole call: ${(check / median(rules)).toFixed(3)} (rules), ${
        (check / median(faked)).toFixed(3)
      } (fake model)`,
    );
    await realModel(sql, snapshots);
  } finally {
    await fake.close();
    await closeAllSql();
    await sql.end();
  }
}

async function realModel(sql: Awaited<ReturnType<typeof benchDatabase>>, snapshots: string[]) {
  const settings = BRIEF_ENV.parse(Deno.env.toObject());
  try {
    const res = await fetch(`${settings.host}/api/version`, {
      headers: settings.headers,
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`status ${res.status}`);
  } catch (e) {
    console.log(
      `real model: skipped, no Ollama answers at ${shownHost(settings.host)} (${
        (e as Error).message
      })`,
    );
    return;
  }
  let firstTry = 0;
  let attempts = 0;
  let seconds = 0;
  const tokens: number[] = [];
  for (const id of snapshots) {
    const payload = (await loadPayload(sql, id))!;
    const t0 = performance.now();
    const brief = await writeBrief(payload, {
      model: settings.model,
      writer: ollamaWriter(settings),
      maxAttempts: settings.maxAttempts,
    });
    seconds += (performance.now() - t0) / 1000;
    attempts += brief.checks.filter((c) => c.model !== "rules").length;
    if (brief.checks[0]?.ok && brief.checks[0].model !== "rules") firstTry++;
    if (brief.promptTokens) tokens.push(brief.promptTokens);
  }
  const n = snapshots.length;
  console.log(
    `real model ${settings.model} at ${
      shownHost(settings.host)
    }: ${firstTry}/${n} briefs pass the check on ` +
      `the first try; ${(attempts / n).toFixed(2)} attempts and ${(seconds / n).toFixed(1)} s ` +
      `per brief; prompt tokens (Ollama) ${tokens.length ? median(tokens) : "n/a"}`,
  );
}
