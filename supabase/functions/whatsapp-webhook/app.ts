/**
 * The `whatsapp-webhook` function's HTTP app. Twilio posts every inbound WhatsApp message to
 * `POST /whatsapp-webhook` (form-encoded, `X-Twilio-Signature`, no JWT: verify_jwt is off).
 * In order: body over 64 KB → 413 before parsing; no signature → 403; malformed form → 400;
 * signature not Twilio's for WHATSAPP_WEBHOOK_URL with TWILIO_AUTH_TOKEN → 403 with nothing
 * stored; missing fields → 400; else the message is handled (_shared/inbox) and answered with
 * TwiML `<Response><Message>…</Message></Response>`.
 */
import { z } from "zod";
import { getSql } from "../_shared/db.ts";
import { DB_ENV, parseEnv } from "../_shared/env.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { handleInbound, type InboxDeps } from "../_shared/inbox/handle.ts";
import { defaultInbox } from "./inbox.ts";
import { signedUrl, twilioRequest, twiml } from "../_shared/whatsapp/twilio_request.ts";

/** The settings the webhook reads; names, never values, appear in errors. */
export const WEBHOOK_ENV = DB_ENV.extend({
  TWILIO_AUTH_TOKEN: z.string().min(8),
  WHATSAPP_WEBHOOK_URL: z.url(),
  ASK_AS_OF: z.iso.date().optional(),
});

/** Text Postgres can store: no NUL character. */
const storable = (max: number) =>
  z.string().max(max).refine((s) => !s.includes("\0"), "must not contain NUL characters");

/** The fields of Twilio's inbound message this function uses; Twilio adds others at will. */
export const InboundForm = z.looseObject({
  MessageSid: z.string().regex(/^[A-Z]{2}[0-9a-zA-Z]{1,64}$/, "expected a Twilio SID"),
  From: z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/, "expected whatsapp:+<E.164>"),
  Body: storable(4096).default(""),
  ProfileName: storable(256).optional(),
});

/** Dependencies: environment, and the parts of message handling other features provide. */
export interface WebhookDeps {
  env?: () => Record<string, string | undefined>;
  /** Builds what handling needs from the database pool (default: defaultInbox, inbox.ts). */
  inbox?: (sql: ReturnType<typeof getSql>) => Omit<InboxDeps, "sql" | "asOf">;
}

/** Builds the app; tests call `createApp().request(...)` in process. */
export function createApp(deps: WebhookDeps = {}) {
  const env = deps.env ?? (() => Deno.env.toObject());
  const app = createFunctionApp("whatsapp-webhook", { databaseUrl: () => env().SUPABASE_DB_URL });
  // Fail closed: without the token and public URL no request can be trusted.
  const cfg = () => parseEnv(WEBHOOK_ENV, env());
  app.post(
    "/",
    twilioRequest({
      authToken: () => cfg().TWILIO_AUTH_TOKEN,
      publicUrl: (requestUrl) => signedUrl(cfg().WHATSAPP_WEBHOOK_URL, requestUrl),
    }),
    async (c) => {
      const form = c.get("twilioForm");
      const { SUPABASE_DB_URL: dbUrl, ASK_AS_OF } = cfg();
      const input = InboundForm.parse(form);
      const sql = getSql(dbUrl);
      const inbox = deps.inbox ? deps.inbox(sql) : defaultInbox(sql, env());
      const result = await handleInbound({ ...inbox, sql, asOf: ASK_AS_OF }, {
        sid: input.MessageSid,
        phone: input.From.slice("whatsapp:".length),
        body: input.Body,
        profileName: input.ProfileName,
      });
      return c.body(twiml(result.replies), 200, { "content-type": "text/xml; charset=utf-8" });
    },
  );
  return app;
}
