/**
 * The dashboard's Refresh: `POST /dashboard/refresh` starts a pipeline run through the shared
 * pipeline core (the same `startRun` the admin API and the WhatsApp `sync` command call), as of
 * the day on screen, and answers 202 with the run at once; `GET /dashboard/refresh/:id` reads its stages. A browser
 * session must send the page's CSRF token in `x-csrf-token`; the service_role key needs none.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import { constantTimeEqual } from "../_shared/http/auth.ts";
import { type Access, checkAccess } from "../_shared/dashboard/access.ts";
import { csrfToken, dashboardSecret } from "../_shared/dashboard/link.ts";
import { getSql } from "../_shared/db.ts";
import { DB_ENV, parseEnv } from "../_shared/env.ts";
import { HttpError } from "../_shared/http/app.ts";
import { runStatus, startRun } from "../_shared/pipeline/runs.ts";

type Env = () => Record<string, string | undefined>;

const RUN_ID = z.uuid({ message: "expected a run id (uuid)" });

/** The clock and the environment the refresh routes read. */
interface RefreshDeps {
  env: Env;
  now: () => Date;
}

async function access(c: Context, deps: RefreshDeps): Promise<Access & { secret: string }> {
  const { env, now } = deps;
  const e = env();
  const secret = dashboardSecret(e);
  const a = await checkAccess(c.req.raw.headers, { env: e, secret, now: now() });
  if (a.kind === "refused") {
    throw new HttpError(401, "unauthorized", "Open the dashboard from a signed link first");
  }
  return { ...a, secret };
}

/** Adds the Refresh routes to the dashboard app. */
export function addRefreshRoutes(app: Hono, deps: RefreshDeps): void {
  const { env } = deps;
  const db = () => getSql(parseEnv(DB_ENV, env()).SUPABASE_DB_URL);

  app.post("/refresh", async (c) => {
    const a = await access(c, deps);
    if (a.kind === "session") {
      const sent = c.req.header("x-csrf-token") ?? "";
      if (!constantTimeEqual(sent, await csrfToken(a.token, a.secret))) {
        throw new HttpError(403, "csrf", "Refresh needs the page's CSRF token in x-csrf-token");
      }
    }
    // As of the day on screen (the newest built snapshot's): the daily run moves it to today;
    // a company whose data ends earlier (the demo's simulator clock) keeps its day. A run already
    // running or one that cannot start answers by the error map (409 run_in_progress with its id,
    // 409 invalid_state naming why).
    const [shown] = await db()<{ as_of: string }[]>`
      select as_of::text from dashboard.builds order by created_at desc limit 1`;
    const params = shown ? { as_of: shown.as_of } : {};
    return c.json(await startRun(db(), "dashboard", params), 202);
  });

  app.get("/refresh/:id", async (c) => {
    await access(c, deps);
    const parsed = RUN_ID.safeParse(c.req.param("id"));
    if (!parsed.success) {
      throw new HttpError(400, "invalid_request", "id: expected a run id (uuid)");
    }
    const run = await runStatus(db(), parsed.data);
    if (!run) throw new HttpError(404, "not_found", `No run ${parsed.data}`);
    return c.json(run);
  });
}
