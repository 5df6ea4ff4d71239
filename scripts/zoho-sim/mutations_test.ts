import assert from "node:assert/strict";
import { accessToken, api, fetchAll, withSim } from "./testing.ts";

const DAY = 86400;

Deno.test("Mutations while a sync runs", async (t) => {
  await withSim({ size: { leads: 600 } }, async (sim) => {
    let auth = await accessToken(sim);
    const ctl = sim.controls;
    const leadId = [...ctl.records.iterate("Leads")].find((r) =>
      !r.Converted__s && r.$approval_state === "approved"
    )!.id;

    await t.step("an update bumps Modified_Time and shows up with If-Modified-Since", async () => {
      ctl.clock.advance(60);
      const before = ctl.clock.now();
      const rec = ctl.records.update("Leads", leadId, { Lead_Status: "Contacted" });
      const since = new Date(before * 1000).toISOString().replace(".000Z", "+00:00");
      const r = await api(auth, "/crm/v7/Leads?fields=Lead_Status,Modified_Time", {
        headers: { "If-Modified-Since": since },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.data.map((d: { id: string }) =>
          d.id
        ),
        [leadId],
      );
      assert.equal(r.body.data[0].Modified_Time, rec.Modified_Time);
    });

    await t.step("a silent change (formula-like) does not bump Modified_Time", () => {
      const before = ctl.records.get("Leads", leadId)!;
      const after = ctl.records.update("Leads", leadId, { Lead_Score: 99 }, { bump: false });
      assert.equal(after.Modified_Time, before.Modified_Time);
      assert.equal(after.Lead_Score, 99);
    });

    await t.step("formula Lead_Age_Days moves with the clock, Modified_Time does not", () => {
      const a = ctl.records.get("Leads", leadId)!;
      ctl.clock.advance(2 * DAY);
      const b = ctl.records.get("Leads", leadId)!;
      assert.equal(b.Lead_Age_Days, (a.Lead_Age_Days as number) + 2);
      assert.equal(b.Modified_Time, a.Modified_Time);
    });

    await t.step("created records get new 19-digit ids and appear in lists", async () => {
      auth = await accessToken(sim);
      const rec = ctl.records.create("Leads", {
        First_Name: "New",
        Last_Name: "Lead",
        Lead_Source: "Website",
      });
      assert.match(rec.id, /^\d{19}$/);
      const r = await api(auth, "/crm/v7/Leads?fields=Full_Name&per_page=1");
      assert.equal(r.body.data[0].id, rec.id);
      assert.equal(r.body.data[0].Full_Name, "New Lead");
    });

    await t.step(
      "deleted records go to the recycle bin, then permanent after 60 days",
      async () => {
        const id = ctl.records.idOf("Leads", 3);
        assert.ok(ctl.records.get("Leads", id));
        ctl.records.delete("Leads", id);
        assert.equal((await api(auth, `/crm/v7/Leads/${id}`)).status, 204);
        let r = await api(auth, "/crm/v7/Leads/deleted?type=recycle");
        const entry = r.body.data.find((d: { id: string }) => d.id === id);
        assert.equal(entry.type, "recycle");
        assert.ok(entry.display_name);
        ctl.clock.advance(60 * DAY);
        const fresh = await accessToken(sim);
        // A lead deleted now keeps the recycle list non-empty, so "absent" is not a 204.
        const recent = ctl.records.idOf("Leads", 4);
        ctl.records.delete("Leads", recent);
        r = await api(fresh, "/crm/v7/Leads/deleted?type=recycle");
        assert.equal(r.status, 200);
        const recycled = r.body.data.map((d: { id: string }) => d.id);
        assert.ok(recycled.includes(recent) && !recycled.includes(id));
        r = await api(fresh, "/crm/v7/Leads/deleted?type=permanent");
        assert.ok(r.body.data.some((d: { id: string }) => d.id === id));
        assert.throws(() => ctl.records.restore("Leads", id), /recycle bin/);
      },
    );

    await t.step(
      "restore brings back the same id; Modified_Time bump is configurable",
      async () => {
        const id = ctl.records.idOf("Leads", 7);
        const original = ctl.records.get("Leads", id)!;
        ctl.records.delete("Leads", id);
        ctl.clock.advance(DAY);
        const restored = ctl.records.restore("Leads", id);
        assert.equal(restored.id, id);
        assert.equal(restored.Modified_Time, original.Modified_Time);
        const fresh = await accessToken(sim);
        assert.equal((await api(fresh, `/crm/v7/Leads/${id}?converted=both`)).status, 200);
        ctl.behaviour.restoreBumpsModifiedTime = true;
        ctl.records.delete("Leads", id);
        ctl.clock.advance(10);
        assert.notEqual(ctl.records.restore("Leads", id).Modified_Time, original.Modified_Time);
        ctl.behaviour.restoreBumpsModifiedTime = false;
      },
    );

    await t.step("deleting a lead removes its notes without tombstones", async () => {
      const fresh = await accessToken(sim);
      const notes = [...ctl.records.iterate("Notes")];
      const note = notes.find((n) =>
        (n.Parent_Id as { module: { api_name: string } }).module.api_name === "Leads"
      )!;
      const parentId = (note.Parent_Id as { id: string }).id;
      // A note deleted on its own has a tombstone, so the list answers 200 and can be checked.
      const own = notes.find((n) => (n.Parent_Id as { id: string }).id !== parentId)!;
      ctl.records.delete("Notes", own.id);
      ctl.records.delete("Leads", parentId);
      assert.equal(ctl.records.get("Notes", note.id), null);
      const r = await api(fresh, "/crm/v7/Notes/deleted");
      assert.equal(r.status, 200);
      const tombstones = r.body.data.map((d: { id: string }) => d.id);
      assert.ok(tombstones.includes(own.id) && !tombstones.includes(note.id));
    });

    await t.step("converting a lead links contact, account and deal", async () => {
      const fresh = await accessToken(sim);
      const lead = [...ctl.records.iterate("Leads")].find((r) => !r.Converted__s)!;
      const links = ctl.records.convert(lead.id);
      const rec = ctl.records.get("Leads", lead.id)!;
      assert.equal(rec.Converted__s, true);
      assert.deepEqual((rec.$converted_detail as { Deal: { id: string } }).Deal.id, links.deal);
      const deal = await api(fresh, `/crm/v7/Deals/${links.deal}`);
      assert.equal(deal.body.data[0].Contact_Name.id, links.contact);
      assert.equal(deal.body.data[0].Account_Name.id, links.account);
      const hidden = await fetchAll(fresh, "Leads", "fields=Last_Name");
      assert.ok(!hidden.some((r) => r.id === lead.id), "converted lead leaves the default list");
    });

    await t.step("a stage change adds a Stage_History row", async () => {
      const fresh = await accessToken(sim);
      const deal = ctl.records.idOf("Deals", 2);
      const before = await api(fresh, `/crm/v7/Deals/${deal}/Stage_History?fields=Stage`);
      ctl.records.update("Deals", deal, { Stage: "Negotiation/Review", Probability: 90 });
      const after = await api(
        fresh,
        `/crm/v7/Deals/${deal}/Stage_History?fields=Stage,Modified_Time`,
      );
      assert.equal(after.body.data.length, before.body.data.length + 1);
      assert.equal(after.body.data[0].Stage, "Negotiation/Review");
    });

    await t.step("a custom field added mid-sync shows in metadata and records", async () => {
      const fresh = await accessToken(sim);
      ctl.fields.add("Deals", { api_name: "Warranty_Years", data_type: "integer" }, () => 2);
      const meta = await api(fresh, "/crm/v7/settings/fields?module=Deals");
      const f = meta.body.fields.find((x: { api_name: string }) => x.api_name === "Warranty_Years");
      assert.equal(f.custom_field, true);
      const r = await api(fresh, "/crm/v7/Deals?fields=Warranty_Years&per_page=2");
      assert.equal(r.body.data[0].Warranty_Years, 2);
    });

    await t.step(
      "keyset page_token: a record modified between pages is served again later",
      async () => {
        const fresh = await accessToken(sim);
        const q = "fields=Modified_Time&sort_by=Modified_Time&sort_order=asc&per_page=50";
        const first = await api(fresh, `/crm/v7/Contacts?${q}`);
        const seenId = first.body.data[0].id;
        ctl.clock.advance(5);
        ctl.records.update("Contacts", seenId, { Description: "edited" });
        const rest = [];
        let tok = first.body.info.next_page_token;
        while (tok) {
          const r = await api(fresh, `/crm/v7/Contacts?${q}&page_token=${tok}`);
          rest.push(...r.body.data);
          tok = r.body.info.more_records ? r.body.info.next_page_token : null;
        }
        assert.equal(rest.at(-1).id, seenId);
      },
    );
  });
});
