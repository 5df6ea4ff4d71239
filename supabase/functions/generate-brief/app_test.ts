// The generate-brief app in process (app.request) on a scratch database: auth, bad input, the
// check of an unknown snapshot (404), and Twilio's status callback through the shared Twilio
// middleware (403 invalid_signature when missing or wrong; a signed callback moves the outbox
// row's delivery state). Briefs on the demo company: tests/generate_brief_test.ts.
import assert from "node:assert/strict";
import twilio from "twilio";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp } from "./app.ts";

const KEY = "test-service-key-for-generate-brief-0123";
const TOKEN = "twilio-auth-token-0123456789";
const CALLBACK = "https://ref.supabase.co/functions/v1/generate-brief/status";

Deno.test("generate-brief app", async (t) => {
  const db = await createScratchDb("brief_app");
  const app = createApp({
    env: () => ({
      SUPABASE_DB_URL: db.url,
      SUPABASE_SERVICE_ROLE_KEY: KEY,
      TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_WHATSAPP_FROM: "whatsapp:+15550009999",
      TWILIO_STATUS_CALLBACK_URL: CALLBACK,
    }),
  });
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await app.request(`/generate-brief${path}`, { method: "POST", headers, body });
    return { status: res.status, body: await res.json() };
  };
  const admin = { authorization: `Bearer ${KEY}` };
  try {
    await t.step("the service role key only", async () => {
      assert.equal((await post("/check", "{}", { authorization: "Bearer wrong" })).status, 403);
    });

    await t.step("bad input is a 400 naming the field; an unknown snapshot a 404", async () => {
      const bad = await post("", JSON.stringify({ send: "yes", extra: 1 }), admin);
      assert.deepEqual([bad.status, bad.body.error.code], [400, "invalid_request"]);
      assert.match(bad.body.error.message, /send.*extra/s);
      const check = await post(
        "/check",
        JSON.stringify({ snapshot_id: crypto.randomUUID(), text: "Revenue is $1" }),
        admin,
      );
      assert.deepEqual([check.status, check.body.error.code], [404, "not_found"]);
    });

    const form = { MessageSid: "SM00000000000000000000000000000001", MessageStatus: "delivered" };
    const body = new URLSearchParams(form).toString();
    const formType = { "content-type": "application/x-www-form-urlencoded" };

    await t.step("status callbacks need Twilio's signature: 403 invalid_signature", async () => {
      const missing = await post("/status", body, formType);
      assert.deepEqual([missing.status, missing.body.error.code], [403, "invalid_signature"]);
      const wrong = twilio.getExpectedTwilioSignature("another-token-0123456", CALLBACK, form);
      const forged = await post("/status", body, { ...formType, "x-twilio-signature": wrong });
      assert.deepEqual([forged.status, forged.body.error.code], [403, "invalid_signature"]);
    });

    await t.step("a signed callback moves the message's delivery state forward", async () => {
      const [r] = await db.sql`insert into whatsapp.recipients (name, phone, opted_in)
        values ('Asha Hegde', '+15550001111', true) returning id`;
      await db.sql`insert into whatsapp.outbox (kind, ref_id, recipient_id, body, status,
          twilio_sid, delivery_status)
        values ('pulse', ${crypto.randomUUID()}, ${r!.id}, 'hello', 'sent', ${form.MessageSid},
          'sent')`;
      const sig = twilio.getExpectedTwilioSignature(TOKEN, CALLBACK, form);
      const res = await post("/status", body, { ...formType, "x-twilio-signature": sig });
      assert.deepEqual([res.status, res.body], [200, { updated: true }]);
      const [row] = await db.sql`select delivery_status from whatsapp.outbox
        where twilio_sid = ${form.MessageSid}`;
      assert.equal(row!.delivery_status, "delivered");
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
