/**
 * Zoho configuration from the environment, parsed once with zod. The accounts URL picks the
 * data centre (accounts.zoho.com, .eu, .in, …); the API base comes from the token response's
 * `api_domain` unless ZOHO_API_DOMAIN overrides it, so the simulator and Zoho share the code.
 */
import { z } from "zod";
import { parseEnv } from "../env.ts";
import { EDITIONS } from "./limits.ts";

const url = z.string().url().transform((u) => u.replace(/\/+$/, ""));
const int = (min: number) => z.coerce.number().int().min(min);

/** Environment variables of the Zoho client and the sync engine. */
export const ZOHO_ENV = z.object({
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL"),
  ZOHO_ACCOUNTS_URL: url,
  ZOHO_CLIENT_ID: z.string().min(1),
  ZOHO_CLIENT_SECRET: z.string().min(1),
  ZOHO_REFRESH_TOKEN: z.string().min(1),
  ZOHO_API_DOMAIN: url.optional(),
  ZOHO_API_VERSION: z.string().regex(/^v\d+$/).default("v7"),
  ZOHO_EDITION: z.enum(Object.keys(EDITIONS) as [string, ...string[]]).default("enterprise"),
  ZOHO_CONCURRENCY: int(1).optional(),
  ZOHO_DAILY_CREDITS: int(1).optional(),
  /** Re-read seconds before the newest Modified_Time seen (late commits, clock skew). */
  ZOHO_OVERLAP_SECONDS: int(0).default(60),
  /** Parallel Modified_Time segments for a full read of one module. */
  ZOHO_SEGMENTS: int(1).default(8),
  /** Full re-read period, for formula fields that change without a Modified_Time bump. */
  ZOHO_FULL_REREAD_HOURS: int(0).default(168),
  /** Field metadata is re-read after this long even when its module entry did not change. */
  ZOHO_METADATA_TTL_MINUTES: int(0).default(360),
  /**
   * The /settings/modules answer is reused this long; a run that fetched records re-checks it at
   * the end anyway, so a new custom field is picked up at once when data moves, else within this.
   */
  ZOHO_MODULES_TTL_MINUTES: int(0).default(60),
  /**
   * Deleted-records list (and restore check) cadence per module, in Zoho server minutes. A run
   * that fetched changed records checks deletions regardless (users editing are users deleting).
   */
  ZOHO_DELETED_CHECK_MINUTES: int(0).default(15),
  ZOHO_LEASE_SECONDS: int(1).default(60),
  ZOHO_REQUEST_TIMEOUT_MS: int(100).default(30_000),
  /**
   * CPU time one slice may use (hosted Edge Functions allow about 2 s per request): no new page
   * starts past half of it, the rest covers pages in flight and the slice's final writes.
   */
  ZOHO_CPU_BUDGET_MS: int(100).default(1_000),
  /**
   * Slices in a row that fetch records but store nothing new and move no read position before the
   * module fails naming where it is stuck (0: never). A read inside a cluster always moves.
   */
  ZOHO_STALL_SLICES: int(0).default(20),
  /**
   * Share of the daily credit allowance (percent) the Stage_History step leaves unspent for the
   * record reads of later runs in the same rolling 24 hours: the backfill (one call per deal)
   * stops there and continues in a later run.
   */
  ZOHO_HISTORY_RESERVE_PCT: int(0).max(100).default(10),
  /** Single-record reads for incomplete list records only, or for every record. */
  ZOHO_SINGLE_READS: z.enum(["incomplete", "all"]).default("incomplete"),
});

/** Parsed Zoho environment. */
export type ZohoEnv = z.infer<typeof ZOHO_ENV>;

/** Reads the Zoho environment; errors name the variables, never their values. */
export function loadZohoEnv(source: Record<string, string | undefined> = Deno.env.toObject()) {
  return parseEnv(ZOHO_ENV, source);
}
