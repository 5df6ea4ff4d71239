/**
 * What the deployed webhook handles messages with: the commands of _shared/inbox/commands, and with
 * ASK_MATCHER=model the Ollama model choosing intents (keyword matcher as fallback), its answers
 * acknowledged at once and delivered through the outbox by the Twilio sender.
 */
import type postgres from "postgres";
import { z } from "zod";
import { ollamaMatcher } from "../_shared/ask/model_matcher.ts";
import { parseEnv } from "../_shared/env.ts";
import { commandHandlers } from "../_shared/inbox/commands/index.ts";
import type { InboxDeps } from "../_shared/inbox/handle.ts";
import { outboxDelivery } from "../_shared/inbox/later.ts";
import { TWILIO_ENV, twilioSender } from "../_shared/whatsapp/twilio.ts";

/** Settings of the model matcher (the model and host are the brief's). */
export const MATCHER_ENV = z.object({
  ASK_MATCHER: z.enum(["keyword", "model"]).default("keyword"),
  OLLAMA_HOST: z.url().default("http://127.0.0.1:11434"),
  OLLAMA_MODEL: z.string().min(1).default("llama3.2:1b"),
  ASK_MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
});

/** Keeps background work alive after the response where the runtime allows it. */
function background(work: Promise<unknown>): void {
  const runtime = (globalThis as { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } })
    .EdgeRuntime;
  runtime?.waitUntil(work);
}

/** The webhook's message handling on the database `sql`. */
export function defaultInbox(
  sql: postgres.Sql,
  env: Record<string, string | undefined>,
): Omit<InboxDeps, "sql" | "asOf"> {
  const m = parseEnv(MATCHER_ENV, env);
  const deps: Omit<InboxDeps, "sql" | "asOf"> = {
    commands: commandHandlers({ env }),
  };
  if (m.ASK_MATCHER === "model") {
    deps.model = ollamaMatcher({
      host: m.OLLAMA_HOST,
      model: m.OLLAMA_MODEL,
      timeoutMs: m.ASK_MODEL_TIMEOUT_MS,
    });
    deps.later = {
      deliver: outboxDelivery(sql, twilioSender(parseEnv(TWILIO_ENV, env))),
      background,
    };
  }
  return deps;
}
