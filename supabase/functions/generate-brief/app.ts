/**
 * The `generate-brief` function's HTTP app (service_role except the Twilio status callback):
 * - `POST /generate-brief {snapshot_id?, run_id?, send?, regenerate?}` writes and stores the brief
 *   of a snapshot (default the latest; an existing brief of it is answered unless `regenerate`)
 *   and, with `send`, sends its pulse;
 * - `POST /generate-brief/send {brief_id?, run_id?}` sends a stored brief's pulse (exactly once
 *   per recipient);
 * - with the run_id of a pipeline run (pg_net's calls) the first two are its brief and pulse
 *   stages and report to it (_shared/pipeline/report.ts);
 * - `POST /generate-brief/check {snapshot_id, text, facts?}` checks any text against a snapshot;
 * - `POST /generate-brief/status` takes Twilio's signed status callbacks.
 */
import { z } from "zod";
import { requireServiceRole } from "../_shared/http/auth.ts";
import { checkText } from "../_shared/brief/check.ts";
import { factNames } from "../_shared/brief/facts.ts";
import { writeBrief } from "../_shared/brief/generate.ts";
import { BRIEF_ENV, ollamaWriter } from "../_shared/brief/ollama.ts";
import { composePulse } from "../_shared/brief/pulse.ts";
import { sendPulse } from "../_shared/whatsapp/send_pulse.ts";
import * as store from "../_shared/brief/store.ts";
import { getSql } from "../_shared/db.ts";
import { briefOutcome, pulseOutcome } from "../_shared/pipeline/outcomes.ts";
import { asStage } from "../_shared/pipeline/report.ts";
import { DB_ENV, parseEnv } from "../_shared/env.ts";
import { createFunctionApp, HttpError, readJsonBody } from "../_shared/http/app.ts";
import { applyStatus } from "../_shared/whatsapp/status.ts";
import { twilioRequest } from "../_shared/whatsapp/twilio_request.ts";
import { TWILIO_ENV, twilioSender } from "../_shared/whatsapp/twilio.ts";

/** `POST /generate-brief` body. */
export const GenerateInput = z.object({
  snapshot_id: z.uuid().optional(),
  run_id: z.uuid().optional(),
  send: z.boolean().optional(),
  regenerate: z.boolean().optional(),
}).strict();

/** `POST /generate-brief/send` body. */
export const SendInput = z.object({
  brief_id: z.uuid().optional(),
  run_id: z.uuid().optional(),
}).strict();

/** `POST /generate-brief/check` body. */
export const CheckInput = z.object({
  snapshot_id: z.uuid(),
  text: z.string().min(1).max(10_000),
  facts: z.array(z.string()).max(200).optional(),
}).strict();

/** Dependencies; tests pass their own environment and fetch (for the model). */
export interface GenerateBriefDeps {
  env?: () => Record<string, string | undefined>;
  fetch?: typeof fetch;
}

/** Builds the app; tests call `createApp().request(...)` in process. */
export function createApp(deps: GenerateBriefDeps = {}) {
  const env = deps.env ?? (() => Deno.env.toObject());
  const app = createFunctionApp("generate-brief", { databaseUrl: () => env().SUPABASE_DB_URL });
  const sqlOf = () => getSql(parseEnv(DB_ENV, env()).SUPABASE_DB_URL);
  const admin = requireServiceRole(env);

  const deliver = async (brief: store.StoredBrief) => {
    const twilio = parseEnv(TWILIO_ENV, env());
    return await sendPulse(sqlOf(), brief, {
      send: twilioSender(twilio),
      contentSid: twilio.TWILIO_PULSE_CONTENT_SID,
    });
  };

  app.post("/", admin, async (c) => {
    const input = await readJsonBody(c, GenerateInput);
    const sql = sqlOf();
    const settings = parseEnv(BRIEF_ENV, env());
    if (input.send) parseEnv(TWILIO_ENV, env()); // misconfigured: say so before any work
    // As the pipeline's brief stage (run_id of a run), the stored brief and the stage's report
    // commit together, and the report queues the pulse stage.
    const answer = await asStage({ sql, runId: input.run_id, stage: "brief" }, async (stage) => {
      const snapshotId = input.snapshot_id ?? await store.latestSnapshotId(sql);
      if (!snapshotId) {
        throw new HttpError(404, "not_found", "No snapshot yet: run compute-metrics");
      }
      const previous = await store.latestBriefOf(sql, { snapshotId, runId: input.run_id });
      let brief = input.regenerate ? null : previous;
      let reused = !!brief;
      if (!brief) {
        const payload = await store.loadPayload(sql, snapshotId);
        if (!payload) {
          throw new HttpError(404, "not_found", `snapshot_id: no snapshot ${snapshotId}`);
        }
        const written = await writeBrief(payload, {
          model: settings.model,
          writer: settings.model === "rules" ? undefined : ollamaWriter(settings, deps.fetch),
          maxAttempts: settings.maxAttempts,
        });
        const saved = await sql.begin(async (tx) => {
          const saved = await store.insertBrief(tx, {
            snapshotId,
            runId: input.run_id,
            replaces: input.regenerate ? previous?.id : undefined,
            written,
            pulse: composePulse(written.draft, payload.as_of, payload.facts.flatMap(factNames)),
          });
          await stage.report(tx, briefOutcome(saved.brief));
          return saved;
        });
        brief = saved.brief;
        reused = !saved.stored;
      } else await stage.report(sql, briefOutcome(brief));
      const delivery = input.send ? await deliver(brief) : undefined;
      return { ...brief, reused, ...(delivery ? { delivery } : {}) };
    });
    return c.json(answer, 200);
  });

  app.post("/send", admin, async (c) => {
    const input = await readJsonBody(c, SendInput);
    const sql = sqlOf();
    // As the pipeline's pulse stage: the outbox sends each (brief, recipient) once, so a retry
    // after a failed attempt sends only what is still pending.
    const delivery = await asStage({ sql, runId: input.run_id, stage: "pulse" }, async (stage) => {
      const brief = input.brief_id
        ? await store.briefById(sql, input.brief_id)
        : await store.latestBriefOf(sql, { runId: input.run_id });
      if (!brief) {
        const what = input.brief_id
          ? `brief_id: no brief ${input.brief_id}`
          : input.run_id
          ? `run_id: no brief for run ${input.run_id}`
          : "No brief yet: call POST /generate-brief first";
        throw new HttpError(404, "not_found", what);
      }
      const delivery = await deliver(brief);
      await stage.report(sql, pulseOutcome(delivery));
      return delivery;
    });
    return c.json(delivery, 200);
  });

  app.post("/check", admin, async (c) => {
    const input = await readJsonBody(c, CheckInput);
    const payload = await store.loadPayload(sqlOf(), input.snapshot_id);
    if (!payload) {
      throw new HttpError(404, "not_found", `snapshot_id: no snapshot ${input.snapshot_id}`);
    }
    return c.json({
      snapshot_id: input.snapshot_id,
      ...checkText(input.text, payload, input.facts),
    });
  });

  // Twilio's delivery callbacks, read and verified as the webhook's messages are.
  app.post(
    "/status",
    twilioRequest({
      authToken: () => parseEnv(TWILIO_ENV, env()).TWILIO_AUTH_TOKEN,
      publicUrl: (requestUrl) =>
        parseEnv(TWILIO_ENV, env()).TWILIO_STATUS_CALLBACK_URL ?? requestUrl,
    }),
    async (c) => c.json({ updated: await applyStatus(sqlOf(), c.get("twilioForm")) }),
  );

  return app;
}
