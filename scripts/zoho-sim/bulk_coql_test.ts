import assert from "node:assert/strict";
import { strFromU8, unzipSync } from "fflate";
import { accessToken, api, withSim } from "./testing.ts";

function json(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

Deno.test("Bulk Read jobs", async (t) => {
  const received: unknown[] = [];
  const sink = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    received.push(await req.json());
    return new Response("ok");
  });
  try {
    await withSim({ size: { leads: 400 }, limits: { bulkCompleteAfterMs: 30 } }, async (sim) => {
      const auth = await accessToken(sim);
      let jobId = "";

      await t.step("create answers 201 ADDED_SUCCESSFULLY", async () => {
        const r = await api(
          auth,
          "/crm/bulk/v7/read",
          json({
            callback: { url: `http://127.0.0.1:${sink.addr.port}/cb`, method: "post" },
            query: {
              module: { api_name: "Contacts" },
              fields: ["Last_Name", "Email", "Account_Name"],
            },
          }),
        );
        assert.equal(r.status, 201);
        assert.equal(r.body.data[0].code, "ADDED_SUCCESSFULLY");
        assert.equal(r.body.data[0].details.state, "ADDED");
        jobId = r.body.data[0].details.id;
      });

      await t.step("the job goes IN PROGRESS then COMPLETED with a download_url", async () => {
        const first = await api(auth, `/crm/bulk/v7/read/${jobId}`);
        assert.equal(first.body.data[0].state, "IN PROGRESS");
        let state = "";
        let result;
        for (let n = 0; n < 50 && state !== "COMPLETED"; n++) {
          await new Promise((r) => setTimeout(r, 10));
          const r = await api(auth, `/crm/bulk/v7/read/${jobId}`);
          state = r.body.data[0].state;
          result = r.body.data[0].result;
        }
        assert.equal(state, "COMPLETED");
        assert.equal(result.per_page, 200000);
        assert.equal(result.download_url, `/crm/bulk/v7/read/${jobId}/result`);
        assert.equal(result.count, [...sim.controls.records.iterate("Contacts")].length);
      });

      await t.step("the result is a zip holding {job_id}.csv", async () => {
        const res = await fetch(`${auth.apiDomain}/crm/bulk/v7/read/${jobId}/result`, {
          headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
        });
        assert.equal(res.headers.get("content-type"), "application/zip");
        const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
        const csv = strFromU8(files[`${jobId}.csv`] as Uint8Array).trim().split("\r\n");
        assert.equal(csv[0], "Id,Last_Name,Email,Account_Name");
        assert.equal(csv.length - 1, [...sim.controls.records.iterate("Contacts")].length);
        assert.match(csv[1] as string, /^\d{19},/);
      });

      await t.step("the callback was posted", async () => {
        for (let n = 0; n < 50 && received.length === 0; n++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal((received[0] as { job_id: string }).job_id, jobId);
      });

      await t.step("more than 10 downloads a minute is 429", async () => {
        let last = 0;
        for (let n = 0; n < 10; n++) {
          const res = await fetch(`${auth.apiDomain}/crm/bulk/v7/read/${jobId}/result`, {
            headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
          });
          last = res.status;
          await res.body?.cancel();
        }
        assert.equal(last, 429);
      });

      await t.step("Notes are not supported and Content-Type is required", async () => {
        const notes = await api(
          auth,
          "/crm/bulk/v7/read",
          json({ query: { module: { api_name: "Notes" } } }),
        );
        assert.equal(notes.body.code, "MODULE_NOT_SUPPORTED");
        const noType = await api(auth, "/crm/bulk/v7/read", { method: "POST", body: "{}" });
        assert.equal(noType.status, 415);
      });

      await t.step("criteria filter the export and a failed job reports FAILURE", async () => {
        const r = await api(
          auth,
          "/crm/bulk/v7/read",
          json({
            query: {
              module: { api_name: "Deals" },
              fields: ["Stage"],
              criteria: { api_name: "Stage", comparator: "equal", value: "Closed Won" },
            },
          }),
        );
        const id = r.body.data[0].details.id;
        sim.controls.bulk.complete(id);
        const res = await fetch(`${auth.apiDomain}/crm/bulk/v7/read/${id}/result`, {
          headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
        });
        assert.equal(res.status, 429, "still rate limited in the same minute");
        await res.body?.cancel();
        sim.controls.clock.advance(61);
        const fresh = await accessToken(sim);
        const ok = await fetch(`${fresh.apiDomain}/crm/bulk/v7/read/${id}/result`, {
          headers: { Authorization: `Zoho-oauthtoken ${fresh.token}` },
        });
        const csv = strFromU8(
          unzipSync(new Uint8Array(await ok.arrayBuffer()))[`${id}.csv`] as Uint8Array,
        ).trim().split("\r\n");
        assert.ok(csv.length > 1);
        assert.ok(csv.slice(1).every((l) => l.endsWith(",Closed Won")));
        const f = await api(
          fresh,
          "/crm/bulk/v7/read",
          json({ query: { module: { api_name: "Leads" } } }),
        );
        const fid = f.body.data[0].details.id;
        sim.controls.bulk.fail(fid);
        assert.equal((await api(fresh, `/crm/bulk/v7/read/${fid}`)).body.data[0].state, "FAILURE");
      });
    });
  } finally {
    await sink.shutdown();
  }
});

Deno.test("COQL", async (t) => {
  await withSim({ size: { leads: 800 } }, async (sim) => {
    const auth = await accessToken(sim);
    const coql = (q: string) => api(auth, "/crm/v7/coql", json({ select_query: q }));
    const truth = [...sim.controls.records.iterate("Leads")];

    await t.step("where, order by and limit/offset match the truth", async () => {
      const r = await coql(
        "select Last_Name, Lead_Source from Leads where Lead_Source = 'Referral' and Lead_Score >= 50 order by id asc limit 5, 10",
      );
      assert.equal(r.status, 200);
      const expected = truth.filter((x) =>
        x.Lead_Source === "Referral" && (x.Lead_Score as number) >= 50
      ).slice(5, 15);
      assert.deepEqual(r.body.data.map((d: { id: string }) => d.id), expected.map((x) => x.id));
      assert.equal(r.body.info.count, 10);
      assert.equal(r.body.info.more_records, true);
    });

    await t.step("or, parentheses, in and is not null", async () => {
      const r = await coql(
        "select Last_Name from Leads where (Lead_Source in ('Partner', 'Trade Show') or Rating = 'Hot') and Mobile is not null limit 2000",
      );
      const chosen = truth.filter((x) =>
        ["Partner", "Trade Show"].includes(String(x.Lead_Source)) || x.Rating === "Hot"
      );
      // Mobile is null on some of them: `is not null` must leave exactly those out.
      const expected = chosen.filter((x) => x.Mobile !== null);
      assert.ok(expected.length > 0 && expected.length < chosen.length);
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.data.map((d: { id: string }) => d.id).sort(),
        expected.map((x) => String(x.id)).sort(),
      );
    });

    await t.step("order by a datetime field, descending", async () => {
      const r = await coql(
        "select Modified_Time from Leads where id is not null order by Modified_Time desc limit 20",
      );
      const times = r.body.data.map((d: { Modified_Time: string }) => Date.parse(d.Modified_Time));
      for (let n = 1; n < times.length; n++) assert.ok(times[n - 1] >= times[n]);
    });

    await t.step("LIMIT above 2000 and OFFSET beyond 100,000 are LIMIT_EXCEEDED", async () => {
      assert.equal(
        (await coql("select Last_Name from Leads limit 2001")).body.code,
        "LIMIT_EXCEEDED",
      );
      assert.equal(
        (await coql("select Last_Name from Leads limit 99000, 2000")).body.code,
        "LIMIT_EXCEEDED",
      );
    });

    await t.step("syntax errors carry line, column and near", async () => {
      const r = await coql("select Last_Name form Leads");
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "SYNTAX_ERROR");
      assert.deepEqual(r.body.details, { line: 1, column: 18, near: "form" });
    });

    await t.step("unknown columns are INVALID_QUERY; no match is 204", async () => {
      assert.equal((await coql("select Nope from Leads")).body.code, "INVALID_QUERY");
      assert.equal(
        (await coql("select Last_Name from Leads where Last_Name = 'zzzz'")).status,
        204,
      );
    });

    await t.step("credits are 1, 2 or 3 by LIMIT", async () => {
      for (const [limit, cost] of [[200, 1], [1000, 2], [2000, 3]]) {
        const before = sim.controls.ledger.used();
        await coql(`select Last_Name from Leads limit ${limit}`);
        assert.equal(sim.controls.ledger.used() - before, cost);
      }
    });
  });
});
