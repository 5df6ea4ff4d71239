/**
 * Helpers of the zoho-sync integration tests: a simulator plus a scratch database, the function
 * env pointing at both, and the exact comparison of zoho.records with the simulator's truth.
 */
import type postgres from "postgres";
import { RECORD_MODULES } from "../../../scripts/zoho-sim/dataset/modules.ts";
import {
  startZohoSim,
  type ZohoSim,
  type ZohoSimOptions,
} from "../../../scripts/zoho-sim/server.ts";
import { stringify } from "../../../scripts/zoho-sim/sim/json.ts";
import type { ScratchDb } from "../../../scripts/local/scratch_db.ts";
import { createSyncDb } from "../../../scripts/local/test_db.ts";

export const SERVICE_KEY = "test-service-role-key";

/** A simulator and a scratch database for one test file. */
export interface Harness {
  sim: ZohoSim;
  db: ScratchDb;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts both; `env` overrides function variables. */
export async function startHarness(
  prefix: string,
  sim: ZohoSimOptions = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  const db = await createSyncDb(prefix);
  const s = await startZohoSim({ port: 0, size: { leads: 600 }, ...sim });
  return {
    sim: s,
    db,
    env: {
      SUPABASE_DB_URL: db.url,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
      ZOHO_ACCOUNTS_URL: s.credentials.accountsUrl,
      ZOHO_CLIENT_ID: s.credentials.clientId,
      ZOHO_CLIENT_SECRET: s.credentials.clientSecret,
      ZOHO_REFRESH_TOKEN: s.credentials.refreshToken,
      ZOHO_LEASE_SECONDS: "3",
      // The simulator shares this process, so process CPU is not the sync's alone: these tests
      // slice on wall clock; zoho_sync_cpu_budget_test.ts runs the sync apart to test the budget.
      ZOHO_CPU_BUDGET_MS: "600000",
      ...env,
    },
    async close() {
      await s.close();
      await db.drop();
    },
  };
}

/** Modules the simulator holds records in. */
export const SIM_MODULES = RECORD_MODULES.map((m) => m.api_name);

/**
 * Differences between live zoho.records and the simulator's records now, by the sha256 of
 * their jsonb text (stricter than the sync's own content_hash: number scale counts too):
 * `missing` (in Zoho, not stored or stored differently) and `extra` (stored, not in Zoho).
 */
export async function diffWithTruth(
  sql: postgres.Sql,
  sim: ZohoSim,
  modules: readonly string[] = SIM_MODULES,
): Promise<{ missing: string[]; extra: string[]; total: number }> {
  await sql`create table if not exists public.truth (module text, id text, hash bytea)`;
  await sql`truncate truth`;
  let total = 0;
  for (const module of modules) {
    let batch: string[] = [];
    const flush = async () => {
      if (!batch.length) return;
      await sql`insert into truth select ${module}, e ->> 'id', sha256(convert_to(e::text, 'UTF8'))
        from jsonb_array_elements(${`[${batch.join(",")}]`}::text::jsonb) e`;
      batch = [];
    };
    for (const rec of sim.controls.records.iterate(module)) {
      batch.push(stringify(rec));
      total++;
      if (batch.length >= 500) await flush();
    }
    await flush();
  }
  const missing = await sql<{ key: string }[]>`
    select module || '/' || id as key from (
      select module, id, hash from truth
      except select module, id, sha256(convert_to(data::text, 'UTF8')) from zoho.records
        where deleted_at is null and module = any(${modules as string[]})
    ) x order by 1 limit 20`;
  const extra = await sql<{ key: string }[]>`
    select module || '/' || id as key from (
      select module, id, sha256(convert_to(data::text, 'UTF8')) from zoho.records
        where deleted_at is null and module = any(${modules as string[]})
      except select module, id, hash from truth
    ) x order by 1 limit 20`;
  return { missing: missing.map((r) => r.key), extra: extra.map((r) => r.key), total };
}
