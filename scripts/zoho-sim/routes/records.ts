/** Get Records (list), single-record GET and record count. */
import type { Context } from "hono";
import type { ModuleDef } from "../dataset/modules.ts";
import { formatDateTime } from "../dataset/time_format.ts";
import type { ZohoRecord } from "../dataset/types.ts";
import { invalidData, ZohoError } from "../sim/errors.ts";
import { jsonResponse, jsonTextResponse, stringify } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";
import { type ListCache, type ListPlan, planList } from "../store/list_cache.ts";
import type { Cursor } from "../store/ordering.ts";
import type { SimEnv } from "./env.ts";
import { type ListParams, parseListParams } from "./list_params.ts";
import { fieldMap, projectForList } from "../sim/render.ts";

/**
 * Whether record i passes the list filters (live, `ids`, converted, approved, If-Modified-Since).
 * With `ids` the usual converted/approved defaults still apply (unverified; callers pass both).
 */
export function makeVisible(
  state: SimState,
  module: string,
  p: Pick<ListParams, "converted" | "approved" | "ims"> & { ids?: string[] | null },
): (i: number) => boolean {
  const store = state.store;
  const only = p.ids ? new Set(p.ids.map((id) => store.indexOf(module, id))) : null;
  return (i) => {
    if (only && !only.has(i)) return false;
    if (!store.isLive(module, i)) return false;
    if (module === "Leads" && p.converted !== "both") {
      if (store.converted(module, i) !== (p.converted === "true")) return false;
    }
    if (p.approved !== "both" && store.pendingApproval(module, i) === (p.approved === "true")) {
      return false;
    }
    return p.ims === null || store.times(module, i).modified >= p.ims;
  };
}

function resolveToken(state: SimState, c: Context<SimEnv>, module: string, p: ListParams) {
  const tok = state.pageTokens.get(p.pageToken as string);
  const grant = c.get("grant");
  if (!tok || tok.dc !== c.env.dc || tok.user !== grant.refreshToken) {
    throw invalidData("invalid data", { param_name: "page_token" });
  }
  if (state.clock.now() >= tok.expiresAt) {
    throw new ZohoError(400, "EXPIRED_VALUE", "the given page token has expired", {
      param_name: "page_token",
    });
  }
  const mismatch = Object.keys(p.bound).find((k) => tok.bound[k] !== p.bound[k]);
  if (tok.module !== module || mismatch) {
    throw new ZohoError(
      400,
      "TOKEN_BOUND_DATA_MISMATCH",
      "the given parameters do not match the page token",
      {
        param_name: mismatch ?? "module",
      },
    );
  }
  const limit = state.options.limits.pageTokenMaxRecords;
  if (tok.served >= limit) {
    throw new ZohoError(
      400,
      "PAGINATION_LIMIT_EXCEEDED",
      `You can only get up to first ${limit} records using page_token`,
      { limit },
    );
  }
  return tok;
}

/** GET /crm/v7/{module} */
export function listRecords(state: SimState, c: Context<SimEnv>, mod: ModuleDef): Response {
  const module = mod.api_name;
  const defs = state.store.fields(module);
  const p = parseListParams(
    c.req.query(),
    c.req.header("If-Modified-Since"),
    defs,
    state.options.behaviour,
  );
  const now = state.clock.now();
  let after: Cursor | undefined;
  let skip = 0;
  let served = 0;
  let pageNo = p.page ?? 1;
  if (p.pageToken !== null) {
    const tok = resolveToken(state, c, module, p);
    served = tok.served;
    pageNo = tok.page + 1;
    if (state.options.behaviour.pageTokenMode === "offset") skip = tok.served;
    else after = tok.cursor ?? undefined;
  } else {
    skip = (pageNo - 1) * p.perPage;
    served = skip;
  }
  // Modified_Time ascending with If-Modified-Since can start at the first matching key.
  if (!after && skip === 0 && p.ims !== null && p.sortBy === "Modified_Time" && !p.desc) {
    after = { key: p.ims - 0.5, index: -1 };
  }
  const visible = makeVisible(state, module, p);
  const picked: Cursor[] = [];
  for (const cur of state.orderings.scan(module, p.sortBy, p.desc, after)) {
    if (p.desc && p.ims !== null && p.sortBy === "Modified_Time" && cur.key < p.ims) break;
    if (!visible(cur.index)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    picked.push(cur);
    if (picked.length > p.perPage) break;
  }
  const more = picked.length > p.perPage;
  const rows = picked.slice(0, p.perPage);
  if (rows.length === 0) return new Response(null, { status: p.ims !== null ? 304 : 204 });
  const defMap = fieldMap(defs);
  const dollarKeys = state.options.behaviour.listDollarKeys;
  const plan = state.listCache && planList(p.fields, defs, defMap, dollarKeys);
  const data = plan ? null : rows.map((cur) =>
    projectForList(
      state.store.record(module, cur.index, now),
      p.fields,
      defMap,
      dollarKeys,
      state.options.behaviour.listTruncates,
    )
  );
  let next: string | null = null;
  let expiry: string | null = null;
  if (more) {
    const tok = state.pageTokens.issue({
      dc: c.env.dc,
      user: c.get("grant").refreshToken,
      module,
      bound: p.bound,
      cursor: rows[rows.length - 1] as Cursor,
      served: served + rows.length,
      page: pageNo,
      expiresAt: now + state.options.limits.pageTokenTtlSeconds,
    });
    next = tok.token;
    expiry = formatDateTime(tok.expiresAt, state.options.orgTimezoneOffset);
  }
  const info = {
    call: false,
    per_page: p.perPage,
    next_page_token: next,
    count: rows.length,
    sort_by: p.sortBy,
    page: pageNo,
    previous_page_token: null,
    page_token_expiry: expiry,
    sort_order: p.desc ? "desc" : "asc",
    email: false,
    more_records: more,
  };
  if (data) return jsonResponse({ data, info });
  // Cached records joined as JSON.stringify({data, info}) would write them, UTF-8 encoded.
  const cache = state.listCache as ListCache;
  const indexes = rows.map((cur) => cur.index);
  return jsonTextResponse(cache.page(module, indexes, now, plan as ListPlan, stringify(info)));
}

/** GET /crm/v7/{module}/{id}: the full record, subforms and rich text included. */
export function getRecord(
  state: SimState,
  c: Context<SimEnv>,
  mod: ModuleDef,
  id: string,
): Response {
  const module = mod.api_name;
  if (!/^\d+$/.test(id)) {
    throw invalidData("the id given seems to be invalid", { resource_path_index: 1 });
  }
  const i = state.store.indexOf(module, id);
  if (i === null || !state.store.isLive(module, i)) return new Response(null, { status: 204 });
  const converted = c.req.query("converted") ?? "false";
  if (
    module === "Leads" && state.store.converted(module, i) && converted === "false" &&
    state.options.behaviour.convertedSingleGet === "no_content"
  ) {
    return new Response(null, { status: 204 });
  }
  const rec: ZohoRecord = state.store.record(module, i, state.clock.now());
  return jsonResponse({ data: [rec] });
}

/** GET /crm/v7/{module}/actions/count */
export function countRecords(state: SimState, c: Context<SimEnv>, mod: ModuleDef): Response {
  const q = c.req.query();
  const visible = makeVisible(state, mod.api_name, {
    converted: (q.converted ?? "false") as ListParams["converted"],
    approved: (q.approved ?? "true") as ListParams["approved"],
    ims: null,
  });
  let count = 0;
  const total = state.store.total(mod.api_name);
  for (let i = 0; i < total; i++) if (visible(i)) count++;
  return jsonResponse({ count });
}
