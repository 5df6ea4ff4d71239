/** Helpers for the simulator's own tests: start on an ephemeral port, get a token, call the API. */
import { startZohoSim, type ZohoSim, type ZohoSimOptions } from "./server.ts";

/** Starts a small simulator on port 0, runs `fn`, always closes it. */
export async function withSim(
  options: ZohoSimOptions,
  fn: (sim: ZohoSim) => Promise<void>,
): Promise<void> {
  const sim = await startZohoSim({ port: 0, size: { leads: 600 }, ...options });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** Refreshes an access token for a data centre ("us" by default). */
export async function accessToken(
  sim: ZohoSim,
  options: { dc?: string; refreshToken?: string } = {},
): Promise<{ token: string; apiDomain: string }> {
  const dc = options.dc ?? "us";
  const creds = sim.controls.tokens.credentials(dc as never);
  const res = await fetch(`${sim.dcUrl(dc)}/oauth/v2/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
      refresh_token: options.refreshToken ?? creds.refreshToken,
    }),
  });
  const body = await res.json();
  if (!body.access_token) throw new Error(`Cannot refresh token: ${JSON.stringify(body)}`);
  return { token: body.access_token, apiDomain: body.api_domain };
}

/** Response of an API call with its parsed JSON body (null for empty bodies). */
export interface ApiResult {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Calls the CRM API with a token and reads the whole body. */
export async function api(
  auth: { token: string; apiDomain: string },
  path: string,
  init: RequestInit = {},
): Promise<ApiResult> {
  const headers = new Headers(init.headers);
  if (!headers.has("Authorization")) headers.set("Authorization", `Zoho-oauthtoken ${auth.token}`);
  const res = await fetch(`${auth.apiDomain}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Walks Get Records with page_token until the end; returns every record. */
export async function fetchAll(
  auth: { token: string; apiDomain: string },
  module: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let token: string | null = null;
  for (let guard = 0; guard < 10000; guard++) {
    const q: string = token ? `${query}&page_token=${token}` : query;
    const r = await api(auth, `/crm/v7/${module}?${q}`, { headers });
    if (r.status !== 200) break;
    out.push(...r.body.data);
    if (!r.body.info.more_records) break;
    token = r.body.info.next_page_token;
  }
  return out;
}
