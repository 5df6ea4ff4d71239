/**
 * The model writer: the `ollama` npm client (browser entry: fetch only) pointed at OLLAMA_HOST
 * with OLLAMA_HEADERS (e.g. a tunnel's access headers), asked for structured output (`format` =
 * the brief's JSON schema) with a fixed temperature and seed, bounded by a timeout on every
 * request (the library gives non-streamed calls no signal of its own). Replies are parsed with zod.
 */
import { Ollama } from "ollama/browser";
import { z } from "zod";
import { describeZodError } from "../http/app.ts";
import { type ChatMessage, type Draft, DRAFT_JSON_SCHEMA, DraftSchema } from "./prompt.ts";

/** Settings of the model writer (from the environment, see `BRIEF_ENV`). */
export interface OllamaSettings {
  host: string;
  model: string;
  headers: Record<string, string>;
  temperature: number;
  seed: number;
  timeoutMs: number;
  maxAttempts: number;
  stream: boolean;
}

const headersJson = z.string().transform((s, ctx) => {
  try {
    return z.record(z.string(), z.string()).parse(JSON.parse(s));
  } catch {
    ctx.addIssue({ code: "custom", message: "expected a JSON object of string headers" });
    return z.NEVER;
  }
});

/** The brief's environment: every variable optional with a default. */
export const BRIEF_ENV = z.object({
  OLLAMA_HOST: z.url().default("http://127.0.0.1:11434"),
  OLLAMA_MODEL: z.string().min(1).default("llama3.2:1b"),
  OLLAMA_HEADERS: headersJson.optional(),
  OLLAMA_TEMPERATURE: z.coerce.number().min(0).max(2).default(0),
  OLLAMA_SEED: z.coerce.number().int().default(42),
  OLLAMA_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  OLLAMA_STREAM: z.enum(["true", "false"]).default("false"),
  BRIEF_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(3),
}).transform((e): OllamaSettings => ({
  host: e.OLLAMA_HOST.replace(/\/+$/, ""),
  model: e.OLLAMA_MODEL,
  headers: e.OLLAMA_HEADERS ?? {},
  temperature: e.OLLAMA_TEMPERATURE,
  seed: e.OLLAMA_SEED,
  timeoutMs: e.OLLAMA_TIMEOUT_MS,
  maxAttempts: e.BRIEF_MAX_ATTEMPTS,
  stream: e.OLLAMA_STREAM === "true",
}));

/** The model cannot be used at all (down, unknown model, timeout): write the rules brief. */
export class ModelUnavailableError extends Error {
  override name = "ModelUnavailableError";
}

/** One reply that is not a usable brief (malformed JSON, wrong shape, lost connection). */
export class BadReplyError extends Error {
  override name = "BadReplyError";
  constructor(message: string, readonly reply: string) {
    super(message);
  }
}

/** What one model call returned. */
export interface ModelReply {
  draft: Draft;
  raw: string;
  promptTokens: number | null;
  ms: number;
}

/** Writes one draft from `messages`; throws ModelUnavailableError or BadReplyError. */
export type DraftWriter = (messages: ChatMessage[]) => Promise<ModelReply>;

/** A writer calling Ollama with `settings`; `fetchImpl` is injectable for tests. */
export function ollamaWriter(
  settings: OllamaSettings,
  fetchImpl: typeof fetch = fetch,
): DraftWriter {
  const timed: typeof fetch = async (input, init) => {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetchImpl(input, { ...init, signal });
    } catch (e) {
      if (signal.aborted) throw e;
      // No response at all (refused, DNS, TLS): the host is unreachable, not a bad reply.
      const cause = (e as { cause?: { message?: string } })?.cause?.message;
      throw new ModelUnavailableError(
        `Cannot reach Ollama at ${shownHost(settings.host)}: ${cause ?? e}`,
      );
    }
  };
  const client = new Ollama({ host: settings.host, headers: settings.headers, fetch: timed });
  return async (messages) => {
    const started = performance.now();
    const request = {
      model: settings.model,
      messages,
      format: DRAFT_JSON_SCHEMA as Record<string, unknown>,
      options: { temperature: settings.temperature, seed: settings.seed, num_predict: 1024 },
    };
    let raw = "";
    let promptTokens: number | null = null;
    try {
      if (settings.stream) {
        for await (const part of await client.chat({ ...request, stream: true })) {
          raw += part.message?.content ?? "";
          if (part.done) promptTokens = part.prompt_eval_count ?? null;
        }
      } else {
        const res = await client.chat({ ...request, stream: false });
        raw = res.message?.content ?? "";
        promptTokens = res.prompt_eval_count ?? null;
      }
    } catch (e) {
      throw classify(e, { settings, raw });
    }
    return { draft: parseDraft(raw), raw, promptTokens, ms: performance.now() - started };
  };
}

/** The host without any user:password a URL may carry (stored briefs and logs show it). */
export function shownHost(host: string): string {
  const u = new URL(host);
  return `${u.protocol}//${u.host}`;
}

/** The error a failed chat call stands for; `raw` is the reply received before it broke off. */
function classify(e: unknown, call: { settings: OllamaSettings; raw: string }): Error {
  const { settings, raw } = call;
  if (e instanceof ModelUnavailableError) return e;
  const err = e as { name?: string; status_code?: number; message?: string };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") {
    return new ModelUnavailableError(`Ollama did not answer within ${settings.timeoutMs} ms`);
  }
  if (err?.name === "ResponseError" && err.status_code === 404) {
    return new ModelUnavailableError(`Ollama has no model ${settings.model}: ${err.message}`);
  }
  if (err?.name === "ResponseError" && (err.status_code ?? 0) < 500) {
    return new ModelUnavailableError(`Ollama refused the request (${err.status_code})`);
  }
  return new BadReplyError(`The model's reply broke off: ${err?.message ?? String(e)}`, raw);
}

/** Parses a reply as a brief: JSON (markdown fences tolerated), then the zod schema. */
export function parseDraft(raw: string): Draft {
  const text = raw.trim().replace(/^```(?:json)?\s*/i, "").replace(/\s*```$/, "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadReplyError("The reply is not valid JSON", raw);
  }
  const parsed = DraftSchema.safeParse(json);
  if (!parsed.success) {
    throw new BadReplyError(
      `The reply has the wrong shape: ${describeZodError(parsed.error)}`,
      raw,
    );
  }
  return parsed.data;
}
