/**
 * The one HTTP shape every function shares: a Hono app under `/<function-name>`, a
 * `GET /<name>/health` readiness route, and one error path that answers
 * `{ "error": { "code", "message" } }`: 4xx naming what was wrong, domain errors by the table in
 * error_map.ts (a lost database connection: 503 naming it), unknown errors logged (through log.ts, secrets redacted) and answered with a bare
 * 500.
 */
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z, ZodError } from "zod";
import { asDatabaseError } from "../db_errors.ts";
import { EnvError } from "../env.ts";
import { mapDomainError } from "./error_map.ts";
import { createLogger, redact } from "../log.ts";

/** An error the caller can act on, mapped to its HTTP status in `onError`. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(readonly status: ContentfulStatusCode, readonly code: string, message: string) {
    super(message);
  }
}

/** Describes zod issues as `field: problem` pairs, naming every field that was wrong. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
}

/**
 * Reads a JSON request body and parses it with `schema`: an empty body counts as `{}`, malformed
 * JSON is a 400 `invalid_json`, and schema errors are a 400 naming each wrong field.
 */
export async function readJsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
): Promise<z.infer<T>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, "invalid_json", "body: expected a JSON object");
    }
  }
  return schema.parse(body);
}

/** What the error path knows of a function beyond its name. */
export interface FunctionAppOptions {
  /** The function's database URL, named (host:port/database, no credentials) in a 503. */
  databaseUrl?: () => string | undefined;
}

/** The database URL of `options`, or undefined when it is not configured (never an error). */
function databaseUrl(options: FunctionAppOptions): string | undefined {
  try {
    return options.databaseUrl?.();
  } catch {
    return undefined;
  }
}

/** Creates a function's Hono app with its base path, health route and error mapping. */
export function createFunctionApp(name: string, options: FunctionAppOptions = {}): Hono {
  const app = new Hono().basePath(`/${name}`);
  // POST too, so a pg_cron job can ping a function with net.http_post.
  app.on(["GET", "POST"], "/health", (c) => c.json({ status: "ok", function: name }));
  app.notFound((c) =>
    c.json(
      { error: { code: "not_found", message: `No route ${c.req.method} ${c.req.path}` } },
      404,
    )
  );
  const log = createLogger(name);
  app.onError((err, c) => {
    // Every message an error response carries passes through redact, as log lines do.
    const answer = (
      code: string,
      message: string,
      status: ContentfulStatusCode,
      fields: Record<string, unknown> = {},
    ) => c.json({ error: { code, message: redact(message), ...fields } }, status);
    if (err instanceof HttpError) return answer(err.code, err.message, err.status);
    // A lost connection is a 503 naming the function's database, for every function.
    const domain = mapDomainError(asDatabaseError(err, databaseUrl(options)));
    if (domain) {
      if (domain.status >= 500) {
        log.warn(`${c.req.method} ${c.req.path} answered ${domain.status}`, err);
      }
      return answer(domain.code, domain.message, domain.status, domain.fields);
    }
    if (err instanceof ZodError) {
      return answer("invalid_request", describeZodError(err), 400);
    }
    if (err instanceof EnvError) {
      // Names the variables that are missing or malformed, never their values.
      log.warn(err.message);
      return answer("misconfigured", err.message, 500);
    }
    log.error(`unhandled error on ${c.req.method} ${c.req.path}`, err);
    return c.json({ error: { code: "internal_error", message: "Internal error" } }, 500);
  });
  return app;
}
