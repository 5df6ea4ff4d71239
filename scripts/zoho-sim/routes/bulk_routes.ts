/**
 * Bulk Read API v7: create a job, poll it, download the zipped CSV (200,000 records per page,
 * 10 downloads a minute). Notes and Attachments are refused (bulk-read limitations page).
 */
import { Hono } from "hono";
import { z } from "zod";
import { userRef } from "../dataset/context.ts";
import { recordId } from "../dataset/ids.ts";
import { JOB_CODE, MODULE_ID_CODE, moduleByName } from "../dataset/modules.ts";
import { formatDateTime } from "../dataset/time_format.ts";
import type { Op, Predicate } from "../query/predicate.ts";
import { invalidData, ZohoError } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import { moduleReadScopes } from "../sim/scopes.ts";
import type { SimState } from "../sim/state.ts";
import type { BulkJob } from "../sim/bulk_jobs.ts";
import { completeJob, jobView } from "../sim/bulk_export.ts";
import type { SimEnv } from "./env.ts";
import { requireScope } from "./guards.ts";

type Criteria = {
  api_name?: string;
  comparator?: string;
  value?: unknown;
  group_operator?: string;
  group?: Criteria[];
};
const CriteriaSchema: z.ZodType<Criteria> = z.lazy(() =>
  z.object({
    api_name: z.string().optional(),
    comparator: z.string().optional(),
    value: z.unknown().optional(),
    group_operator: z.string().optional(),
    group: z.array(CriteriaSchema).optional(),
  })
);

const JobSchema = z.object({
  callback: z.object({ url: z.string().url(), method: z.string().default("post") }).optional(),
  query: z.object({
    module: z.object({ api_name: z.string() }),
    fields: z.array(z.string()).optional(),
    criteria: CriteriaSchema.optional(),
    page: z.number().int().positive().default(1),
  }),
  file_type: z.enum(["csv", "ics"]).default("csv"),
});

const COMPARATORS: Record<string, Op> = {
  equal: "=",
  not_equal: "!=",
  in: "in",
  not_in: "not in",
  greater_than: ">",
  greater_equal: ">=",
  less_than: "<",
  less_equal: "<=",
  between: "between",
  not_between: "not between",
  contains: "like",
  starts_with: "like",
  ends_with: "like",
};

function toPredicate(c: Criteria): Predicate {
  if (c.group) {
    return {
      kind: c.group_operator?.toLowerCase() === "or" ? "or" : "and",
      parts: c.group.map(toPredicate),
    };
  }
  const op = COMPARATORS[c.comparator ?? ""];
  if (!c.api_name || !op) {
    throw new ZohoError(400, "INVALID_CRITERIA", "invalid criteria", { criteria: c });
  }
  let values = Array.isArray(c.value) ? c.value : [c.value];
  if (c.comparator === "contains") values = [`%${c.value}%`];
  if (c.comparator === "starts_with") values = [`${c.value}%`];
  if (c.comparator === "ends_with") values = [`%${c.value}`];
  return {
    kind: "cond",
    field: c.api_name,
    op,
    values: values as (string | number | boolean | null)[],
  };
}

/** The bulk read API: create a job, poll it, download its result. */
export function bulkRoutes(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.post("/read", async (c) => {
    requireScope(state, c, ["ZohoCRM.bulk.READ"]);
    if (!(c.req.header("content-type") ?? "").includes("application/json")) {
      throw new ZohoError(415, "MEDIA_TYPE_NOT_SUPPORTED", "the content type is not supported");
    }
    const parsed = JobSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      throw invalidData("invalid data", {
        issues: parsed.error.issues.map((i) => i.path.join(".")),
      });
    }
    const input = parsed.data;
    const mod = moduleByName(input.query.module.api_name);
    if (!mod || !mod.api_supported) {
      throw new ZohoError(400, "INVALID_MODULE", "the module name given seems to be invalid");
    }
    if (mod.bulkUnsupported || !mod.fields) {
      throw new ZohoError(
        400,
        "MODULE_NOT_SUPPORTED",
        "the module is not supported for bulk read",
        { api_name: mod.api_name },
      );
    }
    requireScope(state, c, moduleReadScopes(mod.api_name, mod.generated_type === "custom"));
    const now = state.clock.now();
    const job: BulkJob = {
      id: recordId(JOB_CODE, state.bulk.nextSeq()),
      dc: c.env.dc,
      user: c.get("grant").refreshToken,
      module: mod.api_name,
      fields: input.query.fields && input.query.fields.length > 0 ? input.query.fields : null,
      criteria: input.query.criteria ? toPredicate(input.query.criteria) : null,
      page: input.query.page,
      state: "ADDED",
      createdAt: now,
      query: {
        module: { id: recordId(MODULE_ID_CODE, mod.code), api_name: mod.api_name },
        page: input.query.page,
        ...(input.query.fields ? { fields: input.query.fields } : {}),
        ...(input.query.criteria ? { criteria: input.query.criteria } : {}),
      },
      callback: input.callback ? { url: input.callback.url, method: input.callback.method } : null,
      result: null,
    };
    state.bulk.jobs.set(job.id, job);
    const delay = state.options.limits.bulkCompleteAfterMs;
    if (delay > 0) {
      const timer = setTimeout(() => {
        state.bulk.timers.delete(timer);
        completeJob(state, job);
      }, delay);
      state.bulk.timers.add(timer);
    }
    return jsonResponse({
      data: [{
        status: "success",
        code: "ADDED_SUCCESSFULLY",
        message: "Added successfully.",
        details: {
          id: job.id,
          operation: "read",
          state: "ADDED",
          created_by: { id: userRef(1).id, name: userRef(1).name },
          created_time: formatDateTime(now, state.options.orgTimezoneOffset),
        },
      }],
      info: {},
    }, 201);
  });
  app.get("/read/:id", (c) => {
    requireScope(state, c, ["ZohoCRM.bulk.READ"]);
    const job = state.bulk.jobs.get(c.req.param("id"));
    if (!job || job.dc !== c.env.dc) {
      throw new ZohoError(400, "RESOURCE_NOT_FOUND", "the requested resource is not found");
    }
    if (job.state === "ADDED") {
      if (state.options.limits.bulkCompleteAfterMs === 0) completeJob(state, job);
      else job.state = "IN PROGRESS";
    }
    return jsonResponse({ data: [jobView(state, job)] });
  });
  app.get("/read/:id/result", (c) => {
    requireScope(state, c, ["ZohoCRM.bulk.READ"]);
    const job = state.bulk.jobs.get(c.req.param("id"));
    if (!job || job.dc !== c.env.dc || !job.result) {
      throw new ZohoError(400, "RESOURCE_NOT_FOUND", "the requested resource is not found");
    }
    const now = state.clock.now();
    const recent = state.bulk.downloads.filter((t) => t > now - 60);
    if (recent.length >= state.options.limits.bulkDownloadsPerMinute) {
      throw new ZohoError(429, "TOO_MANY_REQUESTS", "download limit of 10 per minute exceeded");
    }
    state.bulk.downloads.splice(0, state.bulk.downloads.length, ...recent, now);
    return new Response(job.result.zip.slice(), {
      headers: {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename=${job.id}.zip`,
      },
    });
  });
  return app;
}
