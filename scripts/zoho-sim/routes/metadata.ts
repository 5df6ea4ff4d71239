/** /settings/modules and /settings/fields in Zoho's shapes, generated from the registries. */
import { Hono } from "hono";
import { recordId } from "../dataset/ids.ts";
import {
  FIELD_CODE,
  MODULE_ID_CODE,
  moduleByName,
  type ModuleDef,
  MODULES,
} from "../dataset/modules.ts";
import type { FieldDef, PicklistOption } from "../dataset/types.ts";
import { formatDateTime } from "../dataset/time_format.ts";
import { HISTORY_START } from "../dataset/plan.ts";
import { invalidModule, requiredParamMissing } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";
import type { SimEnv } from "./env.ts";
import { requireScope } from "./guards.ts";

const JSON_TYPES: Record<string, string> = {
  integer: "integer",
  bigint: "integer",
  double: "double",
  currency: "double",
  percent: "double",
  boolean: "boolean",
  lookup: "jsonobject",
  ownerlookup: "jsonobject",
  multiselectpicklist: "jsonarray",
  subform: "jsonarray",
};

function label(field: FieldDef): string {
  return field.label ?? field.api_name.replace(/__s$/, "").replace(/_/g, " ");
}

function picklistValues(field: FieldDef, fieldIndex: number) {
  return (field.picklist ?? []).map((raw, n) => {
    const opt: PicklistOption = typeof raw === "string" ? { value: raw } : raw;
    return {
      display_value: opt.value,
      actual_value: opt.value,
      sequence_number: n + 1,
      type: "used",
      id: recordId(96, fieldIndex * 100 + n),
      ...(opt.probability !== undefined
        ? {
          probability: opt.probability,
          forecast_category: { name: opt.forecast_category, id: recordId(97, n) },
          forecast_type: opt.deal_category,
          deal_category: opt.deal_category,
        }
        : {}),
    };
  });
}

/** One field in the /settings/fields shape. */
export function fieldMeta(mod: ModuleDef, field: FieldDef, n: number): Record<string, unknown> {
  const jsonType = field.data_type === "formula"
    ? (field.formula?.return_type === "text" ? "string" : "double")
    : JSON_TYPES[field.data_type] ?? "string";
  return {
    id: recordId(FIELD_CODE, mod.code * 1000 + n),
    api_name: field.api_name,
    field_label: label(field),
    display_label: label(field),
    data_type: field.data_type,
    json_type: jsonType,
    length: field.length ?? (field.data_type === "textarea" ? 32000 : 255),
    custom_field: field.custom === true,
    system_mandatory: field.mandatory === true,
    read_only: field.read_only === true,
    field_read_only: field.read_only === true,
    visible: true,
    virtual_field: false,
    created_source: field.custom ? "crm" : "default",
    column_name: field.api_name.toUpperCase(),
    pick_list_values: picklistValues(field, mod.code * 1000 + n),
    lookup: field.lookup && field.data_type === "lookup"
      ? {
        module: {
          api_name: field.lookup,
          id: recordId(MODULE_ID_CODE, moduleByName(field.lookup)?.code ?? 0),
        },
      }
      : {},
    formula: field.formula ?? {},
    auto_number: field.prefix ? { prefix: field.prefix, suffix: "", start_number: 1 } : {},
    subform: field.subform ? { module: field.subform } : null,
    textarea: field.data_type === "textarea"
      ? { type: field.rich_text ? "rich_text" : "large" }
      : null,
    history_tracking: field.api_name === "Stage" ? { module: { api_name: "Stage_History" } } : null,
  };
}

function moduleMeta(state: SimState, mod: ModuleDef): Record<string, unknown> {
  const changed = state.store.state(mod.api_name).metaModifiedAt;
  return {
    id: recordId(MODULE_ID_CODE, mod.code),
    api_name: mod.api_name,
    module_name: mod.module_name,
    singular_label: mod.singular_label,
    plural_label: mod.plural_label,
    api_supported: mod.api_supported,
    generated_type: mod.generated_type,
    creatable: mod.api_supported,
    editable: mod.api_supported,
    deletable: mod.api_supported,
    viewable: mod.visible,
    visible: mod.visible,
    visibility: mod.visible ? 1 : 0,
    status: mod.visible ? "visible" : "user_hidden",
    sequence_number: mod.code,
    modified_time: formatDateTime(changed ?? HISTORY_START, "+00:00"),
    recycle_bin_on_delete: true,
    profiles: [{ name: "Administrator", id: recordId(98, 1) }],
  };
}

/** Metadata routes under /crm/v7/settings. */
export function metadataRoutes(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.get("/settings/modules", (c) => {
    requireScope(state, c, ["ZohoCRM.settings.modules.READ"]);
    const status = c.req.query("status");
    const wanted = status ? new Set(status.split(",")) : null;
    const meta = MODULES.map((m) => moduleMeta(state, m));
    return jsonResponse({ modules: meta.filter((m) => !wanted || wanted.has(m.status as string)) });
  });
  app.get("/settings/modules/:api", (c) => {
    requireScope(state, c, ["ZohoCRM.settings.modules.READ"]);
    const mod = moduleByName(c.req.param("api"));
    if (!mod) throw invalidModule();
    // Some modules answer 204 to the detail call (Airbyte: "No content for Metadata of some modules").
    if (mod.api_name.endsWith("__s")) return new Response(null, { status: 204 });
    return jsonResponse({ modules: [{ ...moduleMeta(state, mod), fields: undefined }] });
  });
  app.get("/settings/fields", (c) => {
    requireScope(state, c, ["ZohoCRM.settings.fields.READ"]);
    const name = c.req.query("module");
    if (!name) throw requiredParamMissing("module");
    const mod = moduleByName(name);
    if (!mod) throw invalidModule({ param_name: "module" });
    const fields = state.store.fields(mod.api_name);
    if (fields.length === 0) return new Response(null, { status: 204 });
    return jsonResponse({ fields: fields.map((f, n) => fieldMeta(mod, f, n)) });
  });
  return app;
}
