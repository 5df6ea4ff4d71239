/**
 * Test helper: a scratch database for sync tests, with the local stand-ins and every migration,
 * so the sync runs against the production schema (including the analytics fact triggers on
 * zoho.records).
 */
import { createScratchDb, type ScratchDb } from "./scratch_db.ts";

/** Creates a scratch database holding the whole schema, with a pool sized for parallel pages. */
export function createSyncDb(prefix: string): Promise<ScratchDb> {
  return createScratchDb(prefix, { max: 8 });
}
