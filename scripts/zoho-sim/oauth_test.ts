import assert from "node:assert/strict";
import { accessToken, api, withSim } from "./testing.ts";

Deno.test("OAuth refresh grant and data centres", async (t) => {
  await withSim({}, async (sim) => {
    const c = sim.credentials;
    const tokenUrl = `${c.accountsUrl}/oauth/v2/token`;

    await t.step("refresh grant with query params returns Zoho's token shape", async () => {
      const q = new URLSearchParams({
        grant_type: "refresh_token",
        client_id: c.clientId,
        client_secret: c.clientSecret,
        refresh_token: c.refreshToken,
      });
      const res = await fetch(`${tokenUrl}?${q}`, { method: "POST" });
      const body = await res.json();
      assert.equal(res.status, 200);
      assert.match(body.access_token, /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
      assert.equal(body.expires_in, 3600);
      assert.equal(body.token_type, "Bearer");
      assert.equal(body.api_domain, sim.url);
      assert.equal(body.refresh_token, undefined);
    });

    await t.step("form body works too and the default DC is served at the root", async () => {
      const { apiDomain } = await accessToken(sim);
      assert.equal(apiDomain, sim.url);
    });

    await t.step("wrong secret answers HTTP 200 invalid_client", async () => {
      const res = await fetch(tokenUrl, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id: c.clientId,
          client_secret: "nope",
          refresh_token: c.refreshToken,
        }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { error: "invalid_client" });
    });

    await t.step("a US client at the EU accounts endpoint is invalid_client", async () => {
      const res = await fetch(`${sim.dcUrl("eu")}/oauth/v2/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id: c.clientId,
          client_secret: c.clientSecret,
          refresh_token: c.refreshToken,
        }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { error: "invalid_client" });
    });

    await t.step("unknown refresh token answers HTTP 200 invalid_code", async () => {
      const res = await fetch(tokenUrl, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id: c.clientId,
          client_secret: c.clientSecret,
          refresh_token: "1000.bad.bad",
        }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { error: "invalid_code" });
    });

    await t.step("an EU token is refused by the US API and works in the EU", async () => {
      const eu = await accessToken(sim, { dc: "eu" });
      assert.equal(eu.apiDomain, `${sim.url}/dc/eu`);
      const us = await api(
        { token: eu.token, apiDomain: sim.url },
        "/crm/v7/Leads?fields=Last_Name",
      );
      assert.equal(us.status, 401);
      assert.equal(us.body.code, "INVALID_TOKEN");
      const ok = await api(eu, "/crm/v7/Leads?fields=Last_Name&per_page=1");
      assert.equal(ok.status, 200);
    });

    await t.step("access tokens expire on the simulator clock", async () => {
      const auth = await accessToken(sim);
      assert.equal((await api(auth, "/crm/v7/Leads?fields=Last_Name&per_page=1")).status, 200);
      sim.controls.clock.advance(3600);
      const r = await api(auth, "/crm/v7/Leads?fields=Last_Name&per_page=1");
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, {
        code: "INVALID_TOKEN",
        details: {},
        message: "invalid oauth token",
        status: "error",
      });
    });

    await t.step("expireAll and revoke invalidate tokens", async () => {
      const auth = await accessToken(sim);
      sim.controls.tokens.expireAll();
      assert.equal((await api(auth, "/crm/v7/Leads?fields=Last_Name")).status, 401);
      const rt = sim.controls.tokens.issueRefreshToken({ scope: "ZohoCRM.modules.ALL" });
      const auth2 = await accessToken(sim, { refreshToken: rt });
      assert.ok(sim.controls.tokens.revoke(rt));
      assert.equal((await api(auth2, "/crm/v7/Leads?fields=Last_Name")).status, 401);
    });

    await t.step("missing or malformed Authorization is AUTHENTICATION_FAILURE", async () => {
      const res = await fetch(`${sim.url}/crm/v7/Leads?fields=Last_Name`);
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, "AUTHENTICATION_FAILURE");
    });

    await t.step("Bearer prefix is accepted (singer tap sends it)", async () => {
      const auth = await accessToken(sim);
      const r = await api(auth, "/crm/v7/Leads?fields=Last_Name&per_page=1", {
        headers: { Authorization: `Bearer ${auth.token}` },
      });
      assert.equal(r.status, 200);
    });

    await t.step("a token without the module scope gets OAUTH_SCOPE_MISMATCH 401", async () => {
      const rt = sim.controls.tokens.issueRefreshToken({ scope: "ZohoCRM.modules.deals.READ" });
      const auth = await accessToken(sim, { refreshToken: rt });
      assert.equal((await api(auth, "/crm/v7/Deals?fields=Deal_Name&per_page=1")).status, 200);
      const r = await api(auth, "/crm/v7/Leads?fields=Last_Name");
      assert.equal(r.status, 401);
      assert.equal(r.body.code, "OAUTH_SCOPE_MISMATCH");
      const meta = await api(auth, "/crm/v7/settings/modules");
      assert.equal(meta.body.code, "OAUTH_SCOPE_MISMATCH");
    });
  });
});

Deno.test("OAuth refresh throttle: more than 10 per 10 minutes is Access Denied", async (t) => {
  await withSim({}, async (sim) => {
    const rt = sim.controls.tokens.issueRefreshToken({ scope: "ZohoCRM.modules.ALL" });
    await t.step("ten refreshes pass, the eleventh gets HTTP 400", async () => {
      for (let n = 0; n < 10; n++) await accessToken(sim, { refreshToken: rt });
      const c = sim.credentials;
      const res = await fetch(`${c.accountsUrl}/oauth/v2/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id: c.clientId,
          client_secret: c.clientSecret,
          refresh_token: rt,
        }),
      });
      assert.equal(res.status, 400);
      const body = await res.json();
      assert.equal(body.error, "Access Denied");
      assert.equal(
        body.error_description,
        "You have made too many requests continuously. Please try again after some time.",
      );
    });
    await t.step("the block lifts when the ten-minute window ends", async () => {
      sim.controls.clock.advance(600);
      const auth = await accessToken(sim, { refreshToken: rt });
      assert.ok(auth.token.startsWith("1000."));
    });
  });
});

Deno.test("README documents the real default credentials", async () => {
  const { dcCredentials } = await import("./sim/config.ts");
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const us = dcCredentials("us");
  for (const value of [us.clientId, us.clientSecret, us.refreshToken, us.scope]) {
    assert.ok(readme.includes(value), `README mentions ${value}`);
  }
});
