/**
 * GET /crm/v7/{module}/deleted?type=all|recycle|permanent. Records stay in the recycle bin for 60
 * days, then count as permanently deleted (recycle-bin help page).
 */
import type { Context } from "hono";
import { idOf, userRef } from "../dataset/context.ts";
import type { ModuleDef } from "../dataset/modules.ts";
import { formatDateTime, parseDateTime } from "../dataset/time_format.ts";
import { invalidData } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";
import { RECYCLE_DAYS } from "../store/record_store.ts";
import type { SimEnv } from "./env.ts";
import { MAX_PER_PAGE } from "./list_params.ts";

export function listDeleted(state: SimState, c: Context<SimEnv>, mod: ModuleDef): Response {
  const type = c.req.query("type") ?? "all";
  if (!["all", "recycle", "permanent"].includes(type)) {
    throw invalidData("invalid data", {
      param_name: "type",
      supported_values: ["all", "recycle", "permanent"],
    });
  }
  const perPage = Math.min(MAX_PER_PAGE, Number(c.req.query("per_page") ?? MAX_PER_PAGE));
  const page = Number(c.req.query("page") ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1) {
    throw invalidData("invalid data", { param_name: "per_page" });
  }
  if (!Number.isInteger(page) || page < 1) {
    throw invalidData("invalid data", { param_name: "page" });
  }
  const imsHeader = c.req.header("If-Modified-Since");
  const ims = imsHeader === undefined ? null : parseDateTime(imsHeader.trim());
  if (imsHeader !== undefined && ims === null) {
    throw invalidData("invalid data", { header_name: "If-Modified-Since" });
  }
  const now = state.clock.now();
  const offset = state.options.orgTimezoneOffset;
  const rows = state.store.tombstones(mod.api_name)
    .map((t) => ({
      t,
      kind: t.permanent || now - t.deletedAt >= RECYCLE_DAYS * 86400 ? "permanent" : "recycle",
    }))
    .filter((r) => (type === "all" || r.kind === type) && (ims === null || r.t.deletedAt >= ims));
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  if (slice.length === 0) return new Response(null, { status: ims !== null ? 304 : 204 });
  return jsonResponse({
    data: slice.map(({ t, kind }) => ({
      deleted_by: { name: userRef(t.byUser).name, id: userRef(t.byUser).id },
      id: idOf(mod.api_name, t.index),
      display_name: t.displayName,
      type: kind,
      created_by: t.createdBy,
      deleted_time: formatDateTime(t.deletedAt, offset),
    })),
    info: {
      per_page: perPage,
      count: slice.length,
      page,
      more_records: rows.length > page * perPage,
    },
  });
}
