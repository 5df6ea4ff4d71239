// The migration runner against a real Postgres: a scratch database per test, dropped after.
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { ROOT } from "./config.ts";
import { applyMigrations, listMigrations, MigrationError } from "./migrate.ts";
import { createScratchDb } from "./scratch_db.ts";

async function withScratch(fn: (sql: postgres.Sql, dir: string) => Promise<void>) {
  const db = await createScratchDb("migrate_test", { migrate: false, max: 1 });
  const dir = await Deno.makeTempDir();
  try {
    await fn(db.sql, dir);
  } finally {
    await db.drop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("applyMigrations()", async (t) => {
  await t.step("applies files in filename order, each once, and records them", async () => {
    await withScratch(async (sql, dir) => {
      await Deno.writeTextFile(join(dir, "20260102000000_second.sql"), "insert into t values (2);");
      await Deno.writeTextFile(join(dir, "20260101000000_first.sql"), "create table t (n int);");
      const first = await applyMigrations(sql, dir);
      assert.deepEqual(first.applied, ["20260101000000_first.sql", "20260102000000_second.sql"]);
      const again = await applyMigrations(sql, dir);
      assert.deepEqual(again.applied, []);
      assert.equal(again.skipped.length, 2);
      assert.deepEqual([...await sql`select n from t`], [{ n: 2 }]);
      const rows = await sql`
        select version, name from supabase_migrations.schema_migrations order by version`;
      assert.deepEqual(rows.map((r) => [r.version, r.name]), [
        ["20260101000000", "first"],
        ["20260102000000", "second"],
      ]);
    });
  });
  await t.step(
    "a failing migration stops the run, names the file, keeps earlier ones",
    async () => {
      await withScratch(async (sql, dir) => {
        await Deno.writeTextFile(join(dir, "20260101000000_ok.sql"), "create table a (n int);");
        await Deno.writeTextFile(
          join(dir, "20260102000000_bad.sql"),
          "create table b (n int); select * from missing_table;",
        );
        await Deno.writeTextFile(join(dir, "20260103000000_later.sql"), "create table c (n int);");
        await assert.rejects(applyMigrations(sql, dir), (e: unknown) => {
          assert.ok(e instanceof MigrationError);
          assert.equal(e.file, "20260102000000_bad.sql");
          assert.match(
            e.message,
            /20260102000000_bad\.sql: relation "missing_table" does not exist/,
          );
          return true;
        });
        const tables = await sql`
        select tablename from pg_tables where schemaname = 'public' order by 1`;
        assert.deepEqual(tables.map((r) => r.tablename), ["a"], "b rolled back, c never ran");
        const versions = await sql`select version from supabase_migrations.schema_migrations`;
        assert.deepEqual(versions.map((r) => r.version), ["20260101000000"]);
      });
    },
  );
});

Deno.test("listMigrations()", async (t) => {
  await t.step("refuses malformed names and duplicate versions", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(join(dir, "2026_bad.sql"), "");
      await assert.rejects(listMigrations(dir), /14-digit timestamp/);
      await Deno.remove(join(dir, "2026_bad.sql"));
      await Deno.writeTextFile(join(dir, "20260101000000_a.sql"), "");
      await Deno.writeTextFile(join(dir, "20260101000000_b.sql"), "");
      await assert.rejects(listMigrations(dir), /version 20260101000000 is also used/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step(
    "the project's migrations are well formed, unique, and open with a purpose comment",
    async () => {
      const dir = join(ROOT, "supabase/migrations");
      for (const m of await listMigrations(dir)) {
        const first = (await Deno.readTextFile(m.path)).split("\n")[0] ?? "";
        assert.match(first, /^-- \S/, `${m.file} must open with a purpose comment`);
      }
    },
  );
});

Deno.test("applyMigrations() refuses a database that recorded migrations no longer on disk", async () => {
  await withScratch(async (sql, dir) => {
    await Deno.writeTextFile(join(dir, "20260101000000_old.sql"), "create table t (n int);");
    await applyMigrations(sql, dir);
    await Deno.remove(join(dir, "20260101000000_old.sql"));
    await Deno.writeTextFile(join(dir, "20260201000000_baseline.sql"), "create table t (n int);");
    await assert.rejects(
      applyMigrations(sql, dir),
      /recorded 1 migration\(s\) that supabase\/migrations no longer holds \(20260101000000; .*deno task reset/,
    );
    const versions = await sql`select version from supabase_migrations.schema_migrations`;
    assert.deepEqual(versions.map((r) => r.version), ["20260101000000"], "nothing applied");
  });
});
