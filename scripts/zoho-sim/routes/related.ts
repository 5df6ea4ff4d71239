/** Related lists: Deals/{id}/Stage_History (the picklist-history list Zoho keeps for Stage). */
import type { Context } from "hono";
import type { ModuleDef } from "../dataset/modules.ts";
import { STAGE_HISTORY_FIELDS } from "../dataset/fields_other.ts";
import { ZohoError } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";
import type { SimEnv } from "./env.ts";
import { parseFields } from "./list_params.ts";
import { fieldMap, projectForList } from "../sim/render.ts";

export function relatedList(
  state: SimState,
  c: Context<SimEnv>,
  mod: ModuleDef,
  id: string,
  list: string,
): Response {
  if (mod.api_name !== "Deals" || list !== "Stage_History") {
    throw new ZohoError(400, "INVALID_DATA", "the related list given seems to be invalid", {
      resource_path_index: 2,
    });
  }
  const names = parseFields(c.req.query("fields"), STAGE_HISTORY_FIELDS, state.options.behaviour);
  const i = state.store.indexOf("Deals", id);
  if (i === null || !state.store.isLive("Deals", i)) return new Response(null, { status: 204 });
  const deals = state.store.state("Deals");
  const added = [...(deals.stageRows?.get(i) ?? [])].reverse().map((
    { $previous_stage: _p, ...row },
  ) => row);
  const rows = [...added, ...(i < deals.base ? state.dataset.stageHistory(i) : [])];
  const perPage = Math.min(200, Number(c.req.query("per_page") ?? 200));
  const page = Number(c.req.query("page") ?? 1);
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  if (slice.length === 0) return new Response(null, { status: 204 });
  const defs = fieldMap(STAGE_HISTORY_FIELDS);
  return jsonResponse({
    // Related-list rows: no record-level `$` keys unless asked for (no sample shows them).
    data: slice.map((r) => projectForList(r, names, defs, "requested")),
    info: {
      per_page: perPage,
      count: slice.length,
      page,
      more_records: rows.length > page * perPage,
    },
  });
}
