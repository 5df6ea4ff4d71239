/**
 * Simulator options (validated with zod), editions, data centres and the fixed default
 * credentials. Behaviours the reference marks unverified are switches under `behaviour`.
 */
import { z } from "zod";
import { ANCHOR, DEFAULT_LEADS, DEFAULT_OFFSET, DEFAULT_SEED } from "../dataset/dataset.ts";
import { mix } from "../dataset/rng.ts";

export const DEFAULT_PORT = 54330;
export const DEFAULT_HOSTNAME = "127.0.0.1";
/** Data centres; "us" is served at the root, the others under /dc/{name}. */
export const DATA_CENTRES = ["us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk"] as const;
export type DataCentre = (typeof DATA_CENTRES)[number];

export const EDITIONS = ["free", "standard", "professional", "enterprise", "ultimate"] as const;
export type Edition = (typeof EDITIONS)[number];

/** Kaizen #93 / #203: base credits, per-user credits, cap, concurrency per edition. */
const EDITION_TABLE: Record<Edition, { base: number; perUser: number; max: number; conc: number }> =
  {
    free: { base: 5000, perUser: 0, max: 5000, conc: 5 },
    standard: { base: 50000, perUser: 250, max: 100000, conc: 10 },
    professional: { base: 50000, perUser: 500, max: 3000000, conc: 15 },
    enterprise: { base: 50000, perUser: 1000, max: 5000000, conc: 20 },
    ultimate: { base: 50000, perUser: 2000, max: Number.POSITIVE_INFINITY, conc: 25 },
  };

/** Credits per rolling 24 h and concurrency for an edition and user count. */
export function editionLimits(edition: Edition, users: number) {
  const row = EDITION_TABLE[edition];
  return {
    credits: Math.min(row.max, row.base + row.perUser * users),
    concurrency: row.conc,
    subConcurrency: 10,
  };
}

const BehaviourSchema = z.object({
  /** Unknown names in `fields`: silently ignored, or 400 INVALID_DATA (unverified). */
  unknownFields: z.enum(["ignore", "error"]).default("ignore"),
  /** per_page above 200: clamped to 200, or 400 INVALID_DATA (unverified). */
  perPageOverflow: z.enum(["clamp", "error"]).default("clamp"),
  /** Whether restoring from the recycle bin bumps Modified_Time (unverified). */
  restoreBumpsModifiedTime: z.boolean().default(false),
  /** Accept "Bearer" as well as "Zoho-oauthtoken" (singer tap sends Bearer). */
  acceptBearer: z.boolean().default(true),
  /** page_token continues after the last record served (keyset) or by offset (unverified). */
  pageTokenMode: z.enum(["keyset", "offset"]).default("keyset"),
  /** Single GET of a converted lead without converted=true: 204 (community report) or the record. */
  convertedSingleGet: z.enum(["no_content", "return"]).default("no_content"),
  /** COQL on Leads returns converted leads too (unverified). */
  coqlIncludesConverted: z.boolean().default(true),
  /**
   * Record-level `$` keys in list responses: all of them, as v7 search-records samples show, or
   * only those named in `fields` (the Get Records sample with `fields` shows none; unverified).
   */
  listDollarKeys: z.enum(["all", "requested"]).default("all"),
  /**
   * Which long texts list views cut at 500 characters: rich-text fields only (what the get-records
   * v7 notes say), or every multi-line (textarea) field, plain ones too (the docs are not precise;
   * a client must not rely on plain text coming whole).
   */
  listTruncates: z.enum(["rich_text", "multi_line"]).default("rich_text"),
  /** HTTP status of OAUTH_SCOPE_MISMATCH: docs disagree (401 vs 403). */
  scopeMismatchStatus: z.union([z.literal(401), z.literal(403)]).default(401),
});

const LimitsSchema = z.object({
  credits: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  subConcurrency: z.number().int().positive().optional(),
  refreshPerWindow: z.number().int().positive().default(10),
  refreshWindowSeconds: z.number().int().positive().default(600),
  tokenTtlSeconds: z.number().int().positive().default(3600),
  activeTokensPerRefresh: z.number().int().positive().default(30),
  pageTokenTtlSeconds: z.number().int().positive().default(86400),
  /** Records reachable through page_token (100,000 on Zoho); lower it in tests. */
  pageTokenMaxRecords: z.number().int().positive().default(100000),
  bulkDownloadsPerMinute: z.number().int().positive().default(10),
  bulkPerPage: z.number().int().positive().default(200000),
  /** Real milliseconds a bulk job takes to complete (0: completes as soon as it is polled). */
  bulkCompleteAfterMs: z.number().int().nonnegative().default(50),
});

export const OptionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  hostname: z.string().default(DEFAULT_HOSTNAME),
  seed: z.number().int().default(DEFAULT_SEED),
  size: z.object({ leads: z.number().int().nonnegative() }).default({ leads: DEFAULT_LEADS }),
  edition: z.enum(EDITIONS).default("enterprise"),
  users: z.number().int().positive().default(10),
  orgTimezoneOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/).default(DEFAULT_OFFSET),
  /** The org's zone name in /org (default: one matching the offset, e.g. Asia/Kolkata). */
  orgTimeZone: z.string().optional(),
  /** Clock start, epoch seconds; defaults to the dataset anchor 2026-03-04T04:45:30Z. */
  clockStart: z.number().default(ANCHOR),
  /** Let the clock tick with real time (standalone server) instead of only when advanced. */
  realTimeClock: z.boolean().default(false),
  behaviour: BehaviourSchema.default(BehaviourSchema.parse({})),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  /**
   * Serve list views from cached JSON text of each record (store/list_cache.ts): same bytes, far
   * less CPU per record; costs memory (about 3 KB per lead).
   */
  listCache: z.boolean().default(false),
  /** Render these modules' records into the list cache at start (true: every module; implies it). */
  prerender: z.union([z.boolean(), z.array(z.string())]).default(false),
  /** Largest number of request-log entries kept. */
  requestLogSize: z.number().int().positive().default(10000),
});

/** Options accepted by startZohoSim (all optional). */
export type ZohoSimOptions = z.input<typeof OptionsSchema>;
/** Options after defaults. */
export type ResolvedOptions = z.output<typeof OptionsSchema>;
export type Behaviour = ResolvedOptions["behaviour"];

function hex(label: string, length: number): string {
  let out = "";
  let h = 0x2545f491;
  for (const ch of label) h = mix((h ^ ch.charCodeAt(0)) >>> 0);
  while (out.length < length) {
    h = mix((h + 0x9e3779b9) >>> 0);
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

/** OAuth client and refresh token registered in one data centre. */
export interface DcCredentials {
  dc: DataCentre;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  scope: string;
}

export const DEFAULT_SCOPE = [
  "ZohoCRM.modules.ALL",
  "ZohoCRM.settings.ALL",
  "ZohoCRM.users.READ",
  "ZohoCRM.org.READ",
  "ZohoCRM.coql.READ",
  "ZohoCRM.bulk.READ",
].join(",");

/** Fixed, deterministic credentials of a data centre (documented in README.md). */
export function dcCredentials(dc: DataCentre): DcCredentials {
  const tag = dc.toUpperCase();
  return {
    dc,
    clientId: `1000.SIMCLIENT${tag}${"0".repeat(30 - 9 - tag.length)}`,
    clientSecret: hex(`secret-${dc}`, 42),
    refreshToken: `1000.${hex(`refresh-${dc}`, 32)}.${hex(`token-${dc}`, 32)}`,
    scope: DEFAULT_SCOPE,
  };
}
