import assert from "node:assert/strict";
import { createBatchWriter, type SaveCursor } from "./batch_writer.ts";
import type { WriteCounts } from "./writer.ts";
import { createSyncDb } from "../../../../scripts/local/test_db.ts";

const rec = (id: string, time: string, v: string) =>
  `{"id":"${id}","Modified_Time":"2026-03-01T${time}+00:00","V":"${v}"}`;

Deno.test("createBatchWriter()", async (t) => {
  const db = await createSyncDb("zs_batch");
  const sql = db.sql;
  try {
    await sql`create table marks (page int primary key)`;
    const mark = (page: number): SaveCursor => async (tx) => {
      await tx`insert into marks ${tx({ page })}`;
    };

    await t.step("commits pages queued during a write together, each with its cursor", async () => {
      const batches: WriteCounts[] = [];
      const writer = createBatchWriter(sql, {
        module: "Leads",
        runId: null,
        onCounts: (c) => batches.push(c),
        limits: { maxRecords: 1_000, maxInFlight: 1 },
      });
      const done = await Promise.all([
        writer.write([rec("1", "10:00:00", "a")], mark(1)),
        writer.write([rec("2", "10:00:00", "b")], mark(2)),
        writer.write([rec("3", "10:00:00", "c")], mark(3)),
      ]);
      assert.equal(done.length, 3);
      assert.equal(batches.length, 2, "the first page alone, then the two queued meanwhile");
      assert.deepEqual((await sql`select page from marks order by page`).map((r) => r.page), [
        1,
        2,
        3,
      ]);
      assert.equal((await sql`select count(*)::int as n from zoho.records`)[0]!.n, 3);
    });

    await t.step(
      "in one batch the newest Modified_Time wins, whatever the queue order",
      async () => {
        const writer = createBatchWriter(sql, {
          module: "Leads",
          runId: null,
          onCounts: () => {},
        });
        await Promise.all([
          writer.write([rec("4", "09:00:00", "first")], async () => {}),
          writer.write([rec("5", "12:00:00", "new")], async () => {}),
          writer.write([rec("5", "11:00:00", "old")], async () => {}),
        ]);
        const [row] = await sql`select data ->> 'V' as v from zoho.records where id = '5'`;
        assert.equal(row!.v, "new");
      },
    );

    await t.step("a failed batch rejects every page in it and commits nothing", async () => {
      const writer = createBatchWriter(sql, {
        module: "Leads",
        runId: null,
        onCounts: () => {},
        limits: { maxRecords: 1_000, maxInFlight: 1 },
      });
      const first = writer.write([rec("6", "10:00:00", "x")], mark(6));
      const results = await Promise.allSettled([
        first,
        writer.write([rec("7", "10:00:00", "y")], mark(7)),
        writer.write(["{not json"], mark(8)),
      ]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "rejected"]);
      const ids = (await sql`select id from zoho.records where id in ('6', '7')`).map((r) => r.id);
      assert.deepEqual(ids, ["6"]);
      assert.deepEqual(
        (await sql`select page from marks where page > 5 order by page`).map((r) => r.page),
        [6],
      );
    });
  } finally {
    await db.drop();
  }
});
