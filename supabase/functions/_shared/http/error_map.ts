/**
 * Domain errors as HTTP answers, in one table that `createFunctionApp`'s error path reads: routes
 * throw the domain's own errors and never pick a status themselves. Each entry carries its
 * reason; the error's message is the answer's message (domain messages name what failed, never
 * a secret).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DatabaseUnavailableError } from "../db_errors.ts";
import { StageNotActiveError } from "../pipeline/report.ts";
import { RunBusyError, RunNotFoundError, RunParamsError, RunStateError } from "../pipeline/runs.ts";
import { SyncBusyError } from "../sync/runs.ts";
import { ZohoApiError, ZohoUnreachableError } from "../zoho/errors.ts";

/** One mapping: errors of `type` answer `status` with `code` (and the error's `fields`). */
export interface DomainErrorMapping {
  // deno-lint-ignore no-explicit-any
  type: abstract new (...args: any[]) => Error;
  status: ContentfulStatusCode;
  code: string;
  /** Extra fields of the answer's `error` object, read from the error. */
  fields?: (error: Error) => Record<string, unknown>;
}

/** The table. */
export const DOMAIN_ERRORS: readonly DomainErrorMapping[] = [
  // Another run holds the sync lease (one sync at a time): the caller retries later.
  { type: SyncBusyError, status: 409, code: "busy" },
  // Zoho could not be reached at all: the message names the host (setting) to check.
  { type: ZohoUnreachableError, status: 502, code: "zoho_unreachable" },
  // Zoho kept failing after retries (the message names method, path, status and code only).
  { type: ZohoApiError, status: 502, code: "zoho_error" },
  // The database dropped or refused the connection: this request fails, the next reconnects
  // (callers retry: pg_net/pipeline, or by hand; the message names host, port and database).
  { type: DatabaseUnavailableError, status: 503, code: "database_unavailable" },
  // A pipeline request for a stage that is not waiting for work (a duplicate, or the run ended):
  // nothing was done.
  { type: StageNotActiveError, status: 409, code: "not_active" },
  // A pipeline run is already running (one at a time): its id, to follow or wait for.
  {
    type: RunBusyError,
    status: 409,
    code: "run_in_progress",
    fields: (e) => ({ run_id: (e as RunBusyError).runningRunId }),
  },
  // The request does not fit the run's state (retrying a running stage, Vault secrets missing).
  { type: RunStateError, status: 409, code: "invalid_state" },
  // The run parameters were refused by the database's own checks: the message names them.
  { type: RunParamsError, status: 400, code: "invalid_request" },
  { type: RunNotFoundError, status: 404, code: "not_found" },
];

/** The mapping of `error`, or null when it is not a domain error of the table. */
export function mapDomainError(
  error: unknown,
  table: readonly DomainErrorMapping[] = DOMAIN_ERRORS,
): {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  fields: Record<string, unknown>;
} | null {
  const hit = table.find((m) => error instanceof m.type);
  if (!hit) return null;
  const e = error as Error;
  return { status: hit.status, code: hit.code, message: e.message, fields: hit.fields?.(e) ?? {} };
}
