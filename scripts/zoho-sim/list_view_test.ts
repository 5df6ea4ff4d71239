import assert from "node:assert/strict";
import { stringify } from "./sim/json.ts";
import { accessToken, api, fetchAll, withSim } from "./testing.ts";

/** Field groups of at most 50 names (Get Records `fields` limit), id excluded. */
function groups(names: string[]): string[][] {
  const out: string[][] = [];
  const rest = names.filter((n) => n !== "id");
  for (let i = 0; i < rest.length; i += 49) out.push(["Modified_Time", ...rest.slice(i, i + 49)]);
  return out;
}

Deno.test("list views carry record-level $ keys", async (t) => {
  await withSim({ size: { leads: 300 } }, async (sim) => {
    const auth = await accessToken(sim);
    const ctl = sim.controls;

    await t.step(
      "list records plus single reads where the list truncates equal single-record GETs",
      async () => {
        for (const module of ["Leads", "Deals", "Contacts", "Tasks"]) {
          const names = sim.dataset.fields(module).map((f) => f.api_name);
          const merged = new Map<string, Record<string, unknown>>();
          for (const g of groups(names)) {
            const q = `fields=${g.join(",")}&converted=both&approved=both`;
            for (const r of await fetchAll(auth, module, q)) {
              merged.set(r.id as string, { ...merged.get(r.id as string), ...r });
            }
          }
          const truth = [...ctl.records.iterate(module)];
          assert.equal(merged.size, truth.length, module);
          let singles = 0;
          for (const want of truth) {
            const got = merged.get(want.id)!;
            const more = got.$has_more as Record<string, boolean> | undefined;
            const cut = Object.values(got).some((v) => typeof v === "string" && v.length >= 500);
            if (more || cut) {
              singles++;
              continue; // the client reads these whole
            }
            // Parsed like the client parses it (bigint values lose precision the same way).
            assert.deepEqual(got, JSON.parse(stringify(want)), `${module}/${want.id}`);
          }
          // Every deal has a subform (`$has_more`); elsewhere the list is mostly complete.
          if (module !== "Deals") assert.ok(singles * 2 < truth.length, module);
        }
      },
    );

    await t.step("$approval_state and $converted_detail are in the list view", async () => {
      const r = await api(auth, "/crm/v7/Leads?fields=Last_Name&converted=true&per_page=1");
      const rec = r.body.data[0];
      assert.equal(rec.$approval_state, "approved");
      assert.equal(rec.$converted, true);
      assert.ok(rec.$converted_detail.Deal.id);
      assert.equal(rec.$has_more, undefined);
    });

    await t.step("listDollarKeys requested: only $ keys named in fields", async () => {
      ctl.behaviour.listDollarKeys = "requested";
      try {
        const r = await api(auth, "/crm/v7/Leads?fields=Last_Name,$approval_state&per_page=1");
        assert.deepEqual(Object.keys(r.body.data[0]).sort(), [
          "$approval_state",
          "Last_Name",
          "id",
        ]);
      } finally {
        ctl.behaviour.listDollarKeys = "all";
      }
    });
  });
});

Deno.test("Get Records ids parameter", async (t) => {
  await withSim({}, async (sim) => {
    const auth = await accessToken(sim);
    const ctl = sim.controls;
    const ids = [1, 5, 9].map((i) => ctl.records.idOf("Contacts", i));

    await t.step("returns just those records, list-shaped", async () => {
      const r = await api(auth, `/crm/v7/Contacts?ids=${ids.join(",")}&fields=Last_Name`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.data.map((x: { id: string }) => x.id).sort(), [...ids].sort());
      assert.equal(r.body.info.more_records, false);
      assert.equal(r.body.data[0].$approval_state, "approved");
    });

    await t.step("fields is optional with ids: every field", async () => {
      const r = await api(auth, `/crm/v7/Contacts?ids=${ids[0]}`);
      const want = JSON.parse(stringify(ctl.records.get("Contacts", ids[0]!)));
      assert.deepEqual(r.body.data[0], want);
    });

    await t.step("deleted ids are left out; none left answers 204", async () => {
      ctl.records.delete("Contacts", ids[1]!);
      const r = await api(auth, `/crm/v7/Contacts?ids=${ids.join(",")}&fields=Last_Name`);
      assert.equal(r.body.data.length, 2);
      const gone = await api(auth, `/crm/v7/Contacts?ids=${ids[1]}&fields=Last_Name`);
      assert.equal(gone.status, 204);
      ctl.records.restore("Contacts", ids[1]!);
    });

    await t.step("more than 100 ids is LIMIT_EXCEEDED, a bad id INVALID_DATA", async () => {
      const many = Array.from({ length: 101 }, (_, i) => ctl.records.idOf("Contacts", i));
      const r = await api(auth, `/crm/v7/Contacts?ids=${many.join(",")}&fields=Last_Name`);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "LIMIT_EXCEEDED");
      assert.deepEqual(r.body.details, { limit: 100, param_name: "ids" });
      const bad = await api(auth, "/crm/v7/Contacts?ids=abc&fields=Last_Name");
      assert.equal(bad.body.code, "INVALID_DATA");
    });
  });
});

Deno.test("metadata and clock observable by clients", async (t) => {
  await withSim({}, async (sim) => {
    const ctl = sim.controls;
    ctl.clock.advance(86400 * 3);
    const auth = await accessToken(sim);

    await t.step("the Date header follows the simulator clock", async () => {
      const r = await api(auth, "/crm/v7/settings/modules");
      const date = Date.parse(r.headers.get("date") ?? "");
      assert.equal(date, Math.floor(ctl.clock.now()) * 1000);
    });

    await t.step("adding a field moves the module's modified_time", async () => {
      const modified = async (name: string) => {
        const r = await api(auth, "/crm/v7/settings/modules");
        const m = r.body.modules.find((x: { api_name: string }) => x.api_name === name);
        return Date.parse(m.modified_time);
      };
      const [leadsBefore, dealsBefore] = [await modified("Leads"), await modified("Deals")];
      ctl.fields.add("Deals", { api_name: "Warranty_Years", data_type: "integer" });
      assert.equal(await modified("Deals"), Math.floor(ctl.clock.now()) * 1000);
      assert.ok(await modified("Deals") > dealsBefore);
      assert.equal(await modified("Leads"), leadsBefore);
      const one = await api(auth, "/crm/v7/settings/modules/Deals");
      assert.equal(Date.parse(one.body.modules[0].modified_time), await modified("Deals"));
    });
  });
});
