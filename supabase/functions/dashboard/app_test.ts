/**
 * Access control of the dashboard handler: a signed link opens a cookie session, the
 * service_role key works, anything else (no link, expired, tampered, anon key, forged cookie)
 * gets the 401 page and nothing else; Refresh needs the session plus its CSRF token. Runs on a
 * scratch database without data (a started run stays queued: no pg_net worker there).
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { SESSION_COOKIE, signDashboardLink } from "../_shared/dashboard/link.ts";
import { createApp } from "./app.ts";

const KEY = "service-role-key-for-tests-0123456789abcdef";
const NOW = new Date("2026-03-04T10:00:00Z");

function cookieOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  return set.split(";")[0]!;
}

async function assertRefused(res: Response, words: RegExp) {
  assert.equal(res.status, 401);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  assert.equal(res.headers.get("set-cookie"), null);
  const body = await res.text();
  assert.match(body, words);
  assert.doesNotMatch(body, /<svg|Sales dashboard|app\.js|csrf/);
}

Deno.test("dashboard access control", async (t) => {
  const db = await createScratchDb("dashboard_access");
  let clock = NOW;
  const app = createApp({
    env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
    now: () => clock,
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers });
  try {
    await t.step("without a link or key: the 401 page and nothing else", async () => {
      await assertRefused(await get("/dashboard"), /opens from a signed link/);
      await assertRefused(await get("/dashboard?period=ytd"), /signed link/);
      await assertRefused(await get("/dashboard/app.js"), /signed link/);
      await assertRefused(await get("/dashboard/app.css"), /signed link/);
    });

    await t.step(
      "a signed link sets an HttpOnly, Secure, SameSite session and redirects",
      async () => {
        const link = await signDashboardLink({ recipient: "cro", ttlSeconds: 3600 }, KEY, NOW);
        const res = await get(`${link}&period=ytd`);
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "dashboard?period=ytd");
        const set = res.headers.get("set-cookie") ?? "";
        assert.match(set, new RegExp(`^${SESSION_COOKIE}=cro\\.\\d+\\.[\\w-]{43}; Max-Age=3600; `));
        for (const attr of ["HttpOnly", "Secure", "SameSite=Lax"]) assert.ok(set.includes(attr));
        const page = await get("/dashboard?period=ytd", { cookie: cookieOf(res) });
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /<meta name="csrf-token" content="[\w-]{43}">/);
        assert.match(html, /No metrics snapshot yet/);
        assert.equal((await get("/dashboard/app.js", { cookie: cookieOf(res) })).status, 200);
      },
    );

    await t.step("an expired link is refused", async () => {
      const link = await signDashboardLink({ recipient: "cro", ttlSeconds: 60 }, KEY, NOW);
      clock = new Date(NOW.getTime() + 61_000);
      await assertRefused(await get(link), /expired/);
      clock = NOW;
    });

    await t.step("a tampered link is refused (recipient, expiry, signature)", async () => {
      const link = await signDashboardLink({ recipient: "cro", ttlSeconds: 60 }, KEY, NOW);
      const exp = /exp=(\d+)/.exec(link)![1]!;
      await assertRefused(await get(link.replace("to=cro", "to=cfo")), /not valid/);
      await assertRefused(await get(link.replace(exp, String(Number(exp) + 86400))), /not valid/);
      await assertRefused(await get(link.replace(/sig=./, "sig=A")), /not valid|incomplete/);
      await assertRefused(await get(link.replace(/&sig=[^&]+/, "")), /incomplete/);
    });

    await t.step("a session cookie expires with its link and cannot be forged", async () => {
      const link = await signDashboardLink({ recipient: "cro", ttlSeconds: 60 }, KEY, NOW);
      const cookie = cookieOf(await get(link));
      clock = new Date(NOW.getTime() + 60_000);
      await assertRefused(await get("/dashboard", { cookie }), /expired/);
      clock = NOW;
      const forged = cookie.replace(/\.(\d+)\./, (_, e) => `.${Number(e) + 3600}.`);
      await assertRefused(await get("/dashboard", { cookie: forged }), /not valid/);
      const other = await signDashboardLink({ recipient: "cro", ttlSeconds: 60 }, "x".repeat(40));
      const foreign = cookieOf(
        await createApp({
          env: () => ({ SUPABASE_SERVICE_ROLE_KEY: "x".repeat(40) }),
          now: () => NOW,
        }).request(other),
      );
      await assertRefused(await get("/dashboard", { cookie: foreign }), /not valid/);
    });

    await t.step("Refresh needs the session plus its CSRF token", async () => {
      const link = await signDashboardLink({ recipient: "cro", ttlSeconds: 3600 }, KEY, NOW);
      const cookie = cookieOf(await get(link));
      const html = await (await get("/dashboard", { cookie })).text();
      const csrf = /<meta name="csrf-token" content="([\w-]{43})">/.exec(html)![1]!;
      assert.match(html, /<button id="refresh"/);
      const otherCookie = cookieOf(
        await get(await signDashboardLink({ recipient: "cfo", ttlSeconds: 3600 }, KEY, NOW)),
      );
      const otherCsrf = /csrf-token" content="([\w-]{43})"/.exec(
        await (await get("/dashboard", { cookie: otherCookie })).text(),
      )![1]!;
      // Where pg_net would send the stages (nothing delivers them on this scratch database).
      await db.sql`select vault.create_secret('http://127.0.0.1:9', 'project_url')`;
      await db.sql`select vault.create_secret('unused-key', 'service_role_key')`;
      const runs = async () =>
        Number((await db.sql`select count(*)::int as n from pipeline.runs`)[0]!.n);
      const before = await runs();
      const post = (headers: Record<string, string>) =>
        app.request("/dashboard/refresh", { method: "POST", headers });

      const none = await post({});
      assert.equal(none.status, 401);
      assert.equal((await none.json()).error.code, "unauthorized");
      const noToken = await post({ cookie });
      assert.equal(noToken.status, 403);
      assert.equal((await noToken.json()).error.code, "csrf");
      assert.equal((await post({ cookie, "x-csrf-token": otherCsrf })).status, 403);
      assert.equal((await post({ "x-csrf-token": csrf })).status, 401);
      assert.equal(await runs(), before, "no run was started by a refused Refresh");

      const ok = await post({ cookie, "x-csrf-token": csrf });
      assert.equal(ok.status, 202);
      const run = await ok.json();
      assert.equal(run.trigger, "dashboard");
      assert.equal(run.status, "running");
      assert.deepEqual(run.stages.map((s: { stage: string }) => s.stage), [
        "sync",
        "metrics",
        "brief",
        "pulse",
      ]);
      const again = await post({ authorization: `Bearer ${KEY}` });
      assert.equal(again.status, 409);
      assert.equal((await again.json()).error.run_id, run.id);

      const status = await get(`/dashboard/refresh/${run.id}`, { cookie });
      assert.equal(status.status, 200);
      assert.equal((await status.json()).id, run.id);
      assert.equal((await get(`/dashboard/refresh/${run.id}`)).status, 401);
      assert.equal((await get("/dashboard/refresh/nope", { cookie })).status, 400);
      await db.sql`update pipeline.runs set status = 'cancelled', finished_at = now()
        where id = ${run.id}`.catch(() => {});
    });

    await t.step("the service_role key opens the page; the anon key does not", async () => {
      const ok = await get("/dashboard", { authorization: `Bearer ${KEY}` });
      assert.equal(ok.status, 200);
      assert.doesNotMatch(await ok.text(), /csrf-token/);
      await assertRefused(
        await get("/dashboard", { authorization: "Bearer some.anon.jwt" }),
        /signed link/,
      );
    });

    await t.step(
      "a bad filter is a 400 naming the parameter (after the access check)",
      async () => {
        const res = await get("/dashboard?period=week", { authorization: `Bearer ${KEY}` });
        assert.equal(res.status, 400);
        const body = await res.json();
        assert.equal(body.error.code, "invalid_request");
        assert.match(body.error.message, /^period: /);
        await assertRefused(await get("/dashboard?period=week"), /signed link/);
      },
    );
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
