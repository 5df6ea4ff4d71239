/**
 * POST /crm/v7/coql. LIMIT at most 2,000 per call and LIMIT+OFFSET at most 100,000
 * (COQL-Limitations v7); credits 1/2/3 by LIMIT (COQL overview); at most 50 select fields.
 */
import { Hono } from "hono";
import { moduleByName } from "../dataset/modules.ts";
import type { ZohoRecord } from "../dataset/types.ts";
import { CoqlSyntaxError, parseCoql } from "../query/coql_parser.ts";
import { evaluate, predicateFields, readField } from "../query/predicate.ts";
import { invalidData, ZohoError } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import { hasScope, moduleReadScopes } from "../sim/scopes.ts";
import type { SimState } from "../sim/state.ts";
import { chargeCredits } from "../sim/limits.ts";
import type { SimEnv } from "./env.ts";
import { requireScope } from "./guards.ts";
import { fieldMap } from "../sim/render.ts";

export const COQL_MAX_LIMIT = 2000;
export const COQL_MAX_ROWS = 100000;

/** Credits a COQL call costs for its LIMIT. */
export function coqlCredits(limit: number): number {
  return limit <= 200 ? 1 : limit <= 1000 ? 2 : 3;
}

function invalidQuery(reason: string, details: Record<string, unknown> = {}) {
  return new ZohoError(400, "INVALID_QUERY", "invalid query formed", { reason, ...details });
}

export function coqlRoute(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.post("/coql", async (c) => {
    requireScope(state, c, ["ZohoCRM.coql.READ"]);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw invalidData("body is not valid JSON");
    }
    const text = (body as { select_query?: unknown })?.select_query;
    if (typeof text !== "string") {
      throw invalidData("select_query is missing", { api_name: "select_query" });
    }
    let q;
    try {
      q = parseCoql(text);
    } catch (e) {
      if (!(e instanceof CoqlSyntaxError)) throw e;
      throw new ZohoError(400, "SYNTAX_ERROR", "error occurred while parsing the query", {
        line: e.line,
        column: e.column,
        near: e.near,
      });
    }
    if (q.limit < 1 || q.limit > COQL_MAX_LIMIT) {
      throw new ZohoError(400, "LIMIT_EXCEEDED", "limit exceeded", {
        limit: COQL_MAX_LIMIT,
        by: "limit",
      });
    }
    if (q.offset + q.limit > COQL_MAX_ROWS) {
      throw new ZohoError(400, "LIMIT_EXCEEDED", "limit exceeded", {
        limit: COQL_MAX_ROWS,
        by: "offset",
      });
    }
    if (q.fields.length > 50) {
      throw new ZohoError(400, "LIMIT_EXCEEDED", "select columns limit exceeded", {
        limit: 50,
        by: "select",
      });
    }
    const mod = moduleByName(q.module);
    if (!mod || !mod.api_supported || !mod.fields) {
      throw invalidQuery("invalid module given", { module: q.module });
    }
    if (
      !hasScope(
        c.get("grant").scope,
        moduleReadScopes(mod.api_name, mod.generated_type === "custom"),
      )
    ) {
      requireScope(state, c, moduleReadScopes(mod.api_name, false));
    }
    const module = mod.api_name;
    const defs = fieldMap(state.store.fields(module));
    const used = [
      ...q.fields,
      ...q.orderBy.map((o) => o.field),
      ...(q.where ? predicateFields(q.where) : []),
    ];
    const unknown = used.map((f) => f.split(".")[0] as string).find((f) =>
      f !== "id" && !defs.has(f)
    );
    if (unknown) throw invalidQuery("column given seems to be invalid", { column_name: unknown });
    chargeCredits(state.ledger, {
      now: state.clock.now(),
      method: "POST",
      path: c.req.path,
      entry: c.env.entry,
    }, coqlCredits(q.limit));

    const now = state.clock.now();
    const total = state.store.total(module);
    const byId = q.orderBy.length === 0 || (q.orderBy.length === 1 && q.orderBy[0]?.field === "id");
    const desc = byId && q.orderBy[0]?.desc === true;
    const want = q.offset + q.limit + 1;
    const matches: ZohoRecord[] = [];
    for (let n = 0; n < total; n++) {
      const i = desc ? total - 1 - n : n;
      if (!state.store.isLive(module, i)) continue;
      if (
        module === "Leads" && !state.options.behaviour.coqlIncludesConverted &&
        state.store.converted(module, i)
      ) {
        continue;
      }
      const rec = state.store.record(module, i, now);
      if (q.where && !evaluate(rec, q.where, defs)) continue;
      matches.push(rec);
      if (byId && matches.length >= want) break;
    }
    if (!byId) {
      matches.sort((a, b) => {
        for (const o of q.orderBy) {
          const x = readField(a, o.field) as string | number | null;
          const y = readField(b, o.field) as string | number | null;
          if (x === y) continue;
          const r = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
          return o.desc ? -r : r;
        }
        return 0;
      });
    }
    const page = matches.slice(q.offset, q.offset + q.limit);
    if (page.length === 0) return new Response(null, { status: 204 });
    const data = page.map((rec) => {
      const out: Record<string, unknown> = {};
      for (const f of q.fields) {
        const top = rec[f.split(".")[0] as string];
        out[f] = f.includes(".")
          ? readField(rec, f)
          : top !== null && typeof top === "object" && !Array.isArray(top) && "id" in top
          ? { id: (top as { id: string }).id }
          : top ?? null;
      }
      out.id = rec.id;
      return out;
    });
    return jsonResponse({
      data,
      info: { count: data.length, more_records: matches.length > q.offset + q.limit },
    });
  });
  return app;
}
