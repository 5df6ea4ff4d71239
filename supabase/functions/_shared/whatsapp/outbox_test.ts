/**
 * The pulse outbox on a scratch database, sending through the real twilio package to the Twilio
 * sink: exactly once per (brief, recipient), crash points between claim, send and mark, and
 * Twilio's errors (21211, 429, 5xx, 63016).
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { createScratchDb } from "../../../../scripts/local/scratch_db.ts";
import { startTwilioSink } from "../../../../scripts/twilio-sink/server.ts";
import { PULSE_TEMPLATE } from "../brief/pulse.ts";
import { sendPulse } from "./send_pulse.ts";
import { enqueue } from "./outbox.ts";
import { applyStatus } from "./status.ts";
import { type Sender, TWILIO_ENV, twilioSender } from "./twilio.ts";

const CONTENT_SID = `HX${"70c1".padStart(32, "0")}`;
const VARS = { "1": "2026-03-04", "2": "Gap text", "3": "Action text", "4": "Key text" };
const PULSE = PULSE_TEMPLATE.replace("{{1}}", VARS["1"]).replace("{{2}}", VARS["2"])
  .replace("{{3}}", VARS["3"]).replace("{{4}}", VARS["4"]);

Deno.test("the pulse outbox", async (t) => {
  const db = await createScratchDb("outbox");
  const sink = startTwilioSink({ templates: { [CONTENT_SID]: PULSE_TEMPLATE } });
  const config = TWILIO_ENV.parse({
    TWILIO_ACCOUNT_SID: sink.credentials.accountSid,
    TWILIO_AUTH_TOKEN: sink.credentials.authToken,
    TWILIO_WHATSAPP_FROM: sink.credentials.whatsappFrom,
    TWILIO_API_URL: sink.url,
  });
  const send = twilioSender(config);
  const sql = db.sql;
  const sentTo = (phone: string) => sink.messages.filter((m) => m.to === `whatsapp:${phone}`);
  const brief = () => ({ id: crypto.randomUUID(), pulse: PULSE, pulse_variables: VARS });
  const pulse = (b: ReturnType<typeof brief>, sender: Sender = send, extra = {}) =>
    sendPulse(sql, b, { send: sender, contentSid: CONTENT_SID, ...extra });
  const reset = async (rows: { phone: string; opted_in?: boolean; inbound?: boolean }[]) => {
    await sql`truncate whatsapp.outbox, whatsapp.recipients`;
    sink.messages.length = 0;
    for (const r of rows) {
      await sql`insert into whatsapp.recipients (name, phone, opted_in, last_inbound_at)
        values (${r.phone}, ${r.phone}, ${r.opted_in ?? true}, ${r.inbound ? new Date() : null})`;
      if (r.inbound) {
        await fetch(`${sink.url}/__sink/inbound`, {
          method: "POST",
          body: JSON.stringify({ from: r.phone }),
        }).then((res) => res.body?.cancel());
      }
    }
  };
  const statuses = (s: postgres.Sql) =>
    s<{ phone: string; status: string; mode: string | null; error_code: number | null }[]>`
      select r.phone, o.status, o.mode, o.error_code from whatsapp.outbox o
      join whatsapp.recipients r on r.id = o.recipient_id order by r.phone`;

  try {
    await t.step("no opted-in recipient: nothing sent, and the delivery says so", async () => {
      await reset([{ phone: "+15555550109", opted_in: false }]);
      const d = await pulse(brief());
      assert.deepEqual({ ...d, brief_id: "" }, {
        brief_id: "",
        queued: 0,
        sent: 0,
        skipped: 0,
        failed: 0,
        retry: 0,
        recipients: 0,
        note: "No opted-in recipient: the pulse was not sent to anyone (add one to " +
          "whatsapp.recipients with opted_in = true)",
      });
      assert.equal(sink.messages.length, 0);
    });
    await t.step(
      "one pulse per opted-in recipient; the same call again sends nothing",
      async () => {
        await reset([
          { phone: "+15555550101" },
          { phone: "+15555550102", inbound: true },
          { phone: "+15555550103", opted_in: false },
        ]);
        const b = brief();
        const first = await pulse(b);
        assert.deepEqual({ ...first, brief_id: "" }, {
          brief_id: "",
          queued: 2,
          sent: 2,
          skipped: 0,
          failed: 0,
          retry: 0,
          recipients: 2,
        });
        // Outside the window: the content template; inside: free text. Both read the same.
        const [tpl] = sentTo("+15555550101");
        assert.equal(tpl!.contentSid, CONTENT_SID);
        assert.deepEqual(tpl!.contentVariables, VARS);
        const [text] = sentTo("+15555550102");
        assert.equal(text!.contentSid, null);
        assert.equal(tpl!.body, PULSE);
        assert.equal(text!.body, PULSE);
        assert.equal(sentTo("+15555550103").length, 0);
        const again = await pulse(b);
        assert.equal(again.sent, 0);
        assert.equal(again.skipped, 2);
        assert.equal(sink.messages.length, 2);
        const rows = await statuses(sql);
        assert.deepEqual(rows.map((r) => [r.phone, r.status, r.mode]), [
          ["+15555550101", "sent", "template"],
          ["+15555550102", "sent", "text"],
        ]);
      },
    );

    await t.step("crash before the claim: the next call sends exactly once", async () => {
      await reset([{ phone: "+15555550201" }]);
      const b = brief();
      // The rows are queued, then the process dies before any claim.
      const [r] = await sql<{ id: string }[]>`select id from whatsapp.recipients`;
      await enqueue(sql, [{
        kind: "pulse",
        refId: b.id,
        recipientId: r!.id,
        body: PULSE,
        contentSid: CONTENT_SID,
        contentVariables: VARS,
      }]);
      const next = await pulse(b);
      assert.equal(next.sent, 1);
      assert.equal(sentTo("+15555550201").length, 1);
    });

    await t.step("crash after the claim, before Twilio: never sent, never sent twice", async () => {
      await reset([{ phone: "+15555550301" }, { phone: "+15555550302" }]);
      const b = brief();
      let n = 0;
      await assert.rejects(pulse(b, send, {
        afterClaim: () => {
          if (n++ === 0) throw new Error("killed after claim");
        },
      }));
      const next = await pulse(b);
      assert.equal(next.sent, 1, "the unclaimed row goes");
      assert.equal(next.skipped, 1, "the claimed row is left alone");
      const rows = await statuses(sql);
      assert.deepEqual(rows.map((r) => r.status).sort(), ["sending", "sent"]);
      for (const r of rows) assert.equal(sentTo(r.phone).length, r.status === "sent" ? 1 : 0);
    });

    await t.step(
      "crash after Twilio accepted, before the mark: the message is not resent",
      async () => {
        await reset([{ phone: "+15555550401" }]);
        const b = brief();
        const dying: Sender = async (m) => {
          await send(m);
          throw new Error("killed after send");
        };
        await assert.rejects(pulse(b, dying));
        assert.equal(sentTo("+15555550401").length, 1);
        const next = await pulse(b);
        assert.equal(next.sent, 0);
        assert.equal(next.skipped, 1);
        assert.equal(sentTo("+15555550401").length, 1);
      },
    );

    await t.step(
      "Twilio errors: 21211 fails, 429 retries next time, 5xx is not retried",
      async () => {
        await reset([
          { phone: "+15555550501" },
          { phone: "+15555550502" },
          { phone: "+15555550503" },
        ]);
        const fail = (to: string, status: number, code: number) =>
          fetch(`${sink.url}/__sink/fail`, {
            method: "POST",
            body: JSON.stringify({ to, status, code }),
          }).then((r) => r.body?.cancel());
        await fail("+15555550501", 400, 21211);
        await fail("+15555550502", 429, 20429);
        await fail("+15555550503", 500, 20500);
        const b = brief();
        const first = await pulse(b);
        assert.deepEqual([first.sent, first.failed, first.retry], [0, 2, 1]);
        assert.deepEqual((await statuses(sql)).map((r) => [r.status, r.error_code]), [
          ["failed", 21211],
          ["retry", 20429],
          ["failed", 20500],
        ]);
        const second = await pulse(b);
        assert.deepEqual([second.sent, second.skipped], [1, 2]);
        assert.deepEqual(sink.messages.map((m) => m.to), ["whatsapp:+15555550502"]);
      },
    );

    await t.step("63016: free text outside the window goes as the template at once", async () => {
      // Our row says the window is open, Twilio (the sink) says it is not.
      await reset([{ phone: "+15555550601" }]);
      await sql`update whatsapp.recipients set last_inbound_at = now()`;
      const result = await pulse(brief());
      assert.equal(result.sent, 1);
      const [m] = sentTo("+15555550601");
      assert.equal(m!.contentSid, CONTENT_SID);
      assert.deepEqual((await statuses(sql)).map((r) => r.mode), ["template"]);
    });
    await t.step("status callbacks never move a delivery state back", async () => {
      await reset([{ phone: "+15555550701" }]);
      await pulse(brief());
      const sid = sink.messages[0]!.sid;
      const state = async () =>
        (await sql`select delivery_status, error_code from whatsapp.outbox`)[0];
      assert.equal(await applyStatus(sql, { MessageSid: sid, MessageStatus: "delivered" }), true);
      assert.equal(await applyStatus(sql, { MessageSid: sid, MessageStatus: "sent" }), false);
      assert.deepEqual({ ...await state() }, { delivery_status: "delivered", error_code: null });
      await applyStatus(sql, { MessageSid: sid, MessageStatus: "undelivered", ErrorCode: "63024" });
      assert.deepEqual({ ...await state() }, { delivery_status: "undelivered", error_code: 63024 });
      assert.equal(await applyStatus(sql, { MessageSid: "SMnope", MessageStatus: "read" }), false);
    });
  } finally {
    await sink.close();
    await db.drop();
  }
});
