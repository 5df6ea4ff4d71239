/**
 * The WhatsApp commands beside questions: `pulse` (today's pulse), `brief` (the full brief, split
 * within WhatsApp's limit), `stop` / `start` (out of and back into the daily pulse) and `status`
 * (the data's freshness). `sync` (sync.ts) and `dashboard` (dashboard.ts) come from the pipeline and dashboard features.
 */
import type postgres from "postgres";
import { latestBriefOf, type StoredBrief } from "../brief/store.ts";
import type { Command } from "../ask/lexicon.ts";
import type { CommandContext, CommandHandler } from "./handle.ts";

/** Today's pulse: the latest stored brief's pulse text. */
export async function pulseCommand({ sql }: CommandContext): Promise<string> {
  const brief = await latestBriefOf(sql, {});
  return brief ? brief.pulse : "No pulse yet: the daily run has not written a brief.";
}

/** The brief's sections as WhatsApp text. */
export function briefText(brief: Pick<StoredBrief, "content" | "created_at" | "model">): string {
  const c = brief.content;
  return [
    `*${c.headline.text}*`,
    `Critical gap: ${c.critical_gap.text}`,
    `Immediate action: ${c.immediate_action.text}`,
    ...c.insights.map((i) => `• ${i.text}`),
  ].join("\n\n");
}

/** The full brief (the caller splits it into messages). */
export async function briefCommand({ sql }: CommandContext): Promise<string> {
  const brief = await latestBriefOf(sql, {});
  return brief ? briefText(brief) : "No brief yet: the daily run has not written one.";
}

async function setOptedIn(sql: postgres.Sql, phone: string, on: boolean): Promise<void> {
  await sql`update whatsapp.recipients set opted_in = ${on}, updated_at = now()
    where phone = ${phone}`;
}

/** Opts the sender out of the daily pulse (questions still work). */
export async function stopCommand({ sql, sender }: CommandContext): Promise<string> {
  await setOptedIn(sql, sender.phone, false);
  return "Done: no more daily pulse. You can still ask questions; send start to resume.";
}

/** Opts the sender back into the daily pulse. */
export async function startCommand({ sql, sender }: CommandContext): Promise<string> {
  await setOptedIn(sql, sender.phone, true);
  return "Done: you will get the daily pulse again. Send stop to opt out.";
}

/** The handlers this module provides. */
export const COMMAND_HANDLERS: Partial<Record<Command, CommandHandler>> = {
  pulse: pulseCommand,
  brief: briefCommand,
  stop: stopCommand,
  start: startCommand,
};
