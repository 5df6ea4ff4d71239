/** Admin HTTP API under /__sim: the same controls as the library handle, for other processes. */
import { Hono } from "hono";
import { z } from "zod";
import { createControls } from "../controls.ts";
import { DATA_CENTRES, type DataCentre } from "../sim/config.ts";
import { FaultRuleSchema } from "../sim/faults.ts";
import { ZohoError } from "../sim/errors.ts";
import { jsonResponse } from "../sim/json.ts";
import type { SimState } from "../sim/state.ts";

const FieldSchema = z.object({
  api_name: z.string().min(1),
  data_type: z.enum([
    "text",
    "textarea",
    "email",
    "phone",
    "picklist",
    "date",
    "datetime",
    "integer",
    "double",
    "currency",
    "boolean",
  ]),
  label: z.string().optional(),
  picklist: z.array(z.string()).optional(),
  /** Value every existing record reads (default null). */
  default: z.unknown().optional(),
});

async function body(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  return text ? JSON.parse(text) : {};
}

export function adminRoutes(state: SimState): Hono {
  const controls = createControls(state);
  const app = new Hono().basePath("/__sim");
  app.onError((err) => {
    if (err instanceof ZohoError) {
      return jsonResponse({ error: { code: err.code, message: err.message } }, err.status);
    }
    const status =
      err instanceof z.ZodError || err instanceof SyntaxError || err instanceof RangeError
        ? 400
        : 500;
    return jsonResponse({
      error: { code: status === 400 ? "BAD_REQUEST" : "INTERNAL", message: err.message },
    }, status);
  });
  app.get("/health", () => jsonResponse({ status: "ok", now: controls.clock.now() }));
  app.get("/clock", () => jsonResponse({ now: controls.clock.now() }));
  app.post("/clock/advance", async (c) => {
    const { seconds } = z.object({ seconds: z.number() }).parse(await body(c.req.raw));
    return jsonResponse({ now: controls.clock.advance(seconds) });
  });
  app.post("/clock/set", async (c) => {
    const { time } = z.object({ time: z.union([z.number(), z.string()]) }).parse(
      await body(c.req.raw),
    );
    return jsonResponse({ now: controls.clock.set(time) });
  });
  app.get(
    "/credentials",
    () =>
      jsonResponse(
        Object.fromEntries(DATA_CENTRES.map((dc) => [dc, controls.tokens.credentials(dc)])),
      ),
  );
  app.get("/records/:module/:id", (c) => {
    const rec = controls.records.get(c.req.param("module"), c.req.param("id"));
    return rec
      ? jsonResponse({ data: rec })
      : jsonResponse({ error: { code: "NOT_FOUND", message: "no such record" } }, 404);
  });
  app.post(
    "/records/:module",
    async (c) =>
      jsonResponse(
        { data: controls.records.create(c.req.param("module"), await body(c.req.raw)) },
        201,
      ),
  );
  app.patch("/records/:module/:id", async (c) => {
    const bump = c.req.query("bump") !== "false";
    return jsonResponse({
      data: controls.records.update(
        c.req.param("module"),
        c.req.param("id"),
        await body(c.req.raw),
        { bump },
      ),
    });
  });
  app.delete("/records/:module/:id", (c) => {
    controls.records.delete(c.req.param("module"), c.req.param("id"), {
      permanent: c.req.query("permanent") === "true",
    });
    return jsonResponse({ status: "deleted" });
  });
  app.post(
    "/records/:module/:id/restore",
    (c) =>
      jsonResponse({ data: controls.records.restore(c.req.param("module"), c.req.param("id")) }),
  );
  app.post(
    "/records/Leads/:id/convert",
    (c) => jsonResponse({ data: controls.records.convert(c.req.param("id")) }),
  );
  app.post("/fields/:module", async (c) => {
    const f = FieldSchema.parse(await body(c.req.raw));
    controls.fields.add(c.req.param("module"), {
      api_name: f.api_name,
      data_type: f.data_type,
      label: f.label,
      picklist: f.picklist,
    }, f.default === undefined ? undefined : () => f.default);
    return jsonResponse({ status: "added" }, 201);
  });
  app.get("/faults", () => jsonResponse({ faults: controls.faults.list() }));
  app.post(
    "/faults",
    async (c) =>
      jsonResponse({ id: controls.faults.add(FaultRuleSchema.parse(await body(c.req.raw))) }, 201),
  );
  app.delete("/faults", () => (controls.faults.clear(), jsonResponse({ status: "cleared" })));
  app.delete(
    "/faults/:id",
    (c) => jsonResponse({ removed: controls.faults.remove(Number(c.req.param("id"))) }),
  );
  app.get("/requests", () => jsonResponse({ requests: controls.log.entries() }));
  app.delete("/requests", () => (controls.log.clear(), jsonResponse({ status: "cleared" })));
  app.get(
    "/credits",
    () =>
      jsonResponse({
        limit: controls.ledger.limit(),
        used: controls.ledger.used(),
        remaining: controls.ledger.remaining(),
        entries: controls.ledger.entries(),
      }),
  );
  app.delete("/credits", () => (controls.ledger.reset(), jsonResponse({ status: "reset" })));
  app.post("/tokens/expire", () => jsonResponse({ expired: controls.tokens.expireAll() }));
  app.post(
    "/page-tokens/expire",
    () => jsonResponse({ expired: controls.tokens.expirePageTokens() }),
  );
  app.post("/tokens/revoke", async (c) => {
    const { token } = z.object({ token: z.string() }).parse(await body(c.req.raw));
    return jsonResponse({ revoked: controls.tokens.revoke(token) });
  });
  app.post("/tokens/refresh-token", async (c) => {
    const { dc, scope } = z.object({ dc: z.enum(DATA_CENTRES).default("us"), scope: z.string() })
      .parse(await body(c.req.raw));
    return jsonResponse({
      refresh_token: controls.tokens.issueRefreshToken({ dc: dc as DataCentre, scope }),
    }, 201);
  });
  app.post(
    "/bulk/:id/complete",
    (c) => (controls.bulk.complete(c.req.param("id")), jsonResponse({ status: "completed" })),
  );
  app.post(
    "/bulk/:id/fail",
    (c) => (controls.bulk.fail(c.req.param("id")), jsonResponse({ status: "failed" })),
  );
  app.patch("/behaviour", async (c) => {
    Object.assign(controls.behaviour, await body(c.req.raw));
    return jsonResponse({ behaviour: controls.behaviour });
  });
  return app;
}
