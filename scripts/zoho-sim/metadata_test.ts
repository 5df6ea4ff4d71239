import assert from "node:assert/strict";
import { accessToken, api, withSim } from "./testing.ts";

Deno.test("Metadata APIs", async (t) => {
  await withSim({ size: { leads: 50 } }, async (sim) => {
    const auth = await accessToken(sim);

    await t.step(
      "settings/modules lists default, custom, linking and unsupported modules",
      async () => {
        const r = await api(auth, "/crm/v7/settings/modules");
        assert.equal(r.status, 200);
        const byName = new Map(r.body.modules.map((m: { api_name: string }) => [m.api_name, m]));
        const events = byName.get("Events") as Record<string, unknown>;
        assert.equal(events.module_name, "Meetings");
        assert.equal(events.plural_label, "Meetings");
        assert.equal(
          (byName.get("Installers") as Record<string, unknown>).generated_type,
          "custom",
        );
        assert.equal(
          (byName.get("Installers_X_Deals") as Record<string, unknown>).generated_type,
          "linking",
        );
        assert.equal((byName.get("Visits") as Record<string, unknown>).api_supported, false);
        assert.match((byName.get("Leads") as { id: string }).id, /^\d{19}$/);
      },
    );

    await t.step("a module detail can answer 204", async () => {
      assert.equal((await api(auth, "/crm/v7/settings/modules/Leads_Insights__s")).status, 204);
      assert.equal(
        (await api(auth, "/crm/v7/settings/modules/Deals")).body.modules[0].api_name,
        "Deals",
      );
    });

    await t.step("settings/fields needs module", async () => {
      const r = await api(auth, "/crm/v7/settings/fields");
      assert.equal(r.body.code, "REQUIRED_PARAM_MISSING");
      assert.equal(
        (await api(auth, "/crm/v7/settings/fields?module=Nope")).body.code,
        "INVALID_MODULE",
      );
    });

    await t.step("Leads has more than 50 fields with types, lookups and formulas", async () => {
      const r = await api(auth, "/crm/v7/settings/fields?module=Leads");
      const fields = r.body.fields as Record<string, unknown>[];
      assert.ok(fields.length > 50);
      // deno-lint-ignore no-explicit-any
      const get = (n: string) => fields.find((f) => f.api_name === n) as Record<string, any>;
      assert.equal(get("Lead_Age_Days").data_type, "formula");
      assert.equal(get("Source_Campaign").lookup.module.api_name, "Campaigns");
      assert.equal(get("External_Ref_Number").data_type, "bigint");
      assert.equal(get("Description").textarea.type, "rich_text");
      assert.equal(get("Lead_Number").auto_number.prefix, "LD-");
      const sources = get("Lead_Source").pick_list_values.map((p: { actual_value: string }) =>
        p.actual_value
      );
      for (const s of ["Facebook", "Google Ads", "Website", "Referral", "Trade Show", "Partner"]) {
        assert.ok(sources.includes(s));
      }
    });

    await t.step("Deals Stage picklist carries probabilities", async () => {
      const r = await api(auth, "/crm/v7/settings/fields?module=Deals");
      const stage = r.body.fields.find((f: { api_name: string }) => f.api_name === "Stage");
      const probs = Object.fromEntries(
        stage.pick_list_values.map((
          p: { actual_value: string; probability: number },
        ) => [p.actual_value, p.probability]),
      );
      assert.equal(probs["Qualification"], 10);
      assert.equal(probs["Closed Won"], 100);
      assert.equal(probs["Closed Lost to Competition"], 0);
      assert.equal(stage.pick_list_values.length, 10);
    });

    await t.step("users and org", async () => {
      assert.ok((await api(auth, "/crm/v7/users")).body.users.length >= 5);
      assert.equal((await api(auth, "/crm/v7/org")).body.org[0].company_name, "AHA Smart Homes");
    });
  });
});
