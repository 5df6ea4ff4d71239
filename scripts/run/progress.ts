/**
 * A run's live progress, one line per stage: state, time, attempts, slices and counts. On a
 * terminal the block is redrawn in place; otherwise a line is printed whenever a stage changes.
 */
import type { RunStatus, StageStatus } from "../../supabase/functions/_shared/pipeline/runs.ts";

const MARK: Record<StageStatus["status"], string> = {
  pending: "·",
  queued: "…",
  running: "▶",
  retrying: "↻",
  succeeded: "✓",
  failed: "✗",
  skipped: "–",
};

const nf = new Intl.NumberFormat("en-US");

/** Seconds with one decimal. */
export function seconds(ms: number | null): string {
  return ms === null ? "" : `${(ms / 1000).toFixed(1)} s`;
}

/** Counts as `fetched 10,267 · inserted 9,873`, skipping zeros. */
export function formatCounts(counts: Record<string, unknown>): string {
  return Object.entries(counts)
    .filter(([, v]) => typeof v === "number" && v !== 0)
    .map(([k, v]) => `${k.replaceAll("_", " ")} ${nf.format(v as number)}`)
    .join(" · ");
}

/** One stage as a line. */
export function stageLine(s: StageStatus): string {
  const parts = [`${MARK[s.status]} ${s.stage.padEnd(8)} ${s.status.padEnd(9)}`];
  if (s.duration_ms !== null) parts.push(seconds(s.duration_ms).padStart(7));
  if (s.attempts > 1 || s.status === "retrying") {
    parts.push(`attempt ${s.attempts}/${s.max_attempts}`);
  }
  if (s.slices > 1) parts.push(`${s.slices} slices`);
  const counts = formatCounts(s.counts);
  if (counts) parts.push(counts);
  if (s.error && s.status !== "succeeded") parts.push(`— ${s.error}`);
  return parts.join("  ");
}

/** The run's header line. */
export function runLine(run: RunStatus): string {
  const head = `run ${run.id} (${run.trigger}) ${run.status} ${seconds(run.duration_ms)}`;
  return run.error ? `${head}: ${run.error}` : head;
}

/** Polls `read` until the run finishes, showing progress; returns the final status. */
export async function follow(
  read: () => Promise<RunStatus>,
  options: { intervalMs?: number; out?: (text: string) => void; tty?: boolean } = {},
): Promise<RunStatus> {
  const out = options.out ?? ((t: string) => Deno.stdout.writeSync(new TextEncoder().encode(t)));
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const seen = new Map<string, string>();
  let drawn = 0;
  for (;;) {
    const run = await read();
    if (tty) {
      const lines = [runLine(run), ...run.stages.map((s) => "  " + stageLine(s))];
      out((drawn ? `\x1b[${drawn}A` : "") + lines.map((l) => `\x1b[2K${l}\n`).join(""));
      drawn = lines.length;
    } else {
      for (const s of run.stages) {
        const key = `${s.status}/${s.attempts}/${s.slices}`;
        if (seen.get(s.stage) !== key) {
          seen.set(s.stage, key);
          if (s.status !== "pending") out("  " + stageLine(s) + "\n");
        }
      }
      if (run.status !== "running") out(runLine(run) + "\n");
    }
    if (run.status !== "running") return run;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}
