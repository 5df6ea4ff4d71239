/**
 * The pipeline admin API through `@supabase/supabase-js` (`functions.invoke`), the way any
 * client reaches the functions: start a run, read one, list recent ones, re-run a stage.
 * Errors carry the API's `{error: {code, message}}`.
 */
import { createClient, FunctionsHttpError } from "@supabase/supabase-js";
import { type RunStatus, RunStatusSchema } from "../../supabase/functions/_shared/pipeline/runs.ts";

/** An error answer of the pipeline function. */
export class PipelineApiError extends Error {
  override name = "PipelineApiError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Start options (run parameters and the trigger name). */
export interface StartOptions {
  trigger?: string;
  as_of?: string;
  mode?: "incremental" | "full";
  budget_ms?: number;
  modules?: string[];
}

/** A client of the `pipeline` function. */
export interface PipelineClient {
  start(options?: StartOptions): Promise<RunStatus>;
  status(runId: string): Promise<RunStatus>;
  list(limit?: number): Promise<RunStatus[]>;
  retry(runId: string, stage: string): Promise<RunStatus>;
}

/** Creates the client for a project URL and its service-role key. */
export function pipelineClient(url: string, serviceRoleKey: string): PipelineClient {
  const supabase = createClient(url, serviceRoleKey, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
  });
  async function call(path: string, method: "GET" | "POST", body?: unknown): Promise<unknown> {
    const { data, error } = await supabase.functions.invoke(`pipeline/${path}`, {
      method,
      body: body as Record<string, unknown> | undefined,
    });
    if (error) {
      if (error instanceof FunctionsHttpError && error.context instanceof Response) {
        const res = error.context;
        const json = await res.json().catch(() => ({})) as {
          error?: { code?: string; message?: string };
        };
        throw new PipelineApiError(
          res.status,
          json.error?.code ?? "http_error",
          json.error?.message ?? `pipeline/${path} answered ${res.status}`,
        );
      }
      throw new Error(`Cannot reach the pipeline function: ${error.message}`);
    }
    return data;
  }
  return {
    async start(options = {}) {
      return RunStatusSchema.parse(await call("runs", "POST", options));
    },
    async status(runId) {
      return RunStatusSchema.parse(await call(`runs/${encodeURIComponent(runId)}`, "GET"));
    },
    async list(limit = 10) {
      const data = await call(`runs?limit=${limit}`, "GET") as { runs: unknown[] };
      return data.runs.map((r) => RunStatusSchema.parse(r));
    },
    async retry(runId, stage) {
      return RunStatusSchema.parse(
        await call(`runs/${encodeURIComponent(runId)}/stages/${stage}/retry`, "POST", {}),
      );
    },
  };
}
