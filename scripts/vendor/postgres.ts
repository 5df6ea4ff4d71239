/**
 * Generates `supabase/functions/_shared/vendor/postgres/`: postgres.js 3.4.9 from npm, made a
 * plain Deno module (Node built-ins imported as `node:` modules, `Buffer`/`process`/timers
 * imported rather than assumed global) with one fix applied: a connection that closes with a
 * small write queued no longer throws an uncaught `TypeError: Cannot read properties of null
 * (reading 'write')` from `nextWrite` (which kills the whole process), and no longer keeps a
 * stale write timer that leaves its next query hanging. The pending queries are rejected with
 * `CONNECTION_CLOSED` instead. Upstream: porsager/postgres#1066, #1154, #1208; unreleased fixes
 * in PRs #1168 and #1209. Drop this copy when a release carries the fix.
 *
 * `deno run -A scripts/vendor/postgres.ts` rewrites the copy; `postgres_test.ts` checks that the
 * committed copy is exactly what this produces, so the copy cannot drift from upstream + patch.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const UPSTREAM = { name: "postgres", version: "3.4.9" };
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const VENDOR_DIR = join(ROOT, "supabase/functions/_shared/vendor/postgres");

const SOURCES = [
  "bytes.js",
  "connection.js",
  "errors.js",
  "index.js",
  "large.js",
  "query.js",
  "queue.js",
  "result.js",
  "subscribe.js",
  "types.js",
];
const BUILTINS = ["os", "fs", "net", "tls", "crypto", "stream", "perf_hooks"];

/** One textual replacement; generation fails when `from` is not found exactly once. */
interface Edit {
  file: string;
  from: string;
  to: string;
}

const NOTE = "// crm-intel patch (porsager/postgres#1208, PRs #1168/#1209):";

/** The fix, as edits of upstream's connection.js. */
export const PATCH: Edit[] = [
  {
    file: "connection.js",
    from: "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)",
    to: `  function nextWrite(fn) {
    ${NOTE} the socket closed with this write queued.
    // Throwing here escapes every caller (it runs from setImmediate) and kills the process;
    // dropping the bytes silently leaves their query pending forever. Reject what is pending.
    if (socket === null) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    file: "connection.js",
    from: "    clearImmediate(nextWriteTimer)\n    if (socket) {",
    to: `    clearImmediate(nextWriteTimer)
    ${NOTE} forget the timer and the bytes of the dead socket,
    // or the next write waits for a timer that never fires (and a reconnect sends stale bytes).
    chunk = nextWriteTimer = null
    if (socket) {`,
  },
  {
    file: "connection.js",
    from: "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)",
    to: `    clearImmediate(nextWriteTimer)
    ${NOTE} as in terminate().
    chunk = nextWriteTimer = null
    socket.removeListener('data', data)`,
  },
];

function replaceOnce(text: string, edit: Edit): string {
  const at = text.indexOf(edit.from);
  if (at < 0 || text.indexOf(edit.from, at + 1) >= 0) {
    throw new Error(`Cannot patch ${edit.file}: the upstream text is not there exactly once`);
  }
  return text.slice(0, at) + edit.to + text.slice(at + edit.from.length);
}

/** Turns one upstream ESM file into a plain Deno module and applies its patch edits. */
export function transform(file: string, text: string): string {
  let out = text;
  for (const name of BUILTINS) {
    out = out.replaceAll(`from '${name}'`, `from 'node:${name}'`);
  }
  const needs: string[] = [];
  if (/\bBuffer\b/.test(out)) needs.push("import { Buffer } from 'node:buffer'");
  if (/\bprocess\.env\b/.test(out)) needs.push("import process from 'node:process'");
  if (/\b(setImmediate|clearImmediate)\b/.test(out)) {
    needs.push("import { setImmediate, clearImmediate } from 'node:timers'");
  }
  for (const edit of PATCH.filter((e) => e.file === file)) out = replaceOnce(out, edit);
  const head = file === "index.js" ? ['/* @ts-self-types="../types/index.d.ts" */'] : [];
  return [...head, ...needs, out].join("\n");
}

/** Where Deno's npm cache keeps the upstream package (downloading it when missing). */
export async function upstreamDir(): Promise<string> {
  const spec = `npm:${UPSTREAM.name}@${UPSTREAM.version}`;
  const info = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", ...args] })
      .output();
    if (!out.success) {
      throw new Error(`Cannot fetch ${spec}: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  };
  await info([spec]);
  const { npmCache } = await info([]);
  return join(npmCache, "registry.npmjs.org", UPSTREAM.name, UPSTREAM.version);
}

/** The vendored files (relative path → text) generated from the upstream package. */
export async function generate(from: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of SOURCES) {
    files.set(`src/${name}`, transform(name, await Deno.readTextFile(join(from, "src", name))));
  }
  // Upstream's CommonJS-style `export =` becomes an ES default export for a plain Deno module.
  const types = await Deno.readTextFile(join(from, "types/index.d.ts"));
  files.set(
    "types/index.d.ts",
    replaceOnce(types, {
      file: "index.d.ts",
      from: "export = postgres;",
      to: "export default postgres;",
    }),
  );
  const pkg = JSON.parse(await Deno.readTextFile(join(from, "package.json")));
  files.set(
    "README.md",
    `# postgres.js ${pkg.version} (vendored, patched)\n\n` +
      `Generated by \`scripts/vendor/postgres.ts\` from npm \`${pkg.name}@${pkg.version}\` ` +
      `(license: ${pkg.license}); do not edit by hand. See that script for the patch and why.\n`,
  );
  return files;
}

if (import.meta.main) {
  const files = await generate(await upstreamDir());
  await Deno.remove(VENDOR_DIR, { recursive: true }).catch(() => {});
  for (const [path, text] of files) {
    await Deno.mkdir(join(VENDOR_DIR, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(VENDOR_DIR, path), text);
  }
  console.log(`vendored ${UPSTREAM.name}@${UPSTREAM.version} into ${VENDOR_DIR}`);
}
