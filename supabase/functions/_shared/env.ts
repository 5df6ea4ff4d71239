/**
 * Environment parsing, once, at the edge of each function: `parseEnv(schema, source)` checks the
 * variables a core module needs with zod and names the variables that are wrong, never their
 * values. Tests pass plain objects.
 */
import { z } from "zod";

/** A missing or malformed environment variable. */
export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses `source` (default: the process env) with `schema`; throws EnvError naming variables. */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined> = Deno.env.toObject(),
): z.infer<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    return source[name] === undefined
      ? `${name} is not set`
      : `${name} is invalid (${issue.message})`;
  });
  throw new EnvError(`Cannot read the environment: ${problems.join("; ")}`);
}

/** Variables every function that touches the database needs. */
export const DB_ENV = z.object({
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL"),
});
