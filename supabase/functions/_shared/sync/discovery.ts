/**
 * Discovery: every module Zoho marks `api_supported`, and every field of it from
 * /settings/fields, so a new custom field is read without code changes. Both answers are
 * snapshotted in zoho.metadata_snapshots (one row per distinct content, `captured_at` = last
 * seen). The modules list is reused within its TTL; fields are re-read when the module's entry
 * in /settings/modules changed (its `modified_time` moves when a field is added) or the snapshot
 * is older than the metadata TTL, which keeps a no-change run at one records call per module.
 * When a module's field names change, every record is re-read (the new keys arrive without a
 * Modified_Time bump). Each plan can re-check its module after a read that moved data, so a
 * field added while a sync runs is caught by that run.
 */
import type postgres from "postgres";
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { fieldGroups, type FieldMeta, type ModulePlan, planModule } from "./fields.ts";
import { requestReread } from "./state.ts";

/** Discovery inputs. */
export interface DiscoveryContext {
  sql: postgres.Sql;
  client: ZohoClient;
  stats: CallStats;
  metadataTtlMinutes: number;
  /** Reuse the last /settings/modules answer this long (0: always ask). */
  modulesTtlMinutes?: number;
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
  const entries = await cachedModules(ctx) ?? await fetchModules(ctx, ctx.stats);
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
    else plans.push({ ...planModule(name, fields), fieldsChanged: (s) => recheck(name, s) });
  });
  // One fresh modules list per discovery, shared by every module that re-checks.
  let fresh: Promise<ModuleEntry[]> | null = null;
  async function recheck(module: string, stats: CallStats): Promise<boolean> {
    const list = await (fresh ??= fetchModules(ctx, stats));
    const entry = list.find((e) => e.api_name === module);
    if (!entry) return false;
    const hash = await sha256(canonical(entry));
    const [state] = await ctx.sql<{ fields_hash: string | null }[]>`
      select fields_hash from zoho.sync_state where module = ${module}`;
    if (state?.fields_hash === hash) return false;
    const before = await lastFieldNames(ctx.sql, module);
    await fetchFields(ctx, { module, entryHash: hash, stats });
    return before !== null && !sameNames(before, await lastFieldNames(ctx.sql, module));
  }
  return { plans, skipped };
}

async function cachedModules(ctx: DiscoveryContext): Promise<ModuleEntry[] | null> {
  const ttl = ctx.modulesTtlMinutes ?? 0;
  if (ttl <= 0) return null;
  const [row] = await ctx.sql<{ data: { modules?: ModuleEntry[] } }[]>`
    select data from zoho.metadata_snapshots where kind = 'modules' and module = ''
      and captured_at > now() - make_interval(mins => ${ttl})
    order by captured_at desc limit 1`;
  return row ? row.data.modules ?? [] : null;
}

async function fetchModules(ctx: DiscoveryContext, stats: CallStats): Promise<ModuleEntry[]> {
  const text = await ctx.client.request("/settings/modules", {
    stats,
    parse: (r) => (r.status === 200 ? checked(r.text) : '{"modules":[]}'),
  });
  await snapshot(ctx.sql, { kind: "modules", module: "", text });
  return (JSON.parse(text).modules ?? []) as ModuleEntry[];
}

async function moduleFields(ctx: DiscoveryContext, entry: ModuleEntry): Promise<FieldMeta[]> {
  const module = entry.api_name;
  const entryHash = await sha256(canonical(entry));
  const [cached] = await ctx.sql<{ data: { fields?: FieldMeta[] } }[]>`
    select m.data from zoho.metadata_snapshots m
    join zoho.sync_state s on s.module = m.module and s.fields_hash = ${entryHash}
    where m.kind = 'fields' and m.module = ${module}
      and m.captured_at > now() - make_interval(mins => ${ctx.metadataTtlMinutes})
    order by m.captured_at desc limit 1`;
  if (cached) return cached.data.fields ?? [];
  return await fetchFields(ctx, { module, entryHash, stats: ctx.stats });
}

/**
 * Reads and snapshots a module's fields; when the field names differ from the last snapshot,
 * asks for a re-read of every record. Returns [] when the fields cannot be read.
 */
async function fetchFields(
  ctx: DiscoveryContext,
  { module, entryHash, stats }: { module: string; entryHash: string; stats: CallStats },
): Promise<FieldMeta[]> {
  const text = await ctx.client.request("/settings/fields", {
    query: { module },
    stats,
    // 204 (no fields metadata) is an answer too: cached like any other, not asked every run.
    parse: (r) => (r.status === 200 ? checked(r.text) : r.status === 204 ? '{"fields":[]}' : null),
  }).catch((error) => {
    // A module whose fields cannot be read (403 NO_PERMISSION, 400) is skipped, not fatal.
    if (error?.status >= 400 && error?.status < 500) return null;
    throw error;
  });
  if (!text) return [];
  const fields = (JSON.parse(text).fields ?? []) as FieldMeta[];
  const before = await lastFieldNames(ctx.sql, module);
  await snapshot(ctx.sql, { kind: "fields", module, text });
  if (before !== null && !sameNames(before, namesOf(fields))) await requestReread(ctx.sql, module);
  await ctx.sql`insert into zoho.sync_state (module, fields_hash) values (${module}, ${entryHash})
    on conflict (module) do update set fields_hash = excluded.fields_hash, updated_at = now()`;
  return fields;
}

/** Field names the read asks for (sorted), from the newest fields snapshot, or null. */
async function lastFieldNames(sql: postgres.Sql, module: string): Promise<string[] | null> {
  const [row] = await sql<{ data: { fields?: FieldMeta[] } }[]>`
    select data from zoho.metadata_snapshots where kind = 'fields' and module = ${module}
    order by captured_at desc limit 1`;
  return row ? namesOf(row.data.fields ?? []) : null;
}

function namesOf(fields: readonly FieldMeta[]): string[] {
  return fieldGroups(fields.map((f) => f.api_name)).flat().sort();
}

function sameNames(a: string[] | null, b: string[] | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((n, i) => n === b[i]);
}

/** Returns `text` if it is complete JSON; a cut-off body throws and is retried by the client. */
function checked(text: string): string {
  JSON.parse(text);
  return text;
}

async function snapshot(
  sql: postgres.Sql,
  { kind, module, text }: { kind: string; module: string; text: string },
) {
  await sql`insert into zoho.metadata_snapshots (kind, module, data, content_hash)
    values (${kind}, ${module}, ${text}::text::jsonb, zoho.content_hash(${text}::text::jsonb))
    on conflict (kind, module, content_hash) do update set captured_at = now()`;
}

/** JSON with sorted keys: a cached entry (jsonb reorders keys) hashes like a fetched one. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

/** Hex sha-256 of a string. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
