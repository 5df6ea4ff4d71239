/** Parsing and validation of Get Records parameters, with Zoho's error codes. */
import type { FieldDef } from "../dataset/types.ts";
import { parseDateTime } from "../dataset/time_format.ts";
import type { Behaviour } from "../sim/config.ts";
import { invalidData, requiredParamMissing, ZohoError } from "../sim/errors.ts";
import type { SortBy } from "../store/ordering.ts";

export const MAX_FIELDS = 50;
export const MAX_PER_PAGE = 200;
export const DISCRETE_LIMIT = 2000;
export const PAGE_TOKEN_LIMIT = 100000;
/** Most ids one Get Records call takes in `ids` (unverified; the doc gives no number). */
export const MAX_IDS = 100;

export interface ListParams {
  fields: string[];
  perPage: number;
  page: number | null;
  pageToken: string | null;
  sortBy: SortBy;
  desc: boolean;
  converted: "true" | "false" | "both";
  approved: "true" | "false" | "both";
  ims: number | null;
  /** Record ids asked for with `ids`, or null for every record. */
  ids: string[] | null;
  /** Canonical parameters a page token is bound to. */
  bound: Record<string, string>;
}

function tri(value: string | undefined, name: string, fallback: "true" | "false") {
  const v = value ?? fallback;
  if (v !== "true" && v !== "false" && v !== "both") {
    throw invalidData("invalid data", {
      param_name: name,
      supported_values: ["true", "false", "both"],
    });
  }
  return v;
}

/** Validates the fields list against the module's fields. */
export function parseFields(
  raw: string | undefined,
  defs: readonly FieldDef[],
  behaviour: Behaviour,
): string[] {
  if (raw === undefined || raw.trim() === "") throw requiredParamMissing("fields");
  const names = raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length > MAX_FIELDS) {
    throw new ZohoError(400, "LIMIT_EXCEEDED", "Fields limit exceeded", {
      limit: MAX_FIELDS,
      param_name: "fields",
    });
  }
  if (behaviour.unknownFields === "error") {
    const known = new Set(defs.map((f) => f.api_name));
    // Record-level `$` keys may be named too (get-records v7: "$approval_state in the fields param").
    const unknown = names.find((n) => n !== "id" && !n.startsWith("$") && !known.has(n));
    if (unknown) throw invalidData("invalid field", { api_name: unknown, param_name: "fields" });
  }
  return names;
}

/** Parses and checks all list parameters. */
export function parseListParams(
  q: Record<string, string>,
  imsHeader: string | undefined,
  defs: readonly FieldDef[],
  behaviour: Behaviour,
): ListParams {
  const ids = parseIds(q.ids);
  // `fields` is "mandatory when fetching all records" (get-records v7); with ids, all fields.
  const fields = ids !== null && q.fields === undefined
    ? defs.map((f) => f.api_name)
    : parseFields(q.fields, defs, behaviour);
  const sortBy = (q.sort_by ?? "id") as SortBy;
  if (!["id", "Created_Time", "Modified_Time"].includes(sortBy)) {
    throw invalidData("invalid data", {
      param_name: "sort_by",
      supported_values: ["id", "Created_Time", "Modified_Time"],
    });
  }
  const order = q.sort_order ?? "desc";
  if (order !== "asc" && order !== "desc") {
    throw invalidData("invalid data", {
      param_name: "sort_order",
      supported_values: ["asc", "desc"],
    });
  }
  let perPage = q.per_page === undefined ? MAX_PER_PAGE : Number(q.per_page);
  if (!Number.isInteger(perPage) || perPage < 1) {
    throw invalidData("invalid data", { param_name: "per_page" });
  }
  if (perPage > MAX_PER_PAGE) {
    if (behaviour.perPageOverflow === "error") {
      throw invalidData("invalid data", { param_name: "per_page", maximum_length: MAX_PER_PAGE });
    }
    perPage = MAX_PER_PAGE;
  }
  const pageToken = q.page_token ?? null;
  if (pageToken !== null && q.page !== undefined) {
    throw new ZohoError(
      400,
      "AMBIGUITY_DURING_PROCESSING",
      "page and page_token cannot be given together",
      {
        ambiguity_due_to: ["page", "page_token"],
      },
    );
  }
  if (q.cvid !== undefined && q.sort_by !== undefined) {
    throw new ZohoError(
      400,
      "AMBIGUITY_DURING_PROCESSING",
      "cvid and sort_by cannot be given together",
      {
        ambiguity_due_to: ["cvid", "sort_by"],
      },
    );
  }
  let page: number | null = null;
  if (q.page !== undefined) {
    page = Number(q.page);
    if (!Number.isInteger(page) || page < 1) {
      throw invalidData("invalid data", { param_name: "page" });
    }
    if ((page - 1) * perPage >= DISCRETE_LIMIT) {
      throw new ZohoError(
        400,
        "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "You can only get the first 2000 records without using page_token param",
        { limit: DISCRETE_LIMIT },
      );
    }
  }
  let ims: number | null = null;
  if (imsHeader !== undefined) {
    ims = parseDateTime(imsHeader.trim());
    if (ims === null) throw invalidData("invalid data", { header_name: "If-Modified-Since" });
  }
  const converted = tri(q.converted, "converted", "false");
  const approved = tri(q.approved, "approved", "true");
  const bound = {
    fields: fields.join(","),
    sort_by: sortBy,
    sort_order: order,
    per_page: String(perPage),
    converted,
    approved,
    if_modified_since: ims === null ? "" : String(ims),
    cvid: q.cvid ?? "",
    ids: ids?.join(",") ?? "",
  };
  return {
    fields,
    perPage,
    page,
    pageToken,
    sortBy,
    desc: order === "desc",
    converted,
    approved,
    ims,
    ids,
    bound,
  };
}

/** `ids`: comma-separated record ids (19-digit numbers), at most MAX_IDS. */
function parseIds(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const ids = [...new Set(raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0))];
  if (ids.length === 0) throw invalidData("invalid data", { param_name: "ids" });
  const bad = ids.find((id) => !/^\d+$/.test(id));
  if (bad !== undefined) throw invalidData("the id given seems to be invalid", { id: bad });
  if (ids.length > MAX_IDS) {
    throw new ZohoError(400, "LIMIT_EXCEEDED", "ids limit exceeded", {
      limit: MAX_IDS,
      param_name: "ids",
    });
  }
  return ids;
}
