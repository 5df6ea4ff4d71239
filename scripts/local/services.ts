/**
 * Optional local services beside the gateway: the outside APIs the product talks to, served
 * locally with their real protocols (the Zoho CRM simulator and the Twilio sink). Each
 * contributes the settings a client needs to reach it, so the function code only differs from
 * production by its base URLs.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PULSE_TEMPLATE } from "../../supabase/functions/_shared/brief/pulse.ts";
import { localTwilioCredentials } from "../twilio-sink/credentials.ts";
import { startTwilioSink } from "../twilio-sink/server.ts";
import { apiUrl, isPortFree, type LocalConfig, ROOT } from "./config.ts";

/** Started services and the settings they add to `deno task status`. */
export interface Services {
  env: Record<string, string>;
  close(): Promise<void>;
}

interface ZohoSimHandle {
  url: string;
  credentials: {
    accountsUrl: string;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
  };
  close(): Promise<void>;
}

async function startZoho(config: LocalConfig): Promise<ZohoSimHandle | undefined> {
  const path = join(ROOT, "scripts/zoho-sim/server.ts");
  try {
    await Deno.stat(path);
  } catch {
    return undefined; // this checkout has no simulator
  }
  if (!isPortFree(config.zohoPort)) {
    throw new Error(
      `Cannot start the Zoho simulator: port ${config.zohoPort} is in use by another program ` +
        "(deno task stop, or set LOCAL_ZOHO_PORT)",
    );
  }
  const mod = await import(pathToFileURL(path).href);
  // The clock runs in real time from the dataset anchor, as Zoho's does: access tokens expire and
  // the refresh throttle window resets while the stack runs (tests pin their own simulators).
  return await mod.startZohoSim({
    port: config.zohoPort,
    hostname: "127.0.0.1",
    realTimeClock: true,
  });
}

/** Starts every optional service present in this checkout. */
export async function startOptionalServices(config: LocalConfig): Promise<Services> {
  const env: Record<string, string> = {};
  const closers: (() => Promise<void>)[] = [];
  const zoho = await startZoho(config);
  if (zoho) {
    closers.push(() => zoho.close());
    Object.assign(env, {
      ZOHO_ACCOUNTS_URL: zoho.credentials.accountsUrl,
      ZOHO_CLIENT_ID: zoho.credentials.clientId,
      ZOHO_CLIENT_SECRET: zoho.credentials.clientSecret,
      ZOHO_REFRESH_TOKEN: zoho.credentials.refreshToken,
      ZOHO_SIM_URL: zoho.url,
    });
  }
  if (!isPortFree(config.twilioPort)) {
    throw new Error(
      `Cannot start the Twilio sink: port ${config.twilioPort} is in use by another program ` +
        "(deno task stop, or set LOCAL_TWILIO_PORT)",
    );
  }
  // The sink renders the pulse template as Twilio renders the approved one.
  const credentials = localTwilioCredentials();
  const sink = startTwilioSink({
    port: config.twilioPort,
    credentials,
    templates: { [credentials.pulseContentSid]: PULSE_TEMPLATE },
  });
  closers.push(() => sink.close());
  Object.assign(env, {
    TWILIO_API_URL: sink.url,
    TWILIO_ACCOUNT_SID: sink.credentials.accountSid,
    TWILIO_AUTH_TOKEN: sink.credentials.authToken,
    TWILIO_WHATSAPP_FROM: sink.credentials.whatsappFrom,
    TWILIO_PULSE_CONTENT_SID: sink.credentials.pulseContentSid,
    TWILIO_STATUS_CALLBACK_URL: `${apiUrl(config)}/functions/v1/generate-brief/status`,
  });
  return {
    env,
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
