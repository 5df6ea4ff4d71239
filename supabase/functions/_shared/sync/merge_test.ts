import assert from "node:assert/strict";
import { newStats, ZohoClient } from "../zoho/client.ts";
import { fakeFetch } from "../zoho/fake_fetch.ts";
import { createLimiter, EDITIONS } from "../zoho/limits.ts";
import { planModule } from "./fields.ts";
import { type GroupPage, groupPage, mergeGroupPages, readSingles } from "./merge.ts";

const MT = "2026-03-01T10:00:00+05:30";
const LATER = "2026-03-01T10:00:05+05:30";
const leads = planModule("Leads", [{ api_name: "A" }, { api_name: "B" }]);

function page(...records: string[]): GroupPage {
  return groupPage(JSON.stringify({ data: [], info: {} }).replace("[]", `[${records}]`), leads);
}

Deno.test("mergeGroupPages()", async (t) => {
  await t.step("joins each record's group texts by id, bytes as sent", () => {
    const out = mergeGroupPages([
      page(`{"id":9007199254740993,"Modified_Time":"${MT}","A":1.50}`),
      page(`{"Modified_Time":"${MT}","id":9007199254740993,"B":"b"}`),
    ], leads);
    assert.deepEqual(out.records, [
      `{"id":9007199254740993,"Modified_Time":"${MT}","A":1.50,` +
      `"Modified_Time":"${MT}","id":9007199254740993,"B":"b"}`,
    ]);
    assert.deepEqual(out.single, []);
    assert.equal(out.maxModified, Date.parse(MT));
  });

  await t.step("reads a record singly when groups disagree or one lacks it", () => {
    const out = mergeGroupPages([
      page(`{"id":"1","Modified_Time":"${MT}"}`, `{"id":"2","Modified_Time":"${MT}"}`),
      page(`{"id":"1","Modified_Time":"${LATER}"}`),
    ], leads);
    assert.deepEqual(out.records, []);
    assert.deepEqual(out.single, [{ id: "1", converted: false }, { id: "2", converted: false }]);
  });

  await t.step("carries the converted flag as a field, by the module's quirk", () => {
    const converted = `{"id":"3","Modified_Time":"${MT}","Converted__s":true}`;
    assert.deepEqual(mergeGroupPages([page(converted)], leads).single, [
      { id: "3", converted: true },
    ]);
    const deals = planModule("Deals", [{ api_name: "A" }]);
    const out = mergeGroupPages([page(converted)], deals);
    assert.deepEqual([out.records.length, out.single], [1, []], "Deals have no converted quirk");
  });

  await t.step("stops at `until` and reports the Modified_Time range kept", () => {
    const out = mergeGroupPages(
      [page(`{"id":"4","Modified_Time":"${MT}"}`, `{"id":"5","Modified_Time":"${LATER}"}`)],
      planModule("Deals", []),
      { until: Date.parse(LATER) },
    );
    assert.equal(out.reachedUntil, true);
    assert.equal(out.records.length, 1);
    assert.deepEqual([out.minModified, out.maxModified], [Date.parse(MT), Date.parse(MT)]);
  });

  await t.step("singleReadAll reads every record singly", () => {
    const out = mergeGroupPages([page(`{"id":"6","Modified_Time":"${MT}"}`)], leads, {
      singleReadAll: true,
    });
    assert.deepEqual(out.single, [{ id: "6", converted: false }]);
  });
});

Deno.test("readSingles() sends the converted query for converted records only", async () => {
  const f = fakeFetch({
    "/Leads/3": [{ body: { data: [{ id: "3", $converted_detail: { Deal: null } }] } }],
    "/Leads/4": [{ status: 204 }],
  });
  const client = new ZohoClient({
    tokens: {
      get: () => Promise.resolve({ accessToken: "t", apiDomain: "https://api.test", expiresAt: 0 }),
      renew: () => Promise.reject(new Error("no renew")),
    },
    limiter: createLimiter(EDITIONS.free!),
    fetch: f.fetch,
  });
  const out = await readSingles(client, {
    plan: leads,
    reads: [{ id: "3", converted: true }, { id: "4", converted: false }],
    stats: newStats(),
  });
  assert.deepEqual(out, ['{"id":"3","$converted_detail":{"Deal":null}}'], "204 is left out");
  const query = f.calls.map((r) => new URL(r.url).search);
  assert.deepEqual(query, ["?converted=true", ""]);
});
