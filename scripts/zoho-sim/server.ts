/**
 * Local Zoho CRM simulator: the accounts host (OAuth) and the CRM API (/crm/v7, /crm/bulk/v7)
 * for every data centre on one port, seeded with the AHA Smart Homes demo company.
 *
 * ```ts
 * const sim = await startZohoSim({ port: 0, size: { leads: 500 } });
 * // sim.credentials.accountsUrl + "/oauth/v2/token" -> api_domain -> /crm/v7/Leads
 * await sim.close();
 * ```
 */
import { createHandler } from "./app.ts";
import { createControls, type SimControls } from "./controls.ts";
import type { Dataset } from "./dataset/dataset.ts";
import { OptionsSchema, type ZohoSimOptions } from "./sim/config.ts";
import { createState, dcBase } from "./sim/state.ts";

export type { ZohoSimOptions } from "./sim/config.ts";
export type { SimControls } from "./controls.ts";

/** Credentials for the default data centre ("us"). */
export interface ZohoSimCredentials {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  scope: string;
}

/** A running simulator. */
export interface ZohoSim {
  /** Origin, e.g. "http://127.0.0.1:54330" (also the default DC's accounts URL and api_domain). */
  url: string;
  credentials: ZohoSimCredentials;
  controls: SimControls;
  dataset: Dataset;
  /** Accounts URL (= api_domain) of a data centre, e.g. dcUrl("eu") -> ".../dc/eu". */
  dcUrl(dc: string): string;
  close(): Promise<void>;
}

/** Starts a simulator; `port: 0` picks a free port. */
export function startZohoSim(options: ZohoSimOptions = {}): Promise<ZohoSim> {
  const resolved = OptionsSchema.parse(options);
  const state = createState(resolved);
  const handler = createHandler(state);
  const controls = createControls(state);
  if (resolved.prerender !== false) {
    controls.listCache.prerender(resolved.prerender === true ? undefined : resolved.prerender);
  }
  return new Promise((resolve) => {
    const server = Deno.serve({
      port: resolved.port,
      hostname: resolved.hostname,
      onListen: () => {},
      onError: () => new Response(null, { status: 500 }),
    }, handler);
    state.origin = `http://${resolved.hostname}:${server.addr.port}`;
    const creds = state.credentials.get("us");
    if (!creds) throw new Error("Cannot start simulator: default credentials missing");
    resolve({
      url: state.origin,
      credentials: {
        accountsUrl: state.origin,
        clientId: creds.clientId,
        clientSecret: creds.clientSecret,
        refreshToken: creds.refreshToken,
        scope: creds.scope,
      },
      controls,
      dataset: state.dataset,
      dcUrl: (dc) => dcBase(state, dc as never),
      close: async () => {
        await state.bulk.close();
        await server.shutdown();
      },
    });
  });
}
