import assert from "node:assert/strict";
import { accessToken, api, withSim } from "./testing.ts";

const LONG = Array.from({ length: 40 }, (_, i) => `Line ${i}: call notes, follow-up agreed.`)
  .join("\n"); // a plain multi-line text of 1,200+ characters

Deno.test("listTruncates: multi_line cuts plain multi-line fields in lists too", async () => {
  await withSim(
    { size: { leads: 200 }, listCache: true, behaviour: { listTruncates: "multi_line" } },
    async (sim) => {
      assert.ok(LONG.length > 1_200);
      const ctl = sim.controls;
      assert.ok(ctl.listCache.enabled());
      const id = ctl.records.idOf("Contacts", 3);
      ctl.records.update("Contacts", id, { Description: LONG });
      const auth = await accessToken(sim);
      const listed = async () => {
        const r = await api(auth, `/crm/v7/Contacts?fields=Description,Last_Name&per_page=200`);
        return r.body.data.find((x: { id: string }) => x.id === id).Description as string;
      };
      // Cut in the list (served from the list cache), whole in a single read.
      assert.equal(await listed(), LONG.slice(0, 500));
      const single = await api(auth, `/crm/v7/Contacts/${id}`);
      assert.equal(single.body.data[0].Description, LONG);
      // Flipping the switch at run time applies at once (the cached list text is dropped).
      ctl.behaviour.listTruncates = "rich_text";
      assert.equal(await listed(), LONG);
      ctl.behaviour.listTruncates = "multi_line";
      assert.equal(await listed(), LONG.slice(0, 500));
    },
  );
});

Deno.test("listTruncates defaults to rich text only", async () => {
  await withSim({ size: { leads: 200 }, prerender: false }, async (sim) => {
    const id = sim.controls.records.idOf("Accounts", 1);
    sim.controls.records.update("Accounts", id, { Description: LONG });
    const auth = await accessToken(sim);
    const r = await api(auth, `/crm/v7/Accounts?fields=Description&per_page=200`);
    assert.equal(r.body.data.find((x: { id: string }) => x.id === id).Description, LONG);
  });
});
