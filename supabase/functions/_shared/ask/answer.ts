/**
 * Answers a matched question: calls the intent's `ask.*` SQL function with its parameters (bound,
 * never spliced) as of the company's today, and renders the rows with the intent's template, so
 * every number in a reply is a value the SQL returned. Given the data's version
 * (`ask.data_version()`), an answer is reused while the version stays the same: the same question
 * on the same data gives the same rows. Also loads the names questions may mention.
 */
import type postgres from "postgres";
import { z } from "zod";
import type { Vocabulary } from "./matcher.ts";
import { isCurrent } from "./matcher_rules.ts";
import { type Period, periodLabel } from "./periods.ts";
import type { Intent, RawParams } from "./registry.ts";

/** The vocabulary plus the company currency. */
export interface AskContext extends Vocabulary {
  currency: string;
}

/** An answer: the reply text and the rows it was rendered from. */
export interface Answer {
  text: string;
  rows: unknown[];
  params: Record<string, unknown>;
}

const FN_NAME = /^ask\.[a-z_]+$/;

/** Answers kept per pool, keyed by data version and question; the least recently asked go
 * first. An answer being computed is kept too: the same question asked meanwhile waits for it,
 * not a second run. */
const answers = new WeakMap<postgres.Sql, Map<string, Promise<Answer>>>();
/** How many answers a pool keeps: each is a reply text and its few rows (a few KB at most). */
export const MAX_KEPT = 1024;

/** The data version answers depend on (see ask.data_version in SQL). */
export async function dataVersion(sql: postgres.Sql): Promise<string> {
  const [row] = await sql`select ask.data_version() as v`;
  return String(row?.v ?? "");
}

/**
 * Runs `intent` with raw parameters as of `asOf` (default: today in the company time zone);
 * with `version`, an earlier answer to the same question on the same version is reused.
 */
export async function answerIntent(
  sql: postgres.Sql,
  intent: Intent,
  raw: Record<string, unknown>,
  options: { asOf?: string; currency: string; version?: string; refused?: RawParams },
): Promise<Answer> {
  const params = intent.parseParams(raw);
  const answer = await keptAnswer(sql, intent, params, options);
  const note = refusalNote(raw, params, options.refused ?? {});
  return note ? { ...answer, text: `${answer.text}\n${note}` } : answer;
}

/**
 * What the answer could not narrow to, said aloud: filters the message named that the intent
 * cannot take (`refused`), and values it cannot take (a period it has no figure for, which
 * parseParams replaced by its default).
 */
export function refusalNote(
  raw: Record<string, unknown>,
  params: Record<string, unknown>,
  refused: RawParams,
): string {
  const asked = { ...refused, ...raw } as RawParams;
  const notes: string[] = [];
  const differs = (k: keyof RawParams) => asked[k] !== undefined && params[k] !== asked[k];
  // A period-less answer is as of today: "today" or "this week" asks for nothing else.
  if (differs("period") && !(params.period === undefined && isCurrent(asked.period))) {
    const shown = params.period
      ? `it is for ${periodLabel(params.period as Period)}`
      : "it shows how things stand today";
    notes.push(`I can't give this one for ${periodLabel(asked.period as Period)}: ${shown}.`);
  }
  if (differs("source")) notes.push(`I can't split this one by source: it covers every source.`);
  if (differs("owner")) notes.push(`I can't split this one by rep: it covers the whole team.`);
  if (differs("stage")) notes.push(`I can't split this one by stage: it covers every stage.`);
  return notes.join(" ");
}

async function keptAnswer(
  sql: postgres.Sql,
  intent: Intent,
  params: Record<string, unknown>,
  options: { asOf?: string; currency: string; version?: string },
): Promise<Answer> {
  if (options.version === undefined) return await runIntent(sql, intent, params, options);
  const key = [options.version, options.asOf, options.currency, intent.name, JSON.stringify(params)]
    .join("\n");
  let kept = answers.get(sql);
  if (!kept) answers.set(sql, kept = new Map());
  const hit = kept.get(key);
  if (hit) {
    // Asked again: now the most recent (a Map keeps insertion order).
    kept.delete(key);
    kept.set(key, hit);
    return await hit;
  }
  const answer = runIntent(sql, intent, params, options);
  kept.set(key, answer);
  if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
  // A failed answer is not kept: the next asking runs it again.
  answer.catch(() => kept.get(key) === answer && kept.delete(key));
  return await answer;
}

async function runIntent(
  sql: postgres.Sql,
  intent: Intent,
  params: Record<string, unknown>,
  options: { asOf?: string; currency: string },
): Promise<Answer> {
  // The function name comes from the registry, never from the message; values are bound.
  if (!FN_NAME.test(intent.fn)) throw new Error(`Cannot call ${intent.fn}: not an ask function`);
  const values: (string | number | null)[] = [];
  const args: string[] = [];
  if (intent.asOf) {
    values.push(options.asOf ?? null);
    args.push("coalesce($1::date, ask.today())");
  }
  for (const [value, type] of intent.args(params)) {
    values.push(value);
    args.push(`$${values.length}::${type}`);
  }
  const [row] = await sql.unsafe(
    `select coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) as rows from ${intent.fn}(${
      args.join(", ")
    }) t`,
    values,
  );
  const rows = z.array(z.unknown()).parse(row?.rows);
  return { text: intent.render(rows, params, { currency: options.currency }), rows, params };
}

const VocabRow = z.object({ kind: z.string(), name: z.string() });
const cache = new WeakMap<postgres.Sql, { at: number; ctx: Promise<AskContext> }>();

/** Reads ask.vocabulary(), reused for `ttlMs` per pool (names change with syncs, not per message). */
export function loadAskContext(
  sql: postgres.Sql,
  options: { ttlMs?: number; now?: number } = {},
): Promise<AskContext> {
  const now = options.now ?? Date.now();
  const hit = cache.get(sql);
  if (hit && now - hit.at < (options.ttlMs ?? 300_000)) return hit.ctx;
  const ctx = (async () => {
    const rows = z.array(VocabRow).parse(await sql`select kind, name from ask.vocabulary()`);
    const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.name);
    return {
      sources: of("source"),
      owners: of("owner"),
      stages: of("stage"),
      currency: of("currency")[0] ?? "USD",
    };
  })();
  cache.set(sql, { at: now, ctx });
  ctx.catch(() => cache.delete(sql));
  return ctx;
}
