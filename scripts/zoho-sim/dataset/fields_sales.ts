/** Contacts, Accounts and Deals field registries. */
import { LEAD_SOURCES, LOSS_REASONS } from "./catalog.ts";
import { f, STAGE_FIELD, systemFields } from "./fields_common.ts";
import type { FieldDef } from "./types.ts";

const SOURCE = f("Lead_Source", "picklist", { picklist: ["-None-", ...LEAD_SOURCES] });

export const CONTACT_FIELDS: FieldDef[] = [
  f("First_Name", "text"),
  f("Last_Name", "text", { mandatory: true }),
  f("Full_Name", "text", { read_only: true }),
  f("Account_Name", "lookup", { lookup: "Accounts" }),
  f("Email", "email"),
  f("Phone", "phone"),
  f("Mobile", "phone"),
  SOURCE,
  f("Mailing_Street", "text"),
  f("Mailing_City", "text"),
  f("Mailing_State", "text"),
  f("Mailing_Zip", "text"),
  f("Email_Opt_Out", "boolean"),
  f("Date_of_Birth", "date"),
  f("Description", "textarea"),
  f("Last_Activity_Time", "datetime", { read_only: true }),
  ...systemFields(),
  f("Preferred_Channel", "picklist", {
    custom: true,
    picklist: ["-None-", "Phone", "Email", "SMS", "WhatsApp"],
  }),
];

export const ACCOUNT_FIELDS: FieldDef[] = [
  f("Account_Name", "text", { mandatory: true }),
  f("Account_Number", "autonumber", { prefix: "AC-", read_only: true }),
  f("Account_Type", "picklist", {
    picklist: ["-None-", "Homeowner", "Landlord", "Builder", "Partner"],
  }),
  f("Industry", "picklist", {
    picklist: ["-None-", "Residential", "Property Management", "Builder"],
  }),
  f("Phone", "phone"),
  f("Website", "website"),
  f("Billing_Street", "text"),
  f("Billing_City", "text"),
  f("Billing_State", "text"),
  f("Billing_Code", "text"),
  f("Annual_Revenue", "currency"),
  f("Employees", "integer"),
  f("Rating", "picklist", { picklist: ["-None-", "Active", "Inactive"] }),
  f("Description", "textarea"),
  f("Last_Activity_Time", "datetime", { read_only: true }),
  ...systemFields(),
  f("Lifetime_Value", "currency", { custom: true }),
  f("Service_Plan", "boolean", { custom: true }),
];

export const DEAL_FIELDS: FieldDef[] = [
  f("Deal_Name", "text", { mandatory: true }),
  f("Account_Name", "lookup", { lookup: "Accounts" }),
  f("Contact_Name", "lookup", { lookup: "Contacts" }),
  f("Amount", "currency"),
  STAGE_FIELD,
  f("Probability", "integer"),
  f("Expected_Revenue", "currency", { read_only: true }),
  f("Closing_Date", "date", { mandatory: true }),
  f("Type", "picklist", { picklist: ["-None-", "New Business", "Existing Business"] }),
  f("Next_Step", "text"),
  SOURCE,
  f("Campaign_Source", "lookup", { lookup: "Campaigns" }),
  f("Pipeline", "picklist", { picklist: ["Standard (Standard)"] }),
  f("Reason_For_Loss__s", "picklist", { picklist: ["-None-", ...LOSS_REASONS] }),
  f("Lead_Conversion_Time", "integer", { read_only: true }),
  f("Sales_Cycle_Duration", "integer", { read_only: true }),
  f("Overall_Sales_Duration", "integer", { read_only: true }),
  f("Description", "textarea", { rich_text: true }),
  f("Last_Activity_Time", "datetime", { read_only: true }),
  ...systemFields(),
  f("Installed_Devices", "subform", { custom: true, subform: "Installed_Devices" }),
  f("Install_Date", "date", { custom: true }),
  f("Weighted_Amount", "formula", {
    custom: true,
    read_only: true,
    formula: { return_type: "currency", expression: "${Deals.Amount}*${Deals.Probability}/100" },
  }),
];
