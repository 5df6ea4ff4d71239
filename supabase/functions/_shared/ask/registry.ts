/**
 * The shape of a WhatsApp intent: a read-only SQL function in the `ask` schema, the parameters
 * it takes (a zod schema with defaults), the concepts that select it, and the template that
 * writes its rows as a reply. `defineIntent` checks a definition's types once and erases them
 * so intents of different shapes live in one registry (intents.ts).
 */
import { z } from "zod";
import type { Concept } from "./lexicon.ts";

/** Parameters any intent may take; each intent's schema says which and their defaults. */
export const PARAM_NAMES = ["period", "source", "owner", "stage", "deal", "limit"] as const;

/** A parameter name. */
export type ParamName = (typeof PARAM_NAMES)[number];

/** Raw parameters as a matcher found them (not yet checked against an intent). */
export type RawParams = Partial<Record<ParamName, string | number>>;

/** What templates need beside the rows. */
export interface RenderContext {
  currency: string;
}

/** One SQL argument after as_of: its value and Postgres type. */
export type SqlArg = readonly [value: string | number | null, type: "text" | "integer"];

/** An intent definition, typed by its parameter and row schemas. */
export interface IntentDef<P extends z.ZodObject, R extends z.ZodType> {
  name: string;
  /** One line of `help`. */
  description: string;
  /** A way to ask it, shown in `help`. */
  example: string;
  params: P;
  /** Concept sets that select this intent; the best-scoring set over all intents wins. */
  cues: Concept[][];
  /** The SQL function (called with as_of first unless `asOf` is false) and its arguments. */
  sql: { fn: `ask.${string}`; args: (p: z.infer<P>) => SqlArg[]; asOf?: boolean };
  /** One row of the function's result, as to_jsonb gives it. */
  row: R;
  render(rows: z.infer<R>[], p: z.infer<P>, ctx: RenderContext): string;
}

/** An intent of the registry, types erased. */
export interface Intent {
  name: string;
  description: string;
  example: string;
  cues: Concept[][];
  fn: string;
  asOf: boolean;
  /** Parameters this intent takes. */
  accepts: ParamName[];
  /** The zod schema of its parameters (for the model's JSON schema). */
  schema: z.ZodObject;
  /** Checks raw parameters; a value the intent cannot take falls back to its default. */
  parseParams(raw: RawParams): Record<string, unknown>;
  args(params: Record<string, unknown>): SqlArg[];
  render(rows: unknown[], params: Record<string, unknown>, ctx: RenderContext): string;
}

/** Registers an intent definition. */
export function defineIntent<P extends z.ZodObject, R extends z.ZodType>(
  def: IntentDef<P, R>,
): Intent {
  const accepts = Object.keys(def.params.shape) as ParamName[];
  const rows = z.array(def.row);
  return {
    name: def.name,
    description: def.description,
    example: def.example,
    cues: def.cues,
    fn: def.sql.fn,
    asOf: def.sql.asOf ?? true,
    accepts,
    schema: def.params,
    parseParams(raw) {
      const input: Record<string, unknown> = {};
      for (const k of accepts) if (raw[k] !== undefined) input[k] = raw[k];
      let result = def.params.safeParse(input);
      // Drop what this intent cannot take (e.g. a period it has no figure for) and use defaults.
      for (let i = 0; !result.success && i < accepts.length; i++) {
        for (const issue of result.error.issues) delete input[String(issue.path[0])];
        result = def.params.safeParse(input);
      }
      if (!result.success) throw result.error;
      return result.data as Record<string, unknown>;
    },
    args: (params) => def.sql.args(params as z.infer<P>),
    render: (data, params, ctx) =>
      def.render(rows.parse(data) as z.infer<R>[], params as z.infer<P>, ctx),
  };
}

/** Row field schemas: numbers (numeric and bigint arrive as JSON numbers), text, days. */
export const NUM = z.number().nullable();
export const INT = z.number().int();
export const TEXT = z.string();
export const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Optional name filters: a source, owner or stage exactly as the data spells it. */
export const NAME = z.string().min(1).max(200);
