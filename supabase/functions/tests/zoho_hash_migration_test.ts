/**
 * The content-hash migration on a database that already holds data: stored hashes of records,
 * versions and metadata snapshots follow the new definition, versions stay append-only, and a
 * sync of the same content afterwards sees no change (no new version).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { applyMigrations, applyStandIns } from "../../../scripts/local/migrate.ts";
import { ROOT } from "../../../scripts/local/config.ts";
import { writeRecords } from "../_shared/sync/writer.ts";

const MIGRATION = "20261126190000_zoho_cheaper_record_writes.sql";

Deno.test("the jsonb content-hash migration rehashes stored data in place", async () => {
  const db = await createScratchDb("zs_hash_migration", { migrate: false });
  const before = await Deno.makeTempDir();
  try {
    const dir = join(ROOT, "supabase/migrations");
    for await (const e of Deno.readDir(dir)) {
      if (e.name < MIGRATION) await Deno.copyFile(join(dir, e.name), join(before, e.name));
    }
    await applyStandIns(db.sql, join(ROOT, "scripts/local/sql"));
    await applyMigrations(db.sql, before);
    const rec = '{"id":"1","Modified_Time":"2026-03-01T10:00:00+05:30","Big":9007199254740993}';
    await writeRecords(db.sql, "Leads", [rec], null);
    await db.sql`insert into zoho.metadata_snapshots (kind, module, data, content_hash)
      values ('fields', 'Leads', '{"fields":[]}', zoho.content_hash('{"fields":[]}'))`;
    const [old] = await db.sql`select content_hash from zoho.records where id = '1'`;
    assert.equal(old!.content_hash.length, 64, "sha256 hex before the migration");

    await applyMigrations(db.sql, dir);
    const [row] = await db.sql`select
        (select content_hash = zoho.content_hash(data) from zoho.records where id = '1') as rec,
        (select bool_and(content_hash = zoho.content_hash(data)) from zoho.record_versions) as ver,
        (select bool_and(content_hash = zoho.content_hash(data)) from zoho.metadata_snapshots)
          as meta,
        (select length(content_hash) from zoho.records where id = '1') as len`;
    assert.deepEqual({ ...row }, { rec: true, ver: true, meta: true, len: 16 });
    await assert.rejects(
      () => db.sql`update zoho.record_versions set change = 'update'`,
      /append-only/,
      "the append-only trigger is back on",
    );
    const counts = await writeRecords(db.sql, "Leads", [rec], null);
    assert.equal(counts.unchanged, 1, "the same content after the migration is no change");
    const [v] = await db.sql`select count(*)::int as n from zoho.record_versions`;
    assert.equal(v!.n, 1);
  } finally {
    await Deno.remove(before, { recursive: true });
    await db.drop();
  }
});
