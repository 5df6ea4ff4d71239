/** Hono environment shared by the CRM routes. */
import type { DataCentre } from "../sim/config.ts";
import type { RequestLogEntry } from "../sim/request_log.ts";
import type { AccessGrant } from "../sim/tokens.ts";

/** Per-request bindings passed by the dispatcher. */
export interface RequestBindings {
  dc: DataCentre;
  entry: RequestLogEntry;
  delayMs: number;
}

export type SimEnv = { Bindings: RequestBindings; Variables: { grant: AccessGrant } };
