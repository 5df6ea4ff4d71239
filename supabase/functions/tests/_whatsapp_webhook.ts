/**
 * What the whatsapp-webhook in-process tests (whatsapp-webhook/*_test.ts) share: a scratch
 * database holding the demo company with one registered executive, Twilio-signed form posts,
 * the TwiML reply's messages, the app on the database (other settings and inbox parts
 * injectable).
 */
import twilio from "twilio";
import { createScratchDb, type ScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import type { InboxDeps } from "../_shared/inbox/handle.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import { createApp } from "../whatsapp-webhook/app.ts";
import { defaultInbox } from "../whatsapp-webhook/inbox.ts";

type Env = Record<string, string>;

export const TOKEN = "test-auth-token-0123456789";
export const URL_PUBLIC = "https://example.supabase.co/functions/v1/whatsapp-webhook";
export const EXEC = "+15550001111";
export const AS_OF = "2026-03-04";

let sid = 0;
export function form(body: string, from = EXEC, extra: Record<string, string> = {}) {
  sid++;
  return {
    MessageSid: `SM${String(sid).padStart(32, "0")}`,
    From: `whatsapp:${from}`,
    To: "whatsapp:+14155238886",
    Body: body,
    NumMedia: "0",
    ...extra,
  };
}

export function post(
  app: ReturnType<typeof createApp>,
  params: Record<string, string>,
  opts: { token?: string; url?: string; body?: string; signature?: string | null } = {},
) {
  const body = opts.body ?? new URLSearchParams(params).toString();
  const signature = opts.signature === undefined
    ? twilio.getExpectedTwilioSignature(opts.token ?? TOKEN, opts.url ?? URL_PUBLIC, params)
    : opts.signature;
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
  };
  if (signature !== null) headers["x-twilio-signature"] = signature;
  return app.request("/whatsapp-webhook", { method: "POST", headers, body });
}

/** The text of every <Message> of a TwiML reply. */
export function messages(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1]!.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
      .replaceAll("&apos;", "'").replaceAll("&amp;", "&")
  );
}

export function webhook(db: ScratchDb, extra: Partial<InboxDeps> = {}, env: Env = {}) {
  const settings = () => ({
    SUPABASE_DB_URL: db.url,
    TWILIO_AUTH_TOKEN: TOKEN,
    WHATSAPP_WEBHOOK_URL: URL_PUBLIC,
    ASK_AS_OF: AS_OF,
    ...env,
  });
  return createApp({
    env: settings,
    inbox: (sql) => ({ ...defaultInbox(sql, settings()), ...extra }),
  });
}

export async function rows(db: ScratchDb) {
  const [r] = await db.sql`select count(*)::int as n from whatsapp.conversation`;
  return r!.n as number;
}

/** Runs `body` on a fresh scratch database with the demo company and one executive (EXEC). */
export async function withWebhookDb(
  name: string,
  body: (db: ScratchDb, app: ReturnType<typeof createApp>) => Promise<void>,
): Promise<void> {
  const db = await createScratchDb(name);
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    await db.sql`select analytics.refresh_facts()`;
    await db.sql`insert into whatsapp.recipients (name, phone, opted_in)
      values ('Asha Hegde', ${EXEC}, true)`;
    await body(db, webhook(db));
  } finally {
    await closeAllSql();
    await db.drop();
  }
}
