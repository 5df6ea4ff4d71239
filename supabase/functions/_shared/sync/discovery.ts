/**
 * Discovery: every module Zoho marks `api_supported`, and every field of it from
 * /settings/fields, so a new custom field is read without code changes. Both answers are
 * snapshotted in zoho.metadata_snapshots (one row per distinct content, `captured_at` = last
 * seen). Fields are re-read when the module's entry in /settings/modules changed or the
 * snapshot is older than the metadata TTL, which keeps a no-change run cheap.
 */
import type postgres from "postgres";
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { type FieldMeta, type ModulePlan, planModule } from "./fields.ts";

/** Discovery inputs. */
export interface DiscoveryContext {
  sql: postgres.Sql;
  client: ZohoClient;
  stats: CallStats;
  metadataTtlMinutes: number;
  /** Module API names to sync (case-insensitive); all api_supported modules when absent. */
  modules?: string[];
}

/** Discovery result: what to read, and what was left out and why. */
export interface Discovery {
  plans: ModulePlan[];
  skipped: { module: string; reason: string }[];
}

interface ModuleEntry {
  api_name: string;
  api_supported?: boolean;
}

/** Lists modules and fields and returns a read plan per module. */
export async function discover(ctx: DiscoveryContext): Promise<Discovery> {
  const text = await ctx.client.request(
    "/settings/modules",
    { stats: ctx.stats },
    (r) => (r.status === 200 ? checked(r.text) : '{"modules":[]}'),
  );
  await snapshot(ctx.sql, "modules", "", text);
  const entries = (JSON.parse(text).modules ?? []) as ModuleEntry[];
  const wanted = ctx.modules?.map((m) => m.toLowerCase());
  const skipped: Discovery["skipped"] = [];
  const chosen = entries.filter((e) => {
    if (wanted && !wanted.includes(e.api_name.toLowerCase())) return false;
    if (e.api_supported !== true) {
      if (wanted) skipped.push({ module: e.api_name, reason: "not api_supported" });
      return false;
    }
    return true;
  });
  for (const name of ctx.modules ?? []) {
    if (!entries.some((e) => e.api_name.toLowerCase() === name.toLowerCase())) {
      skipped.push({ module: name, reason: "unknown module" });
    }
  }
  const results = await Promise.all(chosen.map((e) => moduleFields(ctx, e)));
  const plans: ModulePlan[] = [];
  results.forEach((fields, i) => {
    const name = chosen[i]!.api_name;
    if (fields.length === 0) skipped.push({ module: name, reason: "no fields metadata" });
    else plans.push(planModule(name, fields));
  });
  return { plans, skipped };
}

async function moduleFields(ctx: DiscoveryContext, entry: ModuleEntry): Promise<FieldMeta[]> {
  const module = entry.api_name;
  const entryHash = await sha256(JSON.stringify(entry));
  const [cached] = await ctx.sql<{ data: { fields?: FieldMeta[] } }[]>`
    select m.data from zoho.metadata_snapshots m
    join zoho.sync_state s on s.module = m.module and s.fields_hash = ${entryHash}
    where m.kind = 'fields' and m.module = ${module}
      and m.captured_at > now() - make_interval(mins => ${ctx.metadataTtlMinutes})
    order by m.captured_at desc limit 1`;
  if (cached) return cached.data.fields ?? [];
  const text = await ctx.client.request(
    "/settings/fields",
    { query: { module }, stats: ctx.stats },
    (r) => (r.status === 200 ? checked(r.text) : null),
  ).catch((error) => {
    // A module whose fields cannot be read (403 NO_PERMISSION, 400) is skipped, not fatal.
    if (error?.status >= 400 && error?.status < 500) return null;
    throw error;
  });
  if (!text) return [];
  await snapshot(ctx.sql, "fields", module, text);
  await ctx.sql`insert into zoho.sync_state (module, fields_hash) values (${module}, ${entryHash})
    on conflict (module) do update set fields_hash = excluded.fields_hash, updated_at = now()`;
  return (JSON.parse(text).fields ?? []) as FieldMeta[];
}

/** Returns `text` if it is complete JSON; a cut-off body throws and is retried by the client. */
function checked(text: string): string {
  JSON.parse(text);
  return text;
}

async function snapshot(sql: postgres.Sql, kind: string, module: string, text: string) {
  await sql`insert into zoho.metadata_snapshots (kind, module, data, content_hash)
    values (${kind}, ${module}, ${text}::text::jsonb, zoho.content_hash(${text}::text::jsonb))
    on conflict (kind, module, content_hash) do update set captured_at = now()`;
}

/** Hex sha-256 of a string. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
