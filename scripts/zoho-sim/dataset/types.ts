/** Shared dataset types: field definitions (metadata as data) and generated records. */

/** Zoho field data types used by the demo company. */
export type DataType =
  | "text"
  | "textarea"
  | "email"
  | "phone"
  | "website"
  | "picklist"
  | "multiselectpicklist"
  | "date"
  | "datetime"
  | "integer"
  | "bigint"
  | "double"
  | "currency"
  | "percent"
  | "boolean"
  | "lookup"
  | "ownerlookup"
  | "autonumber"
  | "formula"
  | "subform";

/** A picklist option; Stage options carry probability and categories. */
export interface PicklistOption {
  value: string;
  probability?: number;
  forecast_category?: "Pipeline" | "Closed" | "Omitted";
  deal_category?: "Open" | "Closed Won" | "Closed Lost";
}

/** One field of a module, as our registry describes it. */
export interface FieldDef {
  api_name: string;
  data_type: DataType;
  label?: string;
  custom?: boolean;
  read_only?: boolean;
  mandatory?: boolean;
  length?: number;
  picklist?: readonly (string | PicklistOption)[];
  /** Target module of a lookup. */
  lookup?: string;
  formula?: { return_type: "integer" | "double" | "currency" | "text"; expression: string };
  subform?: string;
  rich_text?: boolean;
  prefix?: string;
}

/** A record as the API returns it in full (single-record GET). Values are JSON-ready. */
export type ZohoRecord = Record<string, unknown> & { id: string };

/** Creation and last-modification times of a record, epoch seconds. */
export interface RecordTimes {
  created: number;
  modified: number;
}

/** How a base record was deleted before the simulation started. */
export interface BaseDeletion {
  deletedAt: number;
  byUser: number;
}
