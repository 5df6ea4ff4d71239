/** The `pulse` (today's pulse) and `brief` (the full brief, split within WhatsApp's limit)
 * commands: both read the latest stored brief. */
import { latestBriefOf, type StoredBrief } from "../../brief/store.ts";
import type { WhatsAppCommand } from "./types.ts";

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

/** Today's pulse: the latest stored brief's pulse text. */
export const pulse: WhatsAppCommand = {
  name: "pulse",
  phrases: ["pulse", "daily pulse", "todays pulse", "summary"],
  help: "today's",
  handler: () => async ({ sql }) => {
    const brief = await latestBriefOf(sql, {});
    return brief ? brief.pulse : "No pulse yet: the daily run has not written a brief.";
  },
};

/** The full brief (the caller splits it into messages). */
export const brief: WhatsAppCommand = {
  name: "brief",
  phrases: [
    "brief",
    "full brief",
    "report",
    "the brief",
    "todays brief",
    "today's brief",
    "latest brief",
    "daily brief",
    "morning brief",
    "cro brief",
  ],
  help: "in full",
  handler: () => async ({ sql }) => {
    const stored = await latestBriefOf(sql, {});
    return stored ? briefText(stored) : "No brief yet: the daily run has not written one.";
  },
};
