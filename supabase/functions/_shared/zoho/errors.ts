/**
 * The Zoho client's one error type. `ZohoApiError` carries the HTTP status, method, path and
 * Zoho's code (`ZohoApiError: GET /crm/v7/Leads (401 INVALID_TOKEN)`), so retry and refresh
 * decisions read fields, never messages. Secrets (tokens, query strings) never go in it.
 */

/** A failed Zoho call: HTTP status (0 for network errors), method, path and Zoho's code. */
export class ZohoApiError extends Error {
  override name = "ZohoApiError";
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly code: string,
    detail = "",
  ) {
    super(`${method} ${path} (${status} ${code})${detail ? `: ${detail}` : ""}`);
  }
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
