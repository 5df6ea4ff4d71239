/**
 * What an admin does once on hosted Supabase, done by the local stack at start: the Vault
 * secrets the pipeline's pg_net calls read (`project_url`, `service_role_key`) and the pg_cron
 * watchdog (`pipeline.install_schedule(null)`: the minute tick, no daily run, so a local stack
 * never starts a run by itself).
 */
import type postgres from "postgres";

/** Creates or updates a Vault secret by name. */
export async function putSecret(
  sql: postgres.Sql,
  { name, value }: { name: string; value: string },
): Promise<void> {
  const updated = await sql`
    select vault.update_secret(id, ${value}) from vault.secrets where name = ${name}`;
  if (updated.length === 0) await sql`select vault.create_secret(${value}, ${name})`;
}

/** Points the pipeline at this stack and installs the watchdog. */
export async function setUpPipeline(
  sql: postgres.Sql,
  stack: { apiUrl: string; serviceRoleKey: string },
): Promise<void> {
  await putSecret(sql, { name: "project_url", value: stack.apiUrl });
  await putSecret(sql, { name: "service_role_key", value: stack.serviceRoleKey });
  const [cron] = await sql`select 1 from pg_namespace where nspname = 'cron'`;
  if (cron) await sql`select pipeline.install_schedule(null)`;
}
