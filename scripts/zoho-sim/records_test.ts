import assert from "node:assert/strict";
import { accessToken, api, fetchAll, withSim } from "./testing.ts";

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/;

Deno.test("Get Records parameters and pagination", async (t) => {
  await withSim({ size: { leads: 3000 }, limits: { pageTokenMaxRecords: 1000 } }, async (sim) => {
    const auth = await accessToken(sim);

    await t.step("fields is mandatory", async () => {
      const r = await api(auth, "/crm/v7/Leads");
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "REQUIRED_PARAM_MISSING");
      assert.deepEqual(r.body.details, { param_name: "fields" });
      assert.equal(r.body.status, "error");
    });

    await t.step("more than 50 fields is LIMIT_EXCEEDED", async () => {
      const names = sim.dataset.fields("Leads").slice(0, 51).map((f) => f.api_name);
      assert.equal(names.length, 51);
      const r = await api(auth, `/crm/v7/Leads?fields=${names.join(",")}`);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "LIMIT_EXCEEDED");
      const ok = await api(auth, `/crm/v7/Leads?fields=${names.slice(0, 50).join(",")}&per_page=1`);
      assert.equal(ok.status, 200);
    });

    await t.step("per_page is capped at 200, default sort is id desc", async () => {
      const r = await api(auth, "/crm/v7/Leads?fields=Last_Name&per_page=500");
      assert.equal(r.status, 200);
      assert.equal(r.body.data.length, 200);
      assert.equal(r.body.info.per_page, 200);
      assert.equal(r.body.info.sort_by, "id");
      assert.equal(r.body.info.sort_order, "desc");
      const ids = r.body.data.map((d: { id: string }) => BigInt(d.id));
      for (let n = 1; n < ids.length; n++) assert.ok(ids[n - 1] > ids[n]);
    });

    await t.step("ids are 19-digit strings, timestamps carry the org offset", async () => {
      const r = await api(auth, "/crm/v7/Leads?fields=Created_Time,Modified_Time&per_page=5");
      for (const rec of r.body.data) {
        assert.match(rec.id, /^\d{19}$/);
        assert.match(rec.Created_Time, TS);
        assert.match(rec.Modified_Time, TS);
      }
    });

    await t.step(
      "page 10 works at 200 per page, page 11 is DISCRETE_PAGINATION_LIMIT_EXCEEDED",
      async () => {
        assert.equal((await api(auth, "/crm/v7/Leads?fields=Last_Name&page=10")).status, 200);
        const r = await api(auth, "/crm/v7/Leads?fields=Last_Name&page=11");
        assert.equal(r.status, 400);
        assert.deepEqual(r.body, {
          code: "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
          details: { limit: 2000 },
          message: "You can only get the first 2000 records without using page_token param",
          status: "error",
        });
      },
    );

    await t.step("page and page_token together is AMBIGUITY_DURING_PROCESSING", async () => {
      const first = await api(auth, "/crm/v7/Leads?fields=Last_Name");
      const r = await api(
        auth,
        `/crm/v7/Leads?fields=Last_Name&page=2&page_token=${first.body.info.next_page_token}`,
      );
      assert.equal(r.body.code, "AMBIGUITY_DURING_PROCESSING");
    });

    await t.step("page_token is bound to its parameters", async () => {
      const first = await api(auth, "/crm/v7/Leads?fields=Last_Name");
      const tok = first.body.info.next_page_token;
      const r = await api(auth, `/crm/v7/Leads?fields=Email&page_token=${tok}`);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "TOKEN_BOUND_DATA_MISMATCH");
    });

    await t.step("page_token expires after 24 h with EXPIRED_VALUE", async () => {
      const first = await api(auth, "/crm/v7/Contacts?fields=Last_Name&per_page=10");
      assert.match(first.body.info.page_token_expiry, TS);
      sim.controls.clock.advance(86400);
      const fresh = await accessToken(sim);
      const r = await api(
        fresh,
        `/crm/v7/Contacts?fields=Last_Name&per_page=10&page_token=${first.body.info.next_page_token}`,
      );
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "EXPIRED_VALUE");
    });

    await t.step(
      "page_token stops at the configured cap with PAGINATION_LIMIT_EXCEEDED",
      async () => {
        const a = await accessToken(sim);
        let tok: string | null = null;
        let served = 0;
        let last = null;
        for (let n = 0; n < 10; n++) {
          const r = await api(
            a,
            `/crm/v7/Leads?fields=Last_Name${tok ? `&page_token=${tok}` : ""}`,
          );
          last = r;
          if (r.status !== 200) break;
          served += r.body.data.length;
          tok = r.body.info.next_page_token;
        }
        assert.equal(served, 1000);
        assert.equal(last?.status, 400);
        assert.equal(last?.body.code, "PAGINATION_LIMIT_EXCEEDED");
      },
    );
  });
});

Deno.test("Get Records visibility, sorting and If-Modified-Since", async (t) => {
  await withSim({ size: { leads: 1500 } }, async (sim) => {
    const auth = await accessToken(sim);
    const truth = [...sim.controls.records.iterate("Leads")];
    const visible = truth.filter((r) =>
      r.Converted__s === false && r.$approval_state === "approved"
    );

    await t.step("page_token walks every visible lead exactly once", async () => {
      const all = await fetchAll(auth, "Leads", "fields=Last_Name");
      const ids = all.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(new Set(ids), new Set(visible.map((r) => r.id)));
    });

    await t.step("converted leads are hidden unless converted=true|both", async () => {
      const conv = await fetchAll(auth, "Leads", "fields=Last_Name&converted=true");
      assert.ok(conv.length > 0);
      assert.equal(
        conv.length,
        truth.filter((r) => r.Converted__s === true && r.$approval_state === "approved").length,
      );
      const both = await fetchAll(auth, "Leads", "fields=Last_Name&converted=both&approved=both");
      assert.equal(both.length, truth.length);
    });

    await t.step(
      "unapproved records are hidden by default and shown with approved=false",
      async () => {
        const pending = await fetchAll(
          auth,
          "Leads",
          "fields=Last_Name&approved=false&converted=both",
        );
        assert.ok(pending.length > 0);
        assert.equal(pending.length, truth.filter((r) => r.$approval_state !== "approved").length);
      },
    );

    await t.step("sort_by=Modified_Time asc is ordered and complete", async () => {
      const all = await fetchAll(
        auth,
        "Leads",
        "fields=Modified_Time&sort_by=Modified_Time&sort_order=asc",
      );
      assert.equal(all.length, visible.length);
      const times = all.map((r) => Date.parse(String(r.Modified_Time)));
      for (let n = 1; n < times.length; n++) {
        assert.ok((times[n - 1] as number) <= (times[n] as number));
      }
    });

    await t.step("If-Modified-Since is inclusive of the given second", async () => {
      const newest = visible.map((r) => String(r.Modified_Time)).sort((a, b) =>
        Date.parse(b) - Date.parse(a)
      )[0] as string;
      const r = await api(auth, "/crm/v7/Leads?fields=Modified_Time", {
        headers: { "If-Modified-Since": newest },
      });
      assert.equal(r.status, 200);
      const expected = visible.filter((v) =>
        Date.parse(String(v.Modified_Time)) >= Date.parse(newest)
      );
      assert.equal(r.body.data.length, expected.length);
      assert.ok(r.body.data.some((d: { Modified_Time: string }) => d.Modified_Time === newest));
    });

    await t.step("If-Modified-Since with nothing newer answers 304", async () => {
      const r = await api(auth, "/crm/v7/Leads?fields=Last_Name", {
        headers: { "If-Modified-Since": "2030-01-01T00:00:00+00:00" },
      });
      assert.equal(r.status, 304);
    });

    await t.step(
      "list views truncate rich text and omit subforms; single GET returns them",
      async () => {
        const long = truth.find((r) =>
          typeof r.Description === "string" && r.Description.length > 500 && !r.Converted__s &&
          r.$approval_state === "approved"
        );
        assert.ok(long);
        const all = await fetchAll(auth, "Leads", "fields=Description");
        const listed = all.find((r) => r.id === long.id);
        assert.equal(String(listed?.Description).length, 500);
        const single = await api(auth, `/crm/v7/Leads/${long.id}`);
        assert.equal(single.body.data[0].Description, long.Description);
        const deals = await api(
          auth,
          "/crm/v7/Deals?fields=Deal_Name,Installed_Devices&per_page=1",
        );
        assert.equal(deals.body.data[0].Installed_Devices, undefined);
        assert.deepEqual(deals.body.data[0].$has_more, { Installed_Devices: true });
        const deal = await api(auth, `/crm/v7/Deals/${deals.body.data[0].id}`);
        assert.ok(Array.isArray(deal.body.data[0].Installed_Devices));
        assert.ok(deal.body.data[0].Installed_Devices.length >= 1);
      },
    );

    await t.step("single GET of a converted lead is 204 unless converted=true", async () => {
      const conv = truth.find((r) => r.Converted__s === true);
      assert.ok(conv);
      assert.equal((await api(auth, `/crm/v7/Leads/${conv.id}`)).status, 204);
      const r = await api(auth, `/crm/v7/Leads/${conv.id}?converted=true`);
      assert.equal(r.status, 200);
      const detail = r.body.data[0].$converted_detail;
      for (
        const [mod, key] of [["Contacts", "Contact"], ["Accounts", "Account"], ["Deals", "Deal"]]
      ) {
        const linked = await api(auth, `/crm/v7/${mod}/${detail[key as string].id}`);
        assert.equal(linked.status, 200, `${mod} linked from $converted_detail exists`);
      }
    });

    await t.step("bigint fields are raw JSON numbers beyond 2^53", async () => {
      const res = await fetch(
        `${auth.apiDomain}/crm/v7/Leads?fields=External_Ref_Number&per_page=1`,
        {
          headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
        },
      );
      const text = await res.text();
      const m = /"External_Ref_Number":(\d+)/.exec(text);
      assert.ok(m && BigInt(m[1] as string) > 9007199254740992n);
    });

    await t.step(
      "unknown module is INVALID_MODULE, api_supported false modules are refused",
      async () => {
        assert.equal((await api(auth, "/crm/v7/Nope?fields=id")).body.code, "INVALID_MODULE");
        assert.equal((await api(auth, "/crm/v7/Visits?fields=id")).body.code, "INVALID_MODULE");
      },
    );

    await t.step("Stage_History related list lists a deal's stage path", async () => {
      const deal = sim.controls.records.idOf("Deals", 1);
      const r = await api(
        auth,
        `/crm/v7/Deals/${deal}/Stage_History?fields=Stage,Moved_To__s,Modified_Time`,
      );
      assert.equal(r.status, 200);
      assert.ok(r.body.data.length >= 2);
      assert.equal(r.body.data.at(-1).Stage, "Qualification");
      assert.equal(r.body.data[0].Moved_To__s, null);
    });
  });
});

Deno.test("Get Records on an empty module answers 204", async () => {
  await withSim({ size: { leads: 0 } }, async (sim) => {
    const auth = await accessToken(sim);
    const r = await api(auth, "/crm/v7/Leads?fields=Last_Name");
    assert.equal(r.status, 204);
  });
});
