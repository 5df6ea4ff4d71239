import assert from "node:assert/strict";
import { createSyncDb } from "../../../../scripts/local/test_db.ts";
import { ZohoApiError } from "./errors.ts";
import { fakeFetch } from "./fake_fetch.ts";
import { type OAuthCredentials, TokenStore } from "./oauth.ts";

const CREDS: OAuthCredentials = {
  accountsUrl: "https://accounts.test",
  clientId: "cid",
  clientSecret: "secret",
  refreshToken: "rtok",
};

function grant(n: number) {
  return {
    body: {
      access_token: `at${n}`,
      expires_in: 3600,
      api_domain: "https://www.zohoapis.test",
      token_type: "Bearer",
    },
  };
}

Deno.test("TokenStore", async (t) => {
  const db = await createSyncDb("zs_oauth");
  try {
    await t.step("reuses a stored token across invocations and refreshes once", async () => {
      const f = fakeFetch({ "/oauth/v2/token": [grant(1), grant(2)] });
      const a = new TokenStore(db.sql, CREDS, { fetch: f.fetch });
      const b = new TokenStore(db.sql, CREDS, { fetch: f.fetch });
      const [x, y] = await Promise.all([a.get(), b.get()]);
      assert.equal(x.accessToken, "at1");
      assert.equal(y.accessToken, "at1");
      assert.equal(x.apiDomain, "https://www.zohoapis.test");
      const c = new TokenStore(db.sql, CREDS, { fetch: f.fetch });
      assert.equal((await c.get()).accessToken, "at1");
      assert.equal(f.calls.length, 1, "one refresh for three stores");
      const url = new URL(f.calls[0]!.url);
      assert.equal(url.searchParams.get("grant_type"), "refresh_token");
      assert.equal(url.searchParams.get("refresh_token"), "rtok");
    });

    await t.step(
      "renew() replaces a token Zoho rejected, once for concurrent callers",
      async () => {
        const f = fakeFetch({ "/oauth/v2/token": [grant(7)] });
        const a = new TokenStore(db.sql, CREDS, { fetch: f.fetch });
        const [x, y] = await Promise.all([a.renew("at1"), a.renew("at1")]);
        assert.equal(x.accessToken, "at7");
        assert.equal(y.accessToken, "at7");
        assert.equal(f.calls.length, 1);
      },
    );

    await t.step("an HTTP-200 {error: invalid_code} fails without retrying", async () => {
      const creds = { ...CREDS, clientId: "other" };
      const f = fakeFetch({ "/oauth/v2/token": [{ body: { error: "invalid_code" } }] });
      const error = await new TokenStore(db.sql, creds, { fetch: f.fetch }).get().catch((e) => e);
      assert.ok(error instanceof ZohoApiError);
      assert.equal(error.code, "invalid_code");
      assert.match(error.message, /Cannot refresh Zoho token: response status is 200/);
      assert.ok(!error.message.includes("secret") && !error.message.includes("rtok"));
      assert.equal(f.calls.length, 1);
    });

    await t.step("retries the Access Denied throttle answer, then succeeds", async () => {
      const creds = { ...CREDS, clientId: "third" };
      const denied = {
        status: 400,
        body: { error: "Access Denied", error_description: "too many requests" },
      };
      const f = fakeFetch({ "/oauth/v2/token": [denied, grant(3)] });
      const store = new TokenStore(db.sql, creds, {
        fetch: f.fetch,
        sleep: () => Promise.resolve(),
      });
      assert.equal((await store.get()).accessToken, "at3");
      assert.equal(f.calls.length, 2);
    });

    await t.step("stops before Zoho's refresh throttle", async () => {
      const creds = { ...CREDS, clientId: "fourth" };
      const f = fakeFetch({ "/oauth/v2/token": [grant(1), grant(2), grant(3)] });
      const store = new TokenStore(db.sql, creds, { fetch: f.fetch, maxRefreshes: 2 });
      await store.renew("x");
      await store.renew("at1");
      const error = await store.renew("at2").catch((e) => e);
      assert.ok(error instanceof ZohoApiError);
      assert.equal(error.code, "REFRESH_THROTTLED");
      assert.equal(f.calls.length, 2);
    });
  } finally {
    await db.drop();
  }
});
