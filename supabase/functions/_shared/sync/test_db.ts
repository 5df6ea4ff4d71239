/**
 * Test helper: a scratch database with the local stand-ins and the migrations the sync engine
 * depends on (the raw store, typed views and sync state: versions up to 20261126119999, and the
 * sync-state additions in 20261126150000–20261126159999), so sync tests do not break while other
 * schemas (analytics) are being written in parallel.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createScratchDb, type ScratchDb } from "../../../../scripts/local/scratch_db.ts";
import { applyMigrations, applyStandIns } from "../../../../scripts/local/migrate.ts";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const LAST_VERSION = "20261126119999";
const SYNC_RANGE = ["20261126150000", "20261126159999"] as const;

/** Creates a scratch database holding the sync engine's schema. */
export async function createSyncDb(prefix: string): Promise<ScratchDb> {
  const db = await createScratchDb(prefix, { migrate: false, max: 8 });
  const dir = await Deno.makeTempDir({ prefix: "zoho_sync_migrations_" });
  try {
    const source = join(ROOT, "supabase/migrations");
    for await (const entry of Deno.readDir(source)) {
      const version = entry.name.slice(0, 14);
      const inRange = version >= SYNC_RANGE[0] && version <= SYNC_RANGE[1];
      if (entry.name.endsWith(".sql") && (version <= LAST_VERSION || inRange)) {
        await Deno.copyFile(join(source, entry.name), join(dir, entry.name));
      }
    }
    await applyStandIns(db.sql, join(ROOT, "scripts/local/sql"));
    await applyMigrations(db.sql, dir);
  } catch (error) {
    await db.drop();
    throw error;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return db;
}
