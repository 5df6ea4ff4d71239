/** Campaigns, Products, activities, Notes, the Installers custom module and its linking module. */
import { INSTALLER_REGIONS } from "./catalog.ts";
import { f, STAGE_FIELD, systemFields } from "./fields_common.ts";
import type { FieldDef } from "./types.ts";

export const CAMPAIGN_FIELDS: FieldDef[] = [
  f("Campaign_Name", "text", { mandatory: true }),
  f("Type", "picklist", {
    picklist: ["-None-", "Advertisement", "Trade Show", "Email", "Referral Program", "Partner"],
  }),
  f("Status", "picklist", { picklist: ["-None-", "Planning", "Active", "Inactive", "Complete"] }),
  f("Start_Date", "date"),
  f("End_Date", "date"),
  f("Budgeted_Cost", "currency"),
  f("Actual_Cost", "currency"),
  f("Expected_Revenue", "currency"),
  f("Expected_Response", "integer"),
  f("Num_sent", "integer", { label: "Numbers sent" }),
  f("Description", "textarea"),
  ...systemFields(),
  f("Channel", "picklist", { custom: true, picklist: ["Facebook", "Google Ads", "Trade Show"] }),
];

export const PRODUCT_FIELDS: FieldDef[] = [
  f("Product_Name", "text", { mandatory: true }),
  f("Product_Code", "text"),
  f("Product_Category", "picklist", {
    picklist: [
      "-None-",
      "Security",
      "Climate",
      "Safety",
      "Lighting",
      "Comfort",
      "Entertainment",
      "Networking",
      "Energy",
      "Outdoor",
      "Whole Home",
      "Service",
    ],
  }),
  f("Unit_Price", "currency"),
  f("Product_Active", "boolean"),
  f("Qty_in_Stock", "double"),
  f("Taxable", "boolean"),
  f("Description", "textarea"),
  ...systemFields(),
];

const ACTIVITY_LINKS = [
  f("What_Id", "lookup", { label: "Related To" }),
  f("Who_Id", "lookup", { label: "Contact Name" }),
  f("$se_module", "text", { read_only: true }),
];

export const CALL_FIELDS: FieldDef[] = [
  f("Subject", "text", { mandatory: true }),
  f("Call_Type", "picklist", { picklist: ["Outbound", "Inbound", "Missed"] }),
  f("Call_Start_Time", "datetime"),
  f("Call_Duration", "text"),
  f("Call_Duration_in_seconds", "integer"),
  f("Call_Result", "picklist", {
    picklist: ["-None-", "Interested", "Not interested", "No response", "Requested callback"],
  }),
  f("Description", "textarea"),
  ...ACTIVITY_LINKS,
  ...systemFields(),
];

export const TASK_FIELDS: FieldDef[] = [
  f("Subject", "text", { mandatory: true }),
  f("Due_Date", "date"),
  f("Status", "picklist", {
    picklist: ["Not Started", "Deferred", "In Progress", "Completed", "Waiting for input"],
  }),
  f("Priority", "picklist", { picklist: ["High", "Highest", "Low", "Lowest", "Normal"] }),
  f("Closed_Time", "datetime", { read_only: true }),
  f("Description", "textarea"),
  ...ACTIVITY_LINKS,
  ...systemFields(),
];

export const EVENT_FIELDS: FieldDef[] = [
  f("Event_Title", "text", { mandatory: true }),
  f("Start_DateTime", "datetime"),
  f("End_DateTime", "datetime"),
  f("Venue", "text"),
  f("All_day", "boolean"),
  f("Description", "textarea"),
  ...ACTIVITY_LINKS,
  ...systemFields(),
];

export const NOTE_FIELDS: FieldDef[] = [
  f("Note_Title", "text"),
  f("Note_Content", "textarea", { rich_text: true }),
  f("Parent_Id", "lookup", { read_only: true }),
  f("$se_module", "text", { read_only: true }),
  f("Owner", "ownerlookup", { lookup: "users" }),
  f("Created_By", "ownerlookup", { lookup: "users", read_only: true }),
  f("Modified_By", "ownerlookup", { lookup: "users", read_only: true }),
  f("Created_Time", "datetime", { read_only: true }),
  f("Modified_Time", "datetime", { read_only: true }),
];

export const INSTALLER_FIELDS: FieldDef[] = [
  f("Name", "text", { mandatory: true, custom: true }),
  f("Email", "email", { custom: true }),
  f("Region", "picklist", { custom: true, picklist: INSTALLER_REGIONS }),
  f("Certification_Level", "picklist", {
    custom: true,
    picklist: ["Level 1", "Level 2", "Master"],
  }),
  f("Active", "boolean", { custom: true }),
  ...systemFields(),
];

export const INSTALLER_DEAL_FIELDS: FieldDef[] = [
  f("Installer", "lookup", { lookup: "Installers", custom: true }),
  f("Deal", "lookup", { lookup: "Deals", custom: true }),
  f("Role", "picklist", { custom: true, picklist: ["Surveyor", "Lead Installer", "Assistant"] }),
  ...systemFields(),
];

/** Stage_History related-list fields (not a module of its own). */
export const STAGE_HISTORY_FIELDS: FieldDef[] = [
  STAGE_FIELD,
  f("Amount", "currency"),
  f("Probability", "integer"),
  f("Expected_Revenue", "currency"),
  f("Closing_Date", "date"),
  f("Duration_Days", "integer", { label: "Stage Duration (Calendar Days)" }),
  f("Moved_To__s", "picklist", { label: "Moved To", picklist: STAGE_FIELD.picklist }),
  f("Modified_Time", "datetime"),
  f("Modified_By", "ownerlookup", { lookup: "users" }),
];
