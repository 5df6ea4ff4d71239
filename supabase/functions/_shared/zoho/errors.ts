/**
 * The Zoho client's one error type. `ZohoApiError` carries the HTTP status, method, path and
 * Zoho's code (`ZohoApiError: GET /crm/v7/Leads (401 INVALID_TOKEN)`), so retry and refresh
 * decisions read fields, never messages. Secrets (tokens, query strings) never go in it.
 */

/** What failed: HTTP status (0 for network errors), method, path, Zoho's code, a detail. */
export interface FailedCall {
  status: number;
  method: string;
  path: string;
  code: string;
  detail?: string;
}

/** A failed Zoho call: HTTP status (0 for network errors), method, path and Zoho's code. */
export class ZohoApiError extends Error {
  override name = "ZohoApiError";
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly code: string;
  constructor({ status, method, path, code, detail = "" }: FailedCall) {
    super(`${method} ${path} (${status} ${code})${detail ? `: ${detail}` : ""}`);
    this.status = status;
    this.method = method;
    this.path = path;
    this.code = code;
  }
}

/** Zoho could not be reached at all (connection failed or timed out), after retries. */
export class ZohoUnreachableError extends Error {
  override name = "ZohoUnreachableError";
}

/**
 * A network failure of a Zoho call as ZohoUnreachableError naming the host to check (the accounts
 * server of `accountsUrl` for token calls, else the API domain); other errors unchanged.
 */
export function asZohoUnreachable(error: unknown, accountsUrl: string): unknown {
  if (!(error instanceof ZohoApiError) || error.status !== 0) return error;
  if (error.code !== "NETWORK" && error.code !== "TIMEOUT") return error;
  const where = error.path.startsWith("/oauth/")
    ? `the Zoho accounts server ${new URL(accountsUrl).host} (ZOHO_ACCOUNTS_URL)`
    : "the Zoho API domain (api_domain of the token, or ZOHO_API_DOMAIN)";
  const how = error.code === "TIMEOUT" ? "timed out" : "connection failed";
  return new ZohoUnreachableError(
    `Cannot reach ${where}: ${how} (${error.method} ${error.path})`,
    { cause: error },
  );
}

/** Reads Zoho's `{code, message, status: "error"}` envelope (or OAuth's `{error}`) from a body. */
export function errorCodeOf(body: string): { code: string; message: string } | null {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (typeof parsed.code === "string") {
      return { code: parsed.code, message: String(parsed.message ?? "") };
    }
    // Some errors come wrapped like per-record results: {"data":[{"code":...,"status":"error"}]}.
    const first = Array.isArray(parsed.data) ? parsed.data[0] as Record<string, unknown> : null;
    if (first && first.status === "error" && typeof first.code === "string") {
      return { code: first.code, message: String(first.message ?? "") };
    }
    if (typeof parsed.error === "string") {
      return { code: parsed.error, message: String(parsed.error_description ?? "") };
    }
  } catch { /* not JSON: truncated body or an HTML error page */ }
  return null;
}
