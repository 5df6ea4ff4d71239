/** The `stop` and `start` commands: out of and back into the daily pulse (questions still work). */
import { setOptedIn } from "../../whatsapp/recipients.ts";
import type { WhatsAppCommand } from "./types.ts";

/** Opts the sender out of the daily pulse. */
export const stop: WhatsAppCommand = {
  name: "stop",
  phrases: ["stop", "unsubscribe", "opt out", "optout", "stop pulse", "cancel"],
  help: "no daily pulse",
  handler: () => async ({ sql, sender }) => {
    await setOptedIn(sql, { phone: sender.phone, on: false });
    return "Done: no more daily pulse. You can still ask questions; send start to resume.";
  },
};

/** Opts the sender back into the daily pulse. */
export const start: WhatsAppCommand = {
  name: "start",
  phrases: ["start", "subscribe", "opt in", "optin", "resume", "start pulse", "unstop"],
  help: "pulse again",
  handler: () => async ({ sql, sender }) => {
    await setOptedIn(sql, { phone: sender.phone, on: true });
    return "Done: you will get the daily pulse again. Send stop to opt out.";
  },
};
