/**
 * whatsapp-webhook answering questions in process on the demo company: numbers equal to the
 * SQL's, the keyword matcher when the model is unreachable, the model's answer acknowledged and
 * delivered through the outbox (and the Twilio sink), the three nearest for an unknown question.
 */
import assert from "node:assert/strict";
import { ACK_TEXT } from "../_shared/inbox/handle.ts";
import { unknownText } from "../_shared/inbox/help.ts";
import { startFakeOllama } from "../_shared/brief/fake_ollama.ts";
import { startTwilioSink } from "../../../scripts/twilio-sink/server.ts";
import { waitFor } from "../tests/_stack.ts";
import {
  AS_OF,
  EXEC,
  form,
  messages,
  post,
  webhook,
  withWebhookDb,
} from "../tests/_whatsapp_webhook.ts";

Deno.test("whatsapp-webhook answers", async (t) => {
  await withWebhookDb("webhook_answers", async (db, app) => {
    await t.step("revenue this month equals the SQL revenue", async () => {
      const [sqlRow] = await db
        .sql`select revenue::text, won_deals::int from analytics.revenue(${AS_OF})
          where period = 'mtd'`;
      const [reply] = messages(await (await post(app, form("rev mtd"))).text());
      const amount = Number(sqlRow!.revenue).toLocaleString("en-US", { maximumFractionDigits: 2 });
      assert.ok(reply!.includes(`$${amount} from ${sqlRow!.won_deals} won deals`), reply);
      const [log] = await db.sql`select intent, params, latency_ms from whatsapp.conversation
          where direction = 'outbound' order by created_at desc limit 1`;
      assert.equal(log!.intent, "revenue");
      assert.deepEqual(log!.params, { period: "this_month" });
      assert.ok(log!.latency_ms >= 0);
    });

    await t.step("a filter the answer cannot take is said in the reply", async () => {
      const [reply] = messages(
        await (await post(app, form("stuck deals for facebook last month"))).text(),
      );
      const [row] = await db.sql`select deals::int from ask.deal_risk(${AS_OF}, 'stale')`;
      assert.match(reply!, new RegExp(`^${row!.deals} open deals? of `), reply);
      assert.ok(
        reply!.endsWith(
          "I can't give this one for last month: it shows how things stand today. " +
            "I can't split this one by source: it covers every source.",
        ),
        reply,
      );
    });

    await t.step("an unreachable model falls back to the keyword matcher", async () => {
      const down = webhook(db, {
        model: () => Promise.reject(new TypeError("connection refused")),
      });
      const [reply] = messages(await (await post(down, form("rev mtd"))).text());
      assert.match(reply!, /^Revenue this month \(1 Mar–4 Mar\): \$/);
    });

    await t.step(
      "with a model the answer is acknowledged and follows through the outbox",
      async () => {
        const work: Promise<unknown>[] = [];
        const delivered: { inboundId: string; body: string }[] = [];
        const outboxId = crypto.randomUUID();
        const slow = webhook(db, {
          model: async () => {
            await new Promise((r) => setTimeout(r, 50));
            return { kind: "intent", intent: "pipeline", params: {} };
          },
          later: {
            deliver: (r) => {
              delivered.push(r);
              return Promise.resolve(outboxId);
            },
            background: (w) => work.push(w),
          },
        });
        const p = form("how is the pipe looking");
        assert.deepEqual(messages(await (await post(slow, p)).text()), [ACK_TEXT]);
        assert.equal(delivered.length, 0, "nothing delivered before the response");
        await Promise.all(work);
        const [sqlRow] = await db.sql`select amount::float8 from ask.pipeline(${AS_OF})`;
        assert.equal(delivered.length, 1);
        assert.ok(
          delivered[0]!.body.includes(`$${sqlRow!.amount.toLocaleString("en-US")}`),
          delivered[0]!.body,
        );
        const logged = await db.sql`select o.delivery, o.outbox_id, o.intent, i.intent as asked
          from whatsapp.conversation i join whatsapp.conversation o on o.reply_to = i.id
          where i.message_sid = ${p.MessageSid} order by o.created_at`;
        assert.deepEqual(logged.map((r) => [r.delivery, r.intent, r.asked]), [
          ["twiml", "pending", "pipeline"],
          ["queued", "pipeline", "pipeline"],
        ]);
        assert.equal(logged[1]!.outbox_id, outboxId);
      },
    );

    await t.step("with the model, the answer follows through the outbox and the sink", async () => {
      const sink = startTwilioSink({ port: 0, callbackDelayMs: -1 });
      const ollama = startFakeOllama();
      try {
        ollama.script({ kind: "reply", content: '{"intent":"pipeline","params":{}}' });
        const modelApp = webhook(db, {}, {
          ASK_MATCHER: "model",
          OLLAMA_HOST: ollama.url,
          TWILIO_ACCOUNT_SID: sink.credentials.accountSid,
          TWILIO_AUTH_TOKEN: sink.credentials.authToken,
          TWILIO_WHATSAPP_FROM: sink.credentials.whatsappFrom,
          TWILIO_API_URL: sink.url,
        });
        // The sink, like Twilio, only takes free text within the window the inbound opened.
        await fetch(`${sink.url}/__sink/inbound`, {
          method: "POST",
          body: JSON.stringify({ from: EXEC }),
        }).then((r) => r.body?.cancel());
        const p = form("how is the pipe looking");
        const res = await post(modelApp, p, { token: sink.credentials.authToken });
        assert.deepEqual(messages(await res.text()), [ACK_TEXT]);
        const [sqlRow] = await db.sql`select amount::float8 from ask.pipeline(${AS_OF})`;
        const sent = await waitFor(
          "the reply at the sink",
          () => Promise.resolve(sink.messages.find((m) => m.to === `whatsapp:${EXEC}`)),
        );
        assert.ok(sent.body.includes(`$${sqlRow!.amount.toLocaleString("en-US")}`), sent.body);
        const log = await waitFor("the logged reply", async () => {
          const [r] = await db
            .sql`select l.delivery, l.outbound_sid from whatsapp.conversation_log l
              join whatsapp.conversation i on i.id = l.reply_to
              where i.message_sid = ${p.MessageSid} and l.outbox_id is not null`;
          return r;
        });
        // Twilio's own state of the message (callbacks move it on), the outbox row marked sent.
        assert.equal(log.delivery, sent.status);
        const [ob] = await db
          .sql`select status from whatsapp.outbox where twilio_sid = ${sent.sid}`;
        assert.equal(ob!.status, "sent");
        assert.equal(log.outbound_sid, sent.sid);
      } finally {
        await ollama.close();
        await sink.close();
      }
    });

    await t.step("unknown questions get the three nearest that can be asked", async () => {
      const [reply] = messages(await (await post(app, form("what's the weather"))).text());
      assert.equal(reply, unknownText("what's the weather"));
      assert.ok(reply!.startsWith("I can't answer that yet. Closest I can answer:"));
      assert.equal(reply!.split("\n").filter((l) => l.startsWith("• ")).length, 3);
    });
  });
});
