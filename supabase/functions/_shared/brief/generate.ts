/**
 * Writing a brief: ask the model (bounded attempts), check every reply, feed the check's reasons
 * back into the next attempt, and fall back to the rules brief when the model is unavailable or
 * every attempt fails. Every attempt's verdict is kept. Free of HTTP and SQL: the caller loads
 * the payload and stores the result.
 */
import { type CheckResult, checkSections, draftSections } from "./check.ts";
import type { Payload } from "./facts.ts";
import { BadReplyError, type DraftWriter, ModelUnavailableError } from "./ollama.ts";
import { buildMessages, type ChatMessage, type Draft, retryMessages } from "./prompt.ts";
import { rulesBrief } from "./rules.ts";

/** The record of one attempt (model or rules). */
export interface AttemptRecord {
  attempt: number;
  model: string;
  ok: boolean;
  error?: string;
  failed: number;
  claims: CheckResult["claims"];
  prompt_tokens: number | null;
  ms: number;
}

/** A written brief, ready to store. */
export interface WrittenBrief {
  model: string;
  draft: Draft;
  attempts: number;
  checks: AttemptRecord[];
  fallbackReason: string | null;
  promptTokens: number | null;
  timings: { total_ms: number; model_ms: number; check_ms: number };
}

/** How to write: the model name ("rules" = no model) and its writer. */
export interface WriteOptions {
  model: string;
  writer?: DraftWriter;
  maxAttempts: number;
}

function failureReasons(result: CheckResult): string[] {
  return result.claims.filter((c) => !c.ok).map((c) => `${c.section}: ${c.reason}`);
}

/** Writes the brief of `payload`. */
export async function writeBrief(payload: Payload, options: WriteOptions): Promise<WrittenBrief> {
  const started = performance.now();
  const checks: AttemptRecord[] = [];
  let modelMs = 0;
  let checkMs = 0;
  let fallbackReason: string | null = null;
  const first = buildMessages(payload);
  let messages: ChatMessage[] = first;
  let firstPromptTokens: number | null = null;

  if (options.model === "rules" || !options.writer) {
    fallbackReason = "configured: OLLAMA_MODEL=rules";
  } else {
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      const t0 = performance.now();
      try {
        const reply = await options.writer(messages);
        modelMs += reply.ms;
        if (attempt === 1) firstPromptTokens = reply.promptTokens;
        const t1 = performance.now();
        const result = checkSections(draftSections(reply.draft), payload);
        checkMs += performance.now() - t1;
        checks.push({
          attempt,
          model: options.model,
          ok: result.ok,
          failed: result.failed,
          claims: result.claims,
          prompt_tokens: reply.promptTokens,
          ms: Math.round(performance.now() - t0),
        });
        if (result.ok) {
          return finish({
            model: options.model,
            draft: reply.draft,
            attempts: attempt,
            fallbackReason: null,
            promptTokens: firstPromptTokens,
          });
        }
        messages = retryMessages(first, { reply: reply.raw, reasons: failureReasons(result) });
      } catch (e) {
        modelMs += performance.now() - t0;
        if (e instanceof ModelUnavailableError) {
          fallbackReason = e.message;
          checks.push(errorRecord({ attempt, model: options.model, error: e.message, t0 }));
          break;
        }
        if (!(e instanceof BadReplyError)) throw e;
        checks.push(errorRecord({ attempt, model: options.model, error: e.message, t0 }));
        messages = retryMessages(first, { reply: e.reply || "(no reply)", reasons: [e.message] });
      }
      if (attempt === options.maxAttempts) {
        fallbackReason = `all ${attempt} model attempts failed the check`;
      }
    }
  }

  const draft = rulesBrief(payload);
  const t1 = performance.now();
  const result = checkSections(draftSections(draft), payload);
  checkMs += performance.now() - t1;
  checks.push({
    attempt: checks.length + 1,
    model: "rules",
    ok: result.ok,
    failed: result.failed,
    claims: result.claims,
    prompt_tokens: null,
    ms: Math.round(performance.now() - t1),
  });
  return finish({
    model: "rules",
    draft,
    attempts: checks.length - 1,
    fallbackReason,
    promptTokens: firstPromptTokens,
  });

  function finish(
    answer: Pick<WrittenBrief, "model" | "draft" | "attempts" | "fallbackReason" | "promptTokens">,
  ): WrittenBrief {
    return {
      ...answer,
      checks,
      timings: {
        total_ms: Math.round(performance.now() - started),
        model_ms: Math.round(modelMs),
        check_ms: Math.round(checkMs * 100) / 100,
      },
    };
  }
}

/** An attempt that failed before its draft could be checked (started at `t0`). */
function errorRecord(
  { attempt, model, error, t0 }: { attempt: number; model: string; error: string; t0: number },
): AttemptRecord {
  return {
    attempt,
    model,
    ok: false,
    error,
    failed: 1,
    claims: [],
    prompt_tokens: null,
    ms: Math.round(performance.now() - t0),
  };
}
