import assert from "node:assert/strict";
import { accessToken, api, withSim } from "./testing.ts";
import { orgZoneName, PRIMARY_USER, zuidOf } from "./routes/org.ts";

Deno.test("GET /users filters by type as Zoho does", async () => {
  await withSim({ size: { leads: 100 } }, async (sim) => {
    const auth = await accessToken(sim);
    const ids = async (type?: string) => {
      const r = await api(auth, `/crm/v7/users${type ? `?type=${type}` : ""}`);
      return r.status === 200 ? (r.body.users as { zuid: string }[]).map((u) => u.zuid) : r.status;
    };
    const all = await ids();
    assert.equal((all as string[]).length, 8);
    assert.deepEqual(await ids("AllUsers"), all);
    // CurrentUser: the token's owner only (the org's primary user, who made the self client).
    assert.deepEqual(await ids("CurrentUser"), [zuidOf(PRIMARY_USER)]);
    const active = await ids("ActiveUsers") as string[];
    const inactive = await ids("DeactiveUsers") as string[];
    assert.equal(active.length + inactive.length, 8);
    assert.ok(inactive.length >= 1 && active.length >= 1);
    const admins = await ids("AdminUsers") as string[];
    assert.ok(admins.length >= 1 && admins.length < 8);
    assert.ok(admins.includes(zuidOf(PRIMARY_USER)));
    assert.deepEqual(await ids("ActiveConfirmedAdmins"), admins.filter((z) => active.includes(z)));
    assert.equal(await ids("DeletedUsers"), 204);
    const bad = await api(auth, "/crm/v7/users?type=Everyone");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "INVALID_DATA");
  });
});

Deno.test("GET /org has zgid, primary_zuid and a zone name", async () => {
  await withSim({ size: { leads: 100 } }, async (sim) => {
    const auth = await accessToken(sim);
    const org = (await api(auth, "/crm/v7/org")).body.org[0];
    assert.match(org.zgid, /^\d+$/);
    assert.equal(org.primary_zuid, zuidOf(PRIMARY_USER));
    assert.equal(org.time_zone, "Asia/Kolkata"); // the dataset's +05:30
    const me = (await api(auth, "/crm/v7/users?type=CurrentUser")).body.users[0];
    assert.equal(me.zuid, org.primary_zuid);
    assert.equal(me.email, org.primary_email);
  });
  assert.equal(orgZoneName("-05:00"), "America/New_York");
  assert.equal(orgZoneName("+03:00"), "Etc/GMT-3");
  assert.equal(orgZoneName("+05:30", "Asia/Colombo"), "Asia/Colombo");
});

Deno.test("a real-time clock runs from the anchor: tokens expire and the refresh throttle resets", async () => {
  await withSim({ size: { leads: 50 }, realTimeClock: true }, async (sim) => {
    const ctl = sim.controls;
    const t0 = ctl.clock.now();
    await new Promise((r) => setTimeout(r, 1_100));
    assert.ok(ctl.clock.now() >= t0 + 1, "the clock ticks by itself");
    for (let i = 0; i < 10; i++) await accessToken(sim);
    await assert.rejects(() => accessToken(sim), /Access Denied|too many/i);
    const auth = await accessToken(sim).catch(() => null);
    assert.equal(auth, null);
    // Ten minutes later (moved by hand here; the stack's clock gets there by itself).
    ctl.clock.advance(601);
    const fresh = await accessToken(sim);
    assert.equal((await api(fresh, "/crm/v7/org")).status, 200);
    ctl.clock.advance(3_601);
    assert.equal((await api(fresh, "/crm/v7/org")).status, 401, "the access token expired");
  });
});
