/**
 * The `dashboard` command: a signed, expiring link to the dashboard for the sender, made with the
 * dashboard's own signer (_shared/dashboard/link.ts). The link names the recipient by row id, not
 * phone number, so no number travels in a URL. Without a signing secret it says so, politely.
 */
import { dashboardSecret, signDashboardLink } from "../../dashboard/link.ts";
import { createLogger } from "../../log.ts";
import type { CommandContext, CommandSetup, WhatsAppCommand } from "./types.ts";

const log = createLogger("whatsapp-webhook");

/** How long a link handed out on WhatsApp stays valid: one day. */
export const LINK_TTL_SECONDS = 24 * 3600;

/**
 * The functions base URL (`…/functions/v1`) from the webhook's public URL
 * (`…/functions/v1/whatsapp-webhook`): links must use the address executives can reach.
 */
export function functionsBase(webhookUrl: string): string {
  return webhookUrl.replace(/\/whatsapp-webhook\/?$/, "");
}

/** The handler on the environment (secret read per call, so a missing one is a reply). */
function dashboardReply({ env, now }: Pick<CommandSetup, "env" | "now">) {
  return async ({ sender }: CommandContext) => {
    let secret: string;
    try {
      secret = dashboardSecret(env);
    } catch {
      log.warn("dashboard links need DASHBOARD_LINK_SECRET");
      return "The dashboard is not set up here yet. Please tell your admin.";
    }
    const path = await signDashboardLink(
      { recipient: sender.id, ttlSeconds: LINK_TTL_SECONDS },
      secret,
      now(),
    );
    const base = functionsBase(env.WHATSAPP_WEBHOOK_URL ?? "");
    return `Your dashboard (valid 24 hours, for you only): ${base}${path}`;
  };
}

/** A signed link to the sender's dashboard. */
export const dashboard: WhatsAppCommand = {
  name: "dashboard",
  phrases: ["dashboard", "link", "dashboard link", "charts"],
  help: "a link",
  handler: dashboardReply,
};
