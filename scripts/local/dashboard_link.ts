/**
 * The dashboard link `deno task demo` prints: signed for the recipient "demo", valid for a day,
 * with the same signer the WhatsApp `dashboard` command uses.
 */
import {
  dashboardSecret,
  signDashboardLink,
} from "../../supabase/functions/_shared/dashboard/link.ts";

/** A signed dashboard URL for the running stack (FUNCTIONS_URL + signed path). */
export async function dashboardLink(
  env: Record<string, string | undefined>,
  options: { recipient?: string; ttlSeconds?: number; now?: Date } = {},
): Promise<string> {
  const path = await signDashboardLink(
    { recipient: options.recipient ?? "demo", ttlSeconds: options.ttlSeconds ?? 24 * 3600 },
    dashboardSecret(env),
    options.now,
  );
  return `${env.FUNCTIONS_URL}${path}`;
}
