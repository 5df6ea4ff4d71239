/**
 * The one logger: a line per event on stderr, `<scope>: <message>` plus an error's name and
 * message (its stack only for unexpected errors). Secrets never reach the output: values of
 * secret-looking keys, bearer and Zoho OAuth tokens, JWTs, passwords in connection strings and
 * every value of the process's secret variables (and the parts of them that are secrets on their
 * own: each key of SUPABASE_SECRET_KEYS, each header value of OLLAMA_HEADERS, the database
 * password of SUPABASE_DB_URL) are replaced by `[redacted]`.
 */

/** Environment variables whose values are secrets wherever they appear. */
const SECRET_VARS = [
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_SECRET_KEYS",
  "SUPABASE_ANON_KEY",
  "SUPABASE_DB_URL",
  "JWT_SECRET",
  "DASHBOARD_LINK_SECRET",
  "PGPASSWORD",
  "OLLAMA_HEADERS",
  "ZOHO_CLIENT_SECRET",
  "ZOHO_REFRESH_TOKEN",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_API_SECRET",
];

/** Shapes of secrets in free text, each replaced by its kept prefix and `[redacted]`. */
const PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Zoho-oauthtoken)\s+[^\s"',]+/gi, "$1 [redacted]"],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, "[redacted]"], // a JWT
  [/\b1000\.[0-9a-f]{16,}\.[0-9a-f]{16,}\b/g, "[redacted]"], // a Zoho OAuth token
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, "$1[redacted]@"], // user:password@
  [
    /((?:token|secret|password|api[_-]?key|authorization|refresh_token|access_token)["']?\s*[:=]\s*["']?)(?!Bearer\b|Zoho-oauthtoken\b|\[redacted\])[^\s"'&,}]+/gi,
    "$1[redacted]",
  ],
];

/** Replaces every secret in `text` (known secret values first, then secret shapes). */
export function redact(
  text: string,
  env: Record<string, string | undefined> = safeEnv(),
): string {
  let out = text;
  for (const value of secretValues(env)) out = out.replaceAll(value, "[redacted]");
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** The secret values of `env`, longest first (a value may contain another). */
function secretValues(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of SECRET_VARS) {
    const value = env[name];
    if (!value) continue;
    out.push(value);
    if (name === "SUPABASE_SECRET_KEYS" || name === "OLLAMA_HEADERS") {
      out.push(...jsonValues(value));
    }
    if (name === "SUPABASE_DB_URL") out.push(...urlPassword(value));
  }
  // Short values would redact ordinary words; no secret here is shorter than 8 characters.
  return [...new Set(out.filter((v) => v.length >= 8))].sort((a, b) => b.length - a.length);
}

function jsonValues(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== "object") return [];
    return Object.values(parsed).filter((v): v is string => typeof v === "string");
  } catch {
    return []; // malformed: the whole value is still redacted
  }
}

function urlPassword(url: string): string[] {
  try {
    const { username, password } = new URL(url);
    // The local stack's postgres:postgres is public, and redacting "postgres" would blank the
    // user and database names of every line.
    if (!password || password === username) return [];
    return [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

function safeEnv(): Record<string, string | undefined> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // no env permission: only the shapes are redacted
  }
}

function describe(error: unknown, withStack: boolean): string {
  if (!(error instanceof Error)) return String(error);
  return withStack && error.stack ? error.stack : `${error.name}: ${error.message}`;
}

/** Where lines go (tests capture them). */
export type Sink = (line: string) => void;

/** A logger for one scope (a function name or a job). */
export interface Logger {
  /** Something worth a look; `error` is described by name and message. */
  warn(message: string, error?: unknown): void;
  /** An unexpected failure; `error` is described with its stack. */
  error(message: string, error?: unknown): void;
}

/** Creates a logger whose every line passes through `redact`. */
export function createLogger(scope: string, sink: Sink = (line) => console.error(line)): Logger {
  const emit = (message: string, { error, stack }: { error: unknown; stack: boolean }) => {
    const detail = error === undefined ? "" : `: ${describe(error, stack)}`;
    sink(redact(`${scope}: ${message}${detail}`));
  };
  return {
    warn: (message, error) => emit(message, { error, stack: false }),
    error: (message, error) => emit(message, { error, stack: true }),
  };
}
