/** Zoho's error envelope `{code, details, message, status: "error"}` and the codes we answer with. */

/** An error the simulator answers with, carrying HTTP status and Zoho code. */
export class ZohoError extends Error {
  override name = "ZohoError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The JSON body Zoho sends. */
  body(): Record<string, unknown> {
    return { code: this.code, details: this.details, message: this.message, status: "error" };
  }
}

export function invalidToken(): ZohoError {
  return new ZohoError(401, "INVALID_TOKEN", "invalid oauth token");
}

export function authenticationFailure(): ZohoError {
  return new ZohoError(401, "AUTHENTICATION_FAILURE", "Authentication failed");
}

export function scopeMismatch(status: number): ZohoError {
  return new ZohoError(status, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL");
}

export function invalidModule(details: Record<string, unknown> = { resource_path_index: 0 }) {
  return new ZohoError(400, "INVALID_MODULE", "the module name given seems to be invalid", details);
}

export function requiredParamMissing(param: string): ZohoError {
  return new ZohoError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
    param_name: param,
  });
}

export function invalidData(message: string, details: Record<string, unknown> = {}): ZohoError {
  return new ZohoError(400, "INVALID_DATA", message, details);
}

export function invalidUrl(): ZohoError {
  return new ZohoError(
    404,
    "INVALID_URL_PATTERN",
    "Please check if the URL trying to access is a correct one",
  );
}

/** 429 as Zoho sends it for credits, concurrency and sub-concurrency: no Retry-After header. */
export function tooManyRequests(reason: string): ZohoError {
  return new ZohoError(429, "TOO_MANY_REQUESTS", reason);
}

export function internalError(): ZohoError {
  return new ZohoError(500, "INTERNAL_ERROR", "Internal Server Error");
}
