/** Module registry of the demo org: what /settings/modules lists and which modules hold records. */
import { ACCOUNT_FIELDS, CONTACT_FIELDS, DEAL_FIELDS } from "./fields_sales.ts";
import { LEAD_FIELDS } from "./fields_leads.ts";
import {
  CALL_FIELDS,
  CAMPAIGN_FIELDS,
  EVENT_FIELDS,
  INSTALLER_DEAL_FIELDS,
  INSTALLER_FIELDS,
  NOTE_FIELDS,
  PRODUCT_FIELDS,
  TASK_FIELDS,
} from "./fields_other.ts";
import type { FieldDef } from "./types.ts";

/** One module of the org. Record-bearing modules have `fields` and a `displayField`. */
export interface ModuleDef {
  api_name: string;
  code: number;
  module_name: string;
  singular_label: string;
  plural_label: string;
  api_supported: boolean;
  generated_type: "default" | "custom" | "linking" | "web";
  visible: boolean;
  fields?: FieldDef[];
  /** Field whose value names the record in lookups and deleted-record lists. */
  displayField?: string;
  /** Bulk Read refuses these (bulk-read limitations page). */
  bulkUnsupported?: boolean;
}

function m(
  api_name: string,
  code: number,
  labels: [string, string, string],
  extra: Partial<ModuleDef> = {},
): ModuleDef {
  return {
    api_name,
    code,
    module_name: labels[0],
    singular_label: labels[1],
    plural_label: labels[2],
    api_supported: true,
    generated_type: "default",
    visible: true,
    ...extra,
  };
}

export const MODULES: readonly ModuleDef[] = [
  m("Leads", 10, ["Leads", "Lead", "Leads"], { fields: LEAD_FIELDS, displayField: "Full_Name" }),
  m("Contacts", 11, ["Contacts", "Contact", "Contacts"], {
    fields: CONTACT_FIELDS,
    displayField: "Full_Name",
  }),
  m("Accounts", 12, ["Accounts", "Account", "Accounts"], {
    fields: ACCOUNT_FIELDS,
    displayField: "Account_Name",
  }),
  m("Deals", 13, ["Deals", "Deal", "Deals"], { fields: DEAL_FIELDS, displayField: "Deal_Name" }),
  m("Campaigns", 14, ["Campaigns", "Campaign", "Campaigns"], {
    fields: CAMPAIGN_FIELDS,
    displayField: "Campaign_Name",
  }),
  m("Products", 15, ["Products", "Product", "Products"], {
    fields: PRODUCT_FIELDS,
    displayField: "Product_Name",
  }),
  m("Calls", 16, ["Calls", "Call", "Calls"], { fields: CALL_FIELDS, displayField: "Subject" }),
  m("Tasks", 17, ["Tasks", "Task", "Tasks"], { fields: TASK_FIELDS, displayField: "Subject" }),
  // Zoho quirk: api_name "Events" but module_name and labels say Meetings (modules API v4 page).
  m("Events", 18, ["Meetings", "Meeting", "Meetings"], {
    fields: EVENT_FIELDS,
    displayField: "Event_Title",
  }),
  m("Notes", 19, ["Notes", "Note", "Notes"], {
    fields: NOTE_FIELDS,
    displayField: "Note_Title",
    bulkUnsupported: true,
  }),
  m("Installers", 20, ["Installers", "Installer", "Installers"], {
    generated_type: "custom",
    fields: INSTALLER_FIELDS,
    displayField: "Name",
  }),
  m("Installers_X_Deals", 21, ["Installers_X_Deals", "Installer X Deal", "Installers X Deals"], {
    generated_type: "linking",
    fields: INSTALLER_DEAL_FIELDS,
    displayField: "id",
  }),
  m("Attachments", 40, ["Attachments", "Attachment", "Attachments"], {
    api_supported: true,
    visible: false,
    bulkUnsupported: true,
  }),
  m("Visits", 41, ["Visits", "Visit", "Visits"], { api_supported: false, generated_type: "web" }),
  m("Leads_Insights__s", 42, ["Leads_Insights__s", "Lead Insight", "Lead Insights"], {
    api_supported: false,
    visible: false,
  }),
  m("Social", 43, ["Social", "Social", "Social"], { api_supported: false, visible: false }),
  m("Home", 44, ["Home", "Home", "Home"], { api_supported: false }),
];

const BY_NAME = new Map(MODULES.map((mod) => [mod.api_name.toLowerCase(), mod]));
const BY_CODE = new Map(MODULES.map((mod) => [mod.code, mod]));

/** Finds a module by API name (case-insensitive, as Zoho resolves module names). */
export function moduleByName(name: string): ModuleDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Finds a module by its id code. */
export function moduleByCode(code: number): ModuleDef | undefined {
  return BY_CODE.get(code);
}

/** Modules that hold generated records. */
export const RECORD_MODULES = MODULES.filter((mod) => mod.fields !== undefined);

export const STAGE_HISTORY_CODE = 30;
export const USER_CODE = 90;
export const LAYOUT_CODE = 91;
export const FIELD_CODE = 92;
export const MODULE_ID_CODE = 93;
export const JOB_CODE = 94;
