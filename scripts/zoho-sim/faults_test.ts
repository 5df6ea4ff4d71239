import assert from "node:assert/strict";
import { accessToken, api, withSim } from "./testing.ts";

Deno.test("Fault injection and the request log", async (t) => {
  await withSim({}, async (sim) => {
    const auth = await accessToken(sim);
    const f = sim.controls.faults;
    const leads = "/crm/v7/Leads?fields=Last_Name&per_page=1";

    await t.step("a 500 on the Nth matching call only", async () => {
      f.add({ kind: "status", status: 500, path: "/crm/v7/Leads", nth: 2 });
      assert.equal((await api(auth, leads)).status, 200);
      const second = await api(auth, leads);
      assert.equal(second.status, 500);
      assert.equal(second.body.code, "INTERNAL_ERROR");
      assert.equal((await api(auth, leads)).status, 200);
      f.clear();
    });

    await t.step("a 429 on a path filter leaves other paths alone", async () => {
      f.add({ kind: "status", status: 429, path: "re:/Deals$" });
      assert.equal((await api(auth, "/crm/v7/Deals?fields=Deal_Name")).status, 429);
      assert.equal((await api(auth, leads)).status, 200);
      f.clear();
    });

    await t.step("rate-based faults are the same for the same seed", async () => {
      // Two fresh simulators per seed: the same seed fires on the same calls, another differs.
      const run = (seed: number) => {
        const out: number[] = [];
        return withSim({ seed, size: { leads: 20 } }, async (fresh) => {
          const auth2 = await accessToken(fresh);
          fresh.controls.faults.add({ kind: "status", status: 503, rate: 0.5, path: "/Contacts" });
          for (let n = 0; n < 24; n++) {
            out.push((await api(auth2, "/crm/v7/Contacts?fields=Last_Name&per_page=1")).status);
          }
        }).then(() => out.join(""));
      };
      const [a, b, other] = [await run(7), await run(7), await run(8)];
      assert.ok(a.includes("503") && a.includes("200"), a);
      assert.equal(a, b);
      assert.notEqual(a, other);
    });

    await t.step("a truncated body is not valid JSON", async () => {
      f.add({ kind: "truncate", path: "/crm/v7/Leads", times: 1 });
      const res = await fetch(`${auth.apiDomain}${leads}`, {
        headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
      });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.throws(() => JSON.parse(text));
    });

    await t.step("a dropped connection fails while reading the body", async () => {
      f.add({ kind: "drop", path: "/crm/v7/Leads", times: 1 });
      const res = await fetch(`${auth.apiDomain}${leads}`, {
        headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
      });
      await assert.rejects(() => res.text());
    });

    await t.step("the request log records status, credits and faults", () => {
      const log = sim.controls.log.entries();
      const dropped = log.at(-1);
      assert.deepEqual(dropped?.faults, ["drop"]);
      const fivehundred = log.find((e) => e.status === 500);
      assert.equal(fivehundred?.code, "INTERNAL_ERROR");
      assert.ok(log.some((e) => e.credits === 1 && e.status === 200));
    });

    await t.step(
      "log.next settles as the matching request arrives, before its answer",
      async () => {
        f.add({ kind: "slow", delayMs: 200, path: "/crm/v7/Deals", times: 1 });
        let answered = false;
        const arrived = sim.controls.log.next((e) => e.path === "/crm/v7/Deals");
        const call = api(auth, "/crm/v7/Deals?fields=Deal_Name&per_page=1").then((r) => {
          answered = true;
          return r;
        });
        await api(auth, leads); // another path does not settle it
        const entry = await arrived;
        assert.equal(answered, false);
        assert.equal(entry.path, "/crm/v7/Deals");
        assert.equal((await call).status, 200);
        f.clear();
      },
    );
  });
});

Deno.test("Admin HTTP API under /__sim", async (t) => {
  await withSim({}, async (sim) => {
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}/__sim${path}`, { method: "POST", body: JSON.stringify(body) }).then((r) =>
        r.json()
      );

    await t.step("advances the clock", async () => {
      const before = sim.controls.clock.now();
      const r = await post("/clock/advance", { seconds: 120 });
      assert.equal(r.now, before + 120);
    });

    await t.step("adds faults and exposes the log and the ledger", async () => {
      const auth = await accessToken(sim);
      const { id } = await post("/faults", {
        kind: "status",
        status: 500,
        nth: 1,
        path: "/crm/v7/Deals",
      });
      assert.ok(id > 0);
      assert.equal((await api(auth, "/crm/v7/Deals?fields=Deal_Name")).status, 500);
      const log = await fetch(`${sim.url}/__sim/requests`).then((r) => r.json());
      assert.ok(log.requests.some((e: { status: number }) => e.status === 500));
      const credits = await fetch(`${sim.url}/__sim/credits`).then((r) => r.json());
      assert.equal(typeof credits.remaining, "number");
    });

    await t.step("mutates records and expires tokens", async () => {
      const auth = await accessToken(sim);
      const created = await post("/records/Leads", { Last_Name: "Admin" });
      assert.match(created.data.id, /^\d{19}$/);
      const del = await fetch(`${sim.url}/__sim/records/Leads/${created.data.id}`, {
        method: "DELETE",
      });
      assert.equal(del.status, 200);
      await del.body?.cancel();
      const restored = await post(`/records/Leads/${created.data.id}/restore`, {});
      assert.equal(restored.data.id, created.data.id);
      await post("/tokens/expire", {});
      assert.equal((await api(auth, "/crm/v7/Leads?fields=Last_Name")).status, 401);
    });
  });
});
