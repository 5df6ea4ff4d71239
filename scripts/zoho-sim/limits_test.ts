import assert from "node:assert/strict";
import { accessToken, api, withSim } from "./testing.ts";

Deno.test("Credit ledger: rolling 24 h window", async (t) => {
  await withSim({ limits: { credits: 10 } }, async (sim) => {
    const auth = await accessToken(sim);
    const call = () => api(auth, "/crm/v7/Leads?fields=Last_Name&per_page=1");

    await t.step("no X-API-CREDITS-REMAINING header below half the window", async () => {
      for (let n = 0; n < 4; n++) {
        assert.equal((await call()).headers.get("X-API-CREDITS-REMAINING"), null);
      }
    });
    await t.step("the header appears once 50% is used", async () => {
      const r = await call();
      assert.equal(r.headers.get("X-API-CREDITS-REMAINING"), "5");
      assert.equal(sim.controls.ledger.used(), 5);
    });
    await t.step(
      "an exhausted window answers 429 TOO_MANY_REQUESTS without Retry-After",
      async () => {
        for (let n = 0; n < 5; n++) assert.equal((await call()).status, 200);
        const r = await call();
        assert.equal(r.status, 429);
        assert.equal(r.body.code, "TOO_MANY_REQUESTS");
        assert.equal(r.headers.get("Retry-After"), null);
      },
    );
    await t.step("credits return 24 h after they were spent", async () => {
      sim.controls.clock.advance(86400);
      const fresh = await accessToken(sim);
      assert.equal((await api(fresh, "/crm/v7/Leads?fields=Last_Name&per_page=1")).status, 200);
      assert.equal(sim.controls.ledger.used(), 1);
    });
  });
});

Deno.test("Edition sets credits and concurrency", async () => {
  await withSim({ edition: "standard", users: 20 }, (sim) => {
    assert.equal(sim.controls.ledger.limit(), 55000);
    return Promise.resolve();
  });
  await withSim({ edition: "free" }, (sim) => {
    assert.equal(sim.controls.ledger.limit(), 5000);
    return Promise.resolve();
  });
});

Deno.test("Concurrency and sub-concurrency gates answer 429", async (t) => {
  await withSim({ limits: { concurrency: 3, subConcurrency: 2 } }, async (sim) => {
    const auth = await accessToken(sim);
    await t.step("more simultaneous calls than the edition allows get 429", async () => {
      sim.controls.faults.add({ kind: "slow", delayMs: 150, path: "/crm/v7/Leads", times: 3 });
      const slow = [1, 2, 3].map(() => api(auth, "/crm/v7/Leads?fields=Last_Name&per_page=1"));
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(sim.controls.gates.concurrencyActive(), 3);
      const extra = await api(auth, "/crm/v7/Contacts?fields=Last_Name&per_page=1");
      assert.equal(extra.status, 429);
      assert.equal(extra.body.code, "TOO_MANY_REQUESTS");
      for (const r of await Promise.all(slow)) assert.equal(r.status, 200);
      assert.equal(sim.controls.gates.concurrencyActive(), 0);
    });
    await t.step("sort_by calls share the sub-concurrency gate", async () => {
      sim.controls.faults.add({ kind: "slow", delayMs: 150, path: "/crm/v7/Deals", times: 2 });
      const q = "/crm/v7/Deals?fields=Deal_Name&per_page=1&sort_by=Modified_Time";
      const slow = [api(auth, q), api(auth, q)];
      await new Promise((r) => setTimeout(r, 40));
      const heavy = await api(
        auth,
        "/crm/v7/Contacts?fields=Last_Name&per_page=1&sort_by=Created_Time",
      );
      assert.equal(heavy.status, 429);
      const light = await api(auth, "/crm/v7/Contacts?fields=Last_Name&per_page=1");
      assert.equal(light.status, 200);
      for (const r of await Promise.all(slow)) assert.equal(r.status, 200);
    });
  });
});
