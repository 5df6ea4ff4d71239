/**
 * Every secret the project reads, planted in the environment, never reaches a log line or an
 * error response: the logger's default sink (console.error, where every log path ends), and each
 * error path of the functions' one error handler (http.ts). And no `console.*` outside log.ts
 * can bypass it.
 */
import assert from "node:assert/strict";
import { EnvError } from "./env.ts";
import { createFunctionApp, HttpError } from "./http/app.ts";
import { createLogger } from "./log.ts";

/** One value per secret, none shaped like a token the patterns would catch without the list. */
const PLANTED: Record<string, { env: string; secret: string }> = {
  SUPABASE_SERVICE_ROLE_KEY: { env: "svc-role-key-0123456789", secret: "svc-role-key-0123456789" },
  SUPABASE_SECRET_KEYS: {
    env: JSON.stringify({ default: "sb-secret-key-5566778899" }),
    secret: "sb-secret-key-5566778899",
  },
  JWT_SECRET: { env: "jwt-signing-secret-4433", secret: "jwt-signing-secret-4433" },
  DASHBOARD_LINK_SECRET: {
    env: "dash-link-secret-8877665544",
    secret: "dash-link-secret-8877665544",
  },
  TWILIO_AUTH_TOKEN: { env: "twilio0auth1value2xyz", secret: "twilio0auth1value2xyz" },
  ZOHO_CLIENT_SECRET: { env: "zoho-client-sec-1122", secret: "zoho-client-sec-1122" },
  ZOHO_REFRESH_TOKEN: { env: "zoho-refresh-val-3344", secret: "zoho-refresh-val-3344" },
  OLLAMA_HEADERS: {
    env: JSON.stringify({ "CF-Access-Client-Secret": "cf-tunnel-access-9090" }),
    secret: "cf-tunnel-access-9090",
  },
  SUPABASE_DB_URL: {
    env: "postgresql://postgres:db-pass-phrase-7788@127.0.0.1:54399/postgres",
    secret: "db-pass-phrase-7788",
  },
  PGPASSWORD: { env: "pg-pass-phrase-6655", secret: "pg-pass-phrase-6655" },
};

async function withPlantedEnv(fn: () => Promise<void>): Promise<void> {
  const saved = Object.keys(PLANTED).map((k) => [k, Deno.env.get(k)] as const);
  for (const [k, { env }] of Object.entries(PLANTED)) Deno.env.set(k, env);
  try {
    await fn();
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
}

Deno.test("every secret the project reads is redacted by value in logs and error responses", async () => {
  await withPlantedEnv(async () => {
    const output: string[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => output.push(args.map(String).join(" "));
    try {
      for (const [name, { secret }] of Object.entries(PLANTED)) {
        // The default sink, as every module logs (createLogger(scope)).
        const log = createLogger(`planted ${name}`);
        log.warn(`value ${secret} seen`, new Error(`plain ${secret}`));
        log.error(`value ${secret} seen`, new Error(`plain ${secret}`));
        // Each error path of the functions' error handler: response bodies and the lines it logs.
        const app = createFunctionApp("secrets-fn");
        app.get("/http", () => {
          throw new HttpError(400, "bad", `input had ${secret}`);
        });
        app.get("/env", () => {
          throw new EnvError(`variable is ${secret}`);
        });
        app.get("/unknown", () => {
          throw new Error(`exploded near ${secret}`);
        });
        for (const path of ["/http", "/env", "/unknown"]) {
          const res = await app.request(`/secrets-fn${path}`);
          output.push(`${res.status} ${await res.text()}`);
        }
      }
    } finally {
      console.error = consoleError;
    }
    const all = output.join("\n");
    assert.ok(all.includes("[redacted]"));
    const leaked = Object.entries(PLANTED).filter(([, { secret }]) => all.includes(secret));
    assert.deepEqual(leaked.map(([name]) => name), [], "secrets printed in clear");
  });
});

/** Any use of `console` in code (a call, `console["error"]`, an alias, globalThis.console), not
 * in a comment or a string. */
export function usesConsole(line: string): boolean {
  const code = line.replace(/\/\/.*$/, "").replace(/^\s*\/?\*.*$/, "");
  if (/globalThis\s*\[\s*["'`]console["'`]/.test(code)) return true;
  const bare = code.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  return /(?<![\w$])console\b/.test(bare);
}

Deno.test("usesConsole() sees every way to reach the console, not the word in prose", () => {
  for (
    const line of [
      "console.log(x)",
      'console["error"](x)',
      "const c = console;",
      "globalThis.console.warn(x)",
      'globalThis["console"].info(1)',
      "  const { log } = console;",
    ]
  ) {
    assert.ok(usesConsole(line), line);
  }
  for (
    const line of [
      " * the logger's sink (console.error, where every log path ends)",
      "// console.log(x)",
      'const s = "console.log";',
      "myconsole.log(1)",
    ]
  ) {
    assert.ok(!usesConsole(line), line);
  }
});

Deno.test("no console outside the logger in supabase/functions", async () => {
  const root = new URL("../", import.meta.url);
  const offenders: string[] = [];
  const walk = async (dir: URL, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${rel}${e.name}`;
      // Tests print results (and their child processes report to the parent on stdout);
      // vendored code is upstream's.
      if (e.isDirectory) {
        if (!["tests", "vendor", "node_modules"].includes(e.name)) {
          await walk(new URL(`${e.name}/`, dir), `${path}/`);
        }
        continue;
      }
      if (!e.name.endsWith(".ts") || e.name.endsWith("_test.ts")) continue;
      if (path === "_shared/log.ts") continue;
      const text = await Deno.readTextFile(new URL(e.name, dir));
      text.split("\n").forEach((line, i) => {
        if (usesConsole(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
  };
  await walk(root, "");
  assert.deepEqual(offenders, [], "use createLogger (_shared/log.ts)");
});
