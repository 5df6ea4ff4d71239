import assert from "node:assert/strict";
import { createApp } from "../zoho-sync/app.ts";
import { SERVICE_KEY, startHarness } from "./_zoho_sync.ts";

function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("zoho-sync with Zoho unreachable answers one clear 502 naming the host to check", async () => {
  const port = closedPort();
  const h = await startHarness("zs_unreach", { size: { leads: 50 } }, {
    ZOHO_ACCOUNTS_URL: `http://127.0.0.1:${port}`,
  });
  try {
    const app = createApp({
      env: h.env,
      sql: h.db.sql,
      retry: { sleep: () => Promise.resolve() },
    });
    const res = await app.request("/zoho-sync", {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE_KEY}` },
      body: "{}",
    });
    const body = await res.json();
    assert.equal(res.status, 502, JSON.stringify(body));
    assert.equal(body.error.code, "zoho_unreachable");
    assert.equal(
      body.error.message,
      `Cannot reach the Zoho accounts server 127.0.0.1:${port} (ZOHO_ACCOUNTS_URL): ` +
        "connection failed (POST /oauth/v2/token)",
    );
    assert.doesNotMatch(JSON.stringify(body), new RegExp(h.env.ZOHO_CLIENT_SECRET!));
    // Nothing is left holding the lease: the next call runs at once.
    const [lease] = await h.db.sql`select count(*)::int as n from zoho.sync_lease`;
    assert.equal(lease!.n, 0);
  } finally {
    await h.close();
  }
});
