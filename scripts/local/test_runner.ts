/**
 * `deno task test`: runs every Deno test file (unit and integration, against the running local
 * stack) and every pgTAP file under supabase/tests with pg_prove, then prints one closing line
 * `N passed, N failed` over both.
 */
import { join } from "node:path";
import { dbUrl, type LocalConfig, ROOT, STATE_DIR } from "./config.ts";

interface Counts {
  passed: number;
  failed: number;
}

async function denoTests(config: LocalConfig, args: string[]): Promise<Counts> {
  const junit = join(STATE_DIR, "junit.xml");
  await Deno.remove(junit).catch(() => {});
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", `--junit-path=${junit}`, ...args],
    cwd: ROOT,
    env: { SUPABASE_DB_URL: dbUrl(config) },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  const xml = await Deno.readTextFile(junit).catch(() => "");
  const head = /<testsuites[^>]*>/.exec(xml)?.[0] ?? "";
  const attr = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(head)?.[1] ?? 0);
  const total = attr("tests");
  const failed = attr("failures") + attr("errors");
  if (!status.success && failed === 0) return { passed: total, failed: 1 }; // e.g. type errors
  return { passed: total - failed, failed };
}

async function pgTapTests(config: LocalConfig): Promise<Counts> {
  const dir = join(ROOT, "supabase/tests");
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(join(dir, "database"))) {
      if (e.isFile && e.name.endsWith(".sql")) files.push(e.name);
    }
  } catch { /* no pgTAP folder */ }
  if (files.length === 0) return { passed: 0, failed: 0 };
  const out = await new Deno.Command("pg_prove", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(config.dbPort),
      "-U",
      "postgres",
      "-d",
      "postgres",
      "--ext",
      ".sql",
      "-r",
      "-v",
      dir,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  console.log(text.trimEnd());
  const passed = (text.match(/^\s*ok \d+/gm) ?? []).length;
  let failed = (text.match(/^\s*not ok \d+/gm) ?? []).length;
  if (!out.success && failed === 0) failed = 1; // a file that died before its plan
  return { passed, failed };
}

/** Runs both suites; returns the exit code (0 only when nothing failed). */
export async function runTests(config: LocalConfig, args: string[]): Promise<number> {
  const deno = await denoTests(config, args);
  const filtered = args.some((a) => a.startsWith("--filter") || !a.startsWith("-"));
  const sql = filtered ? { passed: 0, failed: 0 } : await pgTapTests(config);
  console.log(`deno test: ${deno.passed} passed, ${deno.failed} failed`);
  console.log(`pgTAP: ${sql.passed} passed, ${sql.failed} failed`);
  const passed = deno.passed + sql.passed;
  const failed = deno.failed + sql.failed;
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
