import assert from "node:assert/strict";
import { createSyncDb } from "../../../../scripts/local/test_db.ts";
import { writeDeletions, writeRecords } from "./writer.ts";

const RUN = "00000000-0000-4000-8000-000000000001";

Deno.test("writeRecords()", async (t) => {
  const db = await createSyncDb("zs_writer");
  const sql = db.sql;
  const versions = async (id: string) =>
    (await sql`select change from zoho.record_versions where module = 'Leads' and id = ${id}
               order by version`).map((r) => r.change);
  try {
    await t.step("inserts, then is idempotent: no new version for the same content", async () => {
      const rec = '{"id":"1","Modified_Time":"2026-03-01T10:00:00+05:30","Big":9007199254740993}';
      assert.deepEqual(await writeRecords(sql, { module: "Leads", records: [rec], runId: RUN }), {
        inserted: 1,
        updated: 0,
        restored: 0,
        unchanged: 0,
      });
      assert.deepEqual(await writeRecords(sql, { module: "Leads", records: [rec], runId: RUN }), {
        inserted: 0,
        updated: 0,
        restored: 0,
        unchanged: 1,
      });
      const [row] = await sql`select data ->> 'Big' as big, version from zoho.records
                              where id = '1'`;
      assert.equal(row!.big, "9007199254740993", "bigint beyond 2^53 stays exact");
      assert.equal(row!.version, 1);
      assert.deepEqual(await versions("1"), ["insert"]);
    });

    await t.step("never overwrites newer data with an older Modified_Time", async () => {
      const newer = '{"id":"2","Modified_Time":"2026-03-02T10:00:00+05:30","Stage":"Won"}';
      const older = '{"id":"2","Modified_Time":"2026-03-01T10:00:00+05:30","Stage":"Open"}';
      await writeRecords(sql, { module: "Leads", records: [newer], runId: RUN });
      const counts = await writeRecords(sql, { module: "Leads", records: [older], runId: RUN });
      assert.equal(counts.updated, 0);
      const [row] = await sql`select data ->> 'Stage' as stage from zoho.records where id = '2'`;
      assert.equal(row!.stage, "Won");
      assert.deepEqual(await versions("2"), ["insert"]);
    });

    await t.step("a changed formula value at the same Modified_Time is a new version", async () => {
      const a = '{"id":"3","Modified_Time":"2026-03-01T10:00:00+05:30","Age":1}';
      const b = '{"id":"3","Modified_Time":"2026-03-01T10:00:00+05:30","Age":2}';
      await writeRecords(sql, { module: "Leads", records: [a], runId: RUN });
      assert.equal(
        (await writeRecords(sql, { module: "Leads", records: [b], runId: RUN })).updated,
        1,
      );
      assert.deepEqual(await versions("3"), ["insert", "update"]);
    });

    await t.step("a batch is split only between records, never inside one", async () => {
      // an escaped U+001E (the batch separator) inside a value, line breaks between tokens,
      // and the same id twice in one batch (the last copy wins)
      const tricky = '{"id":"5","Modified_Time":"2026-03-01T10:00:00+05:30",\n' +
        '  "Note":"a\\u001eb\\n\\"c\\"","List":[1,{"x":"\\u001e"}]}';
      const first = '{"id":"6","Modified_Time":"2026-03-01T10:00:00+05:30","V":"first"}';
      const last = '{"id":"6","Modified_Time":"2026-03-01T10:00:00+05:30","V":"last"}';
      const counts = await writeRecords(sql, {
        module: "Leads",
        records: [tricky, first, last],
        runId: RUN,
      });
      assert.equal(counts.inserted, 2);
      const rows =
        await sql`select id, data = ${tricky}::text::jsonb as same, data ->> 'Note' as note,
          data ->> 'V' as v from zoho.records where id in ('5', '6') order by id`;
      assert.equal(rows[0]!.same, true, "stored exactly as sent");
      assert.equal(rows[0]!.note, 'a\u001eb\n"c"');
      assert.equal(rows[1]!.v, "last");
    });

    await t.step("the newest Modified_Time wins between two copies in one batch", async () => {
      // Both orders: the newer copy first (a "last copy wins" rule would keep the older one) and
      // last (a "first copy wins" rule would keep the older one).
      const older = (id: string) =>
        `{"id":"${id}","Modified_Time":"2026-03-01T10:00:00+05:30","V":"older"}`;
      const newer = (id: string) =>
        `{"id":"${id}","Modified_Time":"2026-03-01T10:00:01+05:30","V":"newer"}`;
      const records = [
        newer("10"),
        older("10"),
        older("11"),
        newer("11"),
      ];
      const counts = await writeRecords(sql, { module: "Leads", records, runId: RUN });
      assert.equal(counts.inserted, 2);
      const rows = await sql`select id, data ->> 'V' as v, modified_time from zoho.records
        where module = 'Leads' and id in ('10', '11') order by id`;
      assert.deepEqual(rows.map((r) => [r.id, r.v]), [["10", "newer"], ["11", "newer"]]);
      assert.deepEqual(await versions("10"), ["insert"]);
    });

    await t.step("a record holding a raw U+001E (invalid JSON) fails the whole batch", async () => {
      const good = '{"id":"7","Modified_Time":"2026-03-01T10:00:00+05:30"}';
      const bad = '{"id":"8","Modified_Time":"2026-03-01T10:00:00+05:30","N":"a\u001eb"}';
      await assert.rejects(() =>
        writeRecords(sql, { module: "Leads", records: [good, bad], runId: RUN })
      );
      const [n] = await sql`select count(*)::int as n from zoho.records where id in ('7', '8')`;
      assert.equal(n!.n, 0, "nothing of the batch is stored");
    });

    await t.step("a deletion marks the record and a reappearance restores it", async () => {
      const rec = '{"id":"4","Modified_Time":"2026-03-01T10:00:00+05:30"}';
      await writeRecords(sql, { module: "Leads", records: [rec], runId: RUN });
      const del = '{"id":"4","deleted_time":"2026-03-02T00:00:00+00:00","type":"recycle",' +
        '"display_name":"X","deleted_by":{"id":"9","name":"A"}}';
      assert.equal(
        await writeDeletions(sql, { module: "Leads", items: [del, del], runId: RUN }),
        1,
      );
      assert.equal(
        await writeDeletions(sql, { module: "Leads", items: [del], runId: RUN }),
        0,
        "idempotent",
      );
      const [gone] = await sql`select deleted_at is not null as d from zoho.records where id = '4'`;
      assert.equal(gone!.d, true);
      assert.equal(
        (await writeRecords(sql, { module: "Leads", records: [rec], runId: RUN })).restored,
        1,
      );
      assert.deepEqual(await versions("4"), ["insert", "delete", "restore"]);
      const [d] = await sql`select restored_at is not null as r from zoho.deletions where id = '4'`;
      assert.equal(d!.r, true);
    });
    await t.step("a parent's deletion takes its notes along (registry: Notes)", async () => {
      const note = (id: string, parent: string) =>
        `{"id":"${id}","Modified_Time":"2026-03-01T10:00:00+05:30",` +
        `"Parent_Id":{"module":{"api_name":"Leads","id":"1"},"id":"${parent}"}}`;
      await writeRecords(sql, {
        module: "Leads",
        records: ['{"id":"20","Modified_Time":"2026-03-01T10:00:00+05:30"}'],
        runId: RUN,
      });
      await writeRecords(sql, {
        module: "Notes",
        records: [note("N1", "20"), note("N2", "21")],
        runId: RUN,
      });
      const del = '{"id":"20","deleted_time":"2026-03-02T00:00:00+00:00","type":"recycle"}';
      assert.equal(
        await writeDeletions(sql, { module: "Leads", items: [del], runId: RUN }),
        2,
        "the lead and its note",
      );
      const rows = await sql`select id, deleted_at is not null as gone from zoho.records
        where module = 'Notes' order by id`;
      assert.deepEqual(rows.map((r) => [r.id, r.gone]), [["N1", true], ["N2", false]]);
      const [v] = await sql`select change from zoho.record_versions
        where module = 'Notes' and id = 'N1' order by version desc limit 1`;
      assert.equal(v!.change, "delete");
      const own = '{"id":"N2","deleted_time":"2026-03-02T00:00:00+00:00","type":"recycle"}';
      assert.equal(
        await writeDeletions(sql, { module: "Notes", items: [own], runId: RUN }),
        1,
        "a note's own tombstone",
      );
    });
  } finally {
    await db.drop();
  }
});
