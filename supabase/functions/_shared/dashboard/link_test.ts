import assert from "node:assert/strict";
import {
  csrfToken,
  dashboardSecret,
  sessionToken,
  signDashboardLink,
  verifyDashboardLink,
  verifySession,
} from "./link.ts";

const SECRET = "a-test-secret-that-is-at-least-32-chars";
const NOW = new Date("2026-03-04T10:00:00Z");
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

function query(path: string): URLSearchParams {
  return new URL(path, "http://x").searchParams;
}

/** A signature cut short, cut to a prefix, extended, changed in its last character, or empty. */
function forgeries(sig: string): [string, string][] {
  return [
    ["truncated", sig.slice(0, -1)],
    ["prefix", sig.slice(0, 8)],
    ["extended", `${sig}A`],
    ["extended by a character of its own", sig + sig[0]],
    ["altered suffix", `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`],
    ["empty", ""],
  ];
}

Deno.test("signDashboardLink()", async (t) => {
  await t.step("signs path, expiry and recipient; the link verifies until it expires", async () => {
    const path = await signDashboardLink(
      { recipient: "+14155550100", ttlSeconds: 600 },
      SECRET,
      NOW,
    );
    assert.match(path, /^\/dashboard\?to=%2B14155550100&exp=\d+&sig=[\w-]{43}$/);
    assert.deepEqual(await verifyDashboardLink(query(path), SECRET, later(599)), {
      recipient: "+14155550100",
      expiresAt: NOW.getTime() / 1000 + 600,
    });
    assert.equal(await verifyDashboardLink(query(path), SECRET, later(600)), "expired");
  });

  await t.step("any changed part, or another secret, fails the signature", async () => {
    const path = await signDashboardLink({ recipient: "cro", ttlSeconds: 600 }, SECRET, NOW);
    const q = query(path);
    const with_ = (k: string, v: string) => {
      const c = new URLSearchParams(q);
      c.set(k, v);
      return c;
    };
    assert.equal(await verifyDashboardLink(with_("to", "cfo"), SECRET, NOW), "bad_signature");
    const exp = String(Number(q.get("exp")) + 3600);
    assert.equal(await verifyDashboardLink(with_("exp", exp), SECRET, NOW), "bad_signature");
    const sig = q.get("sig")!;
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    assert.equal(await verifyDashboardLink(with_("sig", flipped), SECRET, NOW), "bad_signature");
    assert.equal(await verifyDashboardLink(q, `${SECRET}x`, NOW), "bad_signature");
  });

  await t.step("a truncated, extended, altered-suffix or empty signature is refused", async () => {
    const path = await signDashboardLink({ recipient: "cro", ttlSeconds: 600 }, SECRET, NOW);
    const q = query(path);
    for (const [what, sig] of forgeries(q.get("sig")!)) {
      const c = new URLSearchParams(q);
      c.set("sig", sig);
      const verdict = await verifyDashboardLink(c, SECRET, NOW);
      assert.equal(verdict, sig ? "bad_signature" : "malformed", what);
    }
  });

  await t.step("missing and malformed links are told apart", async () => {
    assert.equal(await verifyDashboardLink(new URLSearchParams(), SECRET, NOW), "missing");
    assert.equal(await verifyDashboardLink(query("/d?to=cro&exp=1"), SECRET, NOW), "malformed");
    assert.equal(
      await verifyDashboardLink(query("/d?to=cro&exp=soon&sig=x"), SECRET, NOW),
      "malformed",
    );
  });

  await t.step("refuses a bad recipient or lifetime", async () => {
    await assert.rejects(
      signDashboardLink({ recipient: "a b", ttlSeconds: 60 }, SECRET),
      /recipient/,
    );
    await assert.rejects(signDashboardLink({ recipient: "cro", ttlSeconds: 0 }, SECRET), /ttl/);
    await assert.rejects(
      signDashboardLink({ recipient: "cro", ttlSeconds: 31 * 86400 }, SECRET),
      /ttl/,
    );
  });
});

Deno.test("sessionToken() and csrfToken()", async (t) => {
  const grant = { recipient: "cro", expiresAt: NOW.getTime() / 1000 + 60 };
  await t.step("a session verifies until its expiry, and not once changed", async () => {
    const token = await sessionToken(grant, SECRET);
    assert.deepEqual(await verifySession(token, SECRET, NOW), grant);
    assert.equal(await verifySession(token, SECRET, later(60)), "expired");
    assert.equal(await verifySession(token.replace("cro.", "cfo."), SECRET, NOW), "bad_signature");
    const longer = token.replace(`.${grant.expiresAt}.`, `.${grant.expiresAt + 9999}.`);
    assert.equal(await verifySession(longer, SECRET, NOW), "bad_signature");
    assert.equal(await verifySession(undefined, SECRET, NOW), "missing");
    assert.equal(await verifySession("garbage", SECRET, NOW), "malformed");
  });

  await t.step(
    "a truncated, extended, altered-suffix or empty session MAC is refused",
    async () => {
      const token = await sessionToken(grant, SECRET);
      const i = token.lastIndexOf(".") + 1;
      for (const [what, sig] of forgeries(token.slice(i))) {
        const verdict = await verifySession(token.slice(0, i) + sig, SECRET, NOW);
        assert.ok(verdict === "bad_signature" || verdict === "malformed", `${what}: ${verdict}`);
      }
    },
  );

  await t.step("a link's signature is not a valid session and vice versa", async () => {
    const path = await signDashboardLink({ recipient: "cro", ttlSeconds: 60 }, SECRET, NOW);
    const q = query(path);
    const forged = `cro.${q.get("exp")}.${q.get("sig")}`;
    assert.equal(await verifySession(forged, SECRET, NOW), "bad_signature");
  });

  await t.step("the CSRF token is bound to the session", async () => {
    const a = await sessionToken(grant, SECRET);
    const b = await sessionToken({ ...grant, recipient: "cfo" }, SECRET);
    assert.notEqual(await csrfToken(a, SECRET), await csrfToken(b, SECRET));
    assert.equal(await csrfToken(a, SECRET), await csrfToken(a, SECRET));
  });
});

Deno.test("dashboardSecret() prefers DASHBOARD_LINK_SECRET, else the service_role key", () => {
  assert.equal(
    dashboardSecret({ DASHBOARD_LINK_SECRET: SECRET, SUPABASE_SERVICE_ROLE_KEY: "k" }),
    SECRET,
  );
  assert.equal(dashboardSecret({ SUPABASE_SERVICE_ROLE_KEY: SECRET }), SECRET);
  assert.throws(() => dashboardSecret({}), /DASHBOARD_LINK_SECRET/);
});
