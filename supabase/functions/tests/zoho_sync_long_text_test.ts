import assert from "node:assert/strict";
import { createApp } from "../zoho-sync/app.ts";
import { diffWithTruth, SERVICE_KEY, startHarness } from "./_zoho_sync.ts";

// A plain multi-line text, a rich text and a non-ASCII text, all past the 500-character limit.
const text = (n: number, line: string) =>
  Array.from({ length: n }, (_, i) => `${line} ${i}.`).join("\n");
const LONG: [string, string, string][] = [
  ["Contacts", "Description", text(60, "Plain notes, line")],
  ["Accounts", "Description", text(60, "Käufer wünscht Rückruf, Zeile")],
  ["Tasks", "Description", text(40, "Follow-up with the installer, step")],
  ["Calls", "Description", text(50, "Call summary, point")],
  ["Leads", "Description", text(40, "Rich <b>text</b> paragraph")],
];

Deno.test("with lists cutting plain multi-line text too, a full sync stores every long text whole", async () => {
  const h = await startHarness("zs_long", {
    size: { leads: 600 },
    behaviour: { listTruncates: "multi_line" },
  });
  try {
    const records = h.sim.controls.records;
    const set = LONG.map(([module, field, value], i) => {
      assert.ok(value.length > 1_000, `${module}.${field} test text is long`);
      const id = records.idOf(module, 2 + i);
      records.update(module, id, { [field]: value });
      return { module, field, id, value };
    });
    const app = createApp({ env: h.env, sql: h.db.sql });
    const res = await app.request("/zoho-sync", {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE_KEY}` },
      body: JSON.stringify({ mode: "full" }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.status, "done", JSON.stringify(body));
    for (const s of set) {
      const [row] = await h.db.sql`select data ->> ${s.field} as v from zoho.records
        where module = ${s.module} and id = ${s.id}`;
      assert.equal(row?.v, s.value, `${s.module}/${s.id} ${s.field} stored whole`);
    }
    // And nothing else was cut either: every record equals the source, byte for byte.
    const diff = await diffWithTruth(h.db.sql, h.sim);
    assert.deepEqual([diff.missing, diff.extra], [[], []]);
    const [long] = await h.db.sql`select count(*)::int as n from zoho.records r,
      jsonb_each(r.data) f where jsonb_typeof(f.value) = 'string'
      and length(f.value #>> '{}') >= 500`;
    assert.ok(long!.n >= set.length, "the long texts are there");
  } finally {
    await h.close();
  }
});
