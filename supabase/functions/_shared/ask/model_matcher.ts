/**
 * The model matcher: asks the local model (the `ollama` npm client, structured output) to pick
 * one intent of the registry and its parameters, as JSON validated with zod. The model chooses;
 * it never writes SQL or numbers. Names it returns must be names the data holds; anything it
 * gets wrong is dropped (the intent's defaults apply). Unreachable, slow or malformed → it
 * throws, and the caller falls back to the keyword matcher.
 */
import { Ollama } from "ollama/browser";
import { z } from "zod";
import { INTENTS } from "./intents.ts";
import type { Match, Vocabulary } from "./matcher.ts";
import { PERIODS } from "./periods.ts";
import type { RawParams } from "./registry.ts";

/** Where the model is and how long a match may take. */
export interface ModelSettings {
  host: string;
  model: string;
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** The JSON the model must return. */
export const ModelReply = z.object({
  intent: z.enum(["unknown", ...INTENTS.map((i) => i.name)]),
  params: z.object({
    period: z.enum(PERIODS).optional(),
    source: z.string().optional(),
    owner: z.string().optional(),
    stage: z.string().optional(),
    deal: z.string().optional(),
    limit: z.number().int().min(1).max(10).optional(),
  }).default({}),
});

const REPLY_SCHEMA = z.toJSONSchema(ModelReply) as Record<string, unknown>;

/** The system prompt: the registry and the names, nothing else. */
export function matcherPrompt(vocab: Vocabulary): string {
  return [
    "You route a sales executive's WhatsApp question to exactly one intent.",
    'Reply with JSON {"intent": name, "params": {...}}; use "unknown" when none fits.',
    "Intents (name: what it answers; parameters):",
    ...INTENTS.map((i) => `- ${i.name}: ${i.description}; ${i.accepts.join(", ") || "none"}`),
    `period is one of: ${PERIODS.join(", ")}.`,
    `source is one of: ${vocab.sources.join(", ")}.`,
    `owner is one of: ${vocab.owners.join(", ")}.`,
    `stage is one of: ${vocab.stages.join(", ")}.`,
    "deal is the deal's name as the user wrote it; limit is a number from 1 to 10.",
  ].join("\n");
}

function known(value: string | undefined, names: string[]): string | undefined {
  if (!value) return undefined;
  return names.find((n) => n.toLowerCase() === value.trim().toLowerCase());
}

/** Turns a validated model reply into a match, keeping only names the data holds. */
export function toMatch(reply: z.infer<typeof ModelReply>, vocab: Vocabulary): Match {
  const intent = INTENTS.find((i) => i.name === reply.intent);
  if (!intent) return { kind: "unknown" };
  const p = reply.params;
  const raw: RawParams = {
    period: p.period,
    source: known(p.source, vocab.sources),
    owner: known(p.owner, vocab.owners),
    stage: known(p.stage, vocab.stages),
    deal: p.deal?.trim() || undefined,
    limit: p.limit,
  };
  const params: RawParams = {};
  for (const k of intent.accepts) if (raw[k] !== undefined) params[k] = raw[k];
  if (intent.accepts.includes("deal") && !params.deal) return { kind: "unknown" };
  return { kind: "intent", intent: intent.name, params };
}

/** A matcher calling Ollama; `fetchImpl` is injectable for tests. */
export function ollamaMatcher(settings: ModelSettings, fetchImpl: typeof fetch = fetch) {
  const timed: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetchImpl(input, { ...init, signal });
  };
  const client = new Ollama({ host: settings.host, headers: settings.headers, fetch: timed });
  return async (text: string, vocab: Vocabulary): Promise<Match> => {
    const res = await client.chat({
      model: settings.model,
      stream: false,
      format: REPLY_SCHEMA,
      options: { temperature: 0, seed: 42, num_predict: 128 },
      messages: [
        { role: "system", content: matcherPrompt(vocab) },
        { role: "user", content: text.slice(0, 500) },
      ],
    });
    const content = (res.message?.content ?? "").trim().replace(/^```(?:json)?\s*|\s*```$/g, "");
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch {
      throw new Error("Cannot use the model's match: the reply is not JSON");
    }
    return toMatch(ModelReply.parse(json), vocab);
  };
}
