/**
 * Optional local services beside the gateway: the outside APIs the product talks to, served
 * locally with their real protocols (the Zoho CRM simulator; the Twilio sink once it exists).
 * Each contributes the env settings a client needs to reach it.
 */
import type { LocalConfig } from "./config.ts";

/** Started services and the settings they add to `deno task status`. */
export interface Services {
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts every optional service present in this checkout. */
export function startOptionalServices(_config: LocalConfig): Promise<Services> {
  const env: Record<string, string> = {};
  const closers: (() => Promise<void>)[] = [];
  return Promise.resolve({
    env,
    async close() {
      for (const c of closers.reverse()) await c();
    },
  });
}
