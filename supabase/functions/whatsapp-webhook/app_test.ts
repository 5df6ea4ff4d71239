/**
 * whatsapp-webhook in process at its boundary, on a scratch database holding the demo company:
 * Twilio's signature (accepted; rejected for a wrong token, an altered body, a wrong URL, a
 * missing header, with nothing stored), size and form checks, unknown senders, replays,
 * messages arriving together, an unreachable database. Commands: commands_test.ts; answers to
 * questions: answers_test.ts.
 */
import assert from "node:assert/strict";
import { COMMANDS } from "../_shared/inbox/commands/index.ts";
import { helpText, REFUSAL_TEXT } from "../_shared/inbox/help.ts";
import { form, messages, post, rows, webhook, withWebhookDb } from "../tests/_whatsapp_webhook.ts";

Deno.test("whatsapp-webhook", async (t) => {
  await withWebhookDb("webhook", async (db, app) => {
    await t.step("a signed message is answered with TwiML", async () => {
      const res = await post(app, form("help"));
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/xml/);
      const xml = await res.text();
      assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>/);
      assert.deepEqual(messages(xml), [helpText(COMMANDS)]);
    });

    await t.step("bad signatures are refused with 403 and nothing stored", async () => {
      const before = await rows(db);
      const p = form("revenue this month");
      const cases: [string, Response][] = [
        ["wrong token", await post(app, p, { token: "another-token-0123456789" })],
        [
          "altered body",
          await post(app, p, { body: new URLSearchParams({ ...p, Body: "stop" }).toString() }),
        ],
        ["wrong URL", await post(app, p, { url: "https://evil.example/whatsapp-webhook" })],
        ["missing header", await post(app, p, { signature: null })],
      ];
      for (const [name, res] of cases) {
        assert.equal(res.status, 403, name);
        assert.equal((await res.json()).error.code, "invalid_signature", name);
      }
      assert.equal(await rows(db), before);
    });

    await t.step("a body over 64 KB is refused with 413 before parsing", async () => {
      const res = await post(app, form("x".repeat(70_000)));
      assert.equal(res.status, 413);
      const chunked = new ReadableStream({
        start(c) {
          for (let i = 0; i < 70; i++) c.enqueue(new TextEncoder().encode("a".repeat(1024)));
          c.close();
        },
      });
      const res2 = await app.request("/whatsapp-webhook", {
        method: "POST",
        headers: { "x-twilio-signature": "x", "content-type": "application/x-www-form-urlencoded" },
        body: chunked,
      });
      assert.equal(res2.status, 413, "no content-length: counted while reading");
    });

    await t.step("malformed forms are refused with 400 naming the problem", async () => {
      const bad = "Body=%E0%A4%A&From=whatsapp%3A%2B15550001111";
      const res = await post(app, {}, { body: bad, signature: "anything" });
      assert.equal(res.status, 400);
      assert.match((await res.json()).error.message, /%-escape/);
      const p = { Body: "hi", From: "whatsapp:+15550001111" }; // no MessageSid, signed
      const res2 = await post(app, p);
      assert.equal(res2.status, 400);
      assert.match((await res2.json()).error.message, /MessageSid/);
      const res3 = await app.request("/whatsapp-webhook", {
        method: "POST",
        headers: { "x-twilio-signature": "x", "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(res3.status, 415);
      // A NUL character cannot be stored (Postgres text): refused, naming the field, not a 500.
      const before = await rows(db);
      const res4 = await post(app, form("rev\u0000mtd"));
      assert.equal(res4.status, 400);
      assert.match((await res4.json()).error.message, /^Body: /);
      assert.equal(await rows(db), before);
    });

    await t.step("an unknown sender gets one polite refusal and no data", async () => {
      const stranger = "+15559998888";
      const first = messages(await (await post(app, form("revenue this month", stranger))).text());
      assert.deepEqual(first, [REFUSAL_TEXT]);
      const second = await (await post(app, form("pipeline", stranger))).text();
      assert.deepEqual(messages(second), []);
      const logged = await db.sql`select direction, intent from whatsapp.conversation
          where phone = ${stranger} order by created_at, direction`;
      assert.deepEqual(logged.map((r) => `${r.direction}:${r.intent}`).sort(), [
        "inbound:refused",
        "inbound:refused",
        "outbound:refused",
      ]);
    });

    await t.step("a replayed MessageSid is answered once", async () => {
      const p = form("pipeline");
      const a = messages(await (await post(app, p)).text());
      const b = await (await post(app, p)).text();
      assert.equal(a.length, 1);
      assert.equal(b, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
      const [n] = await db.sql`select count(*)::int as n from whatsapp.conversation c
          where c.message_sid = ${p.MessageSid} or c.reply_to in (select id from
            whatsapp.conversation where message_sid = ${p.MessageSid})`;
      assert.equal(n!.n, 2, "one inbound row, one reply");
    });

    await t.step("messages arriving together are stored together, each answered once", async () => {
      // 24 at once: distinct questions, one MessageSid posted 4 times (Twilio retrying), and
      // a stranger texting 4 times. Stored in a few grouped statements, not one per message.
      const stranger = "+15557776666";
      const twice = form("pipeline");
      const posts = [
        ...Array.from({ length: 16 }, (_, i) => form(i % 2 ? "rev mtd" : "help")),
        twice,
        twice,
        twice,
        twice,
        ...Array.from({ length: 4 }, () => form("revenue this month", stranger)),
      ];
      const replies = await Promise.all(
        posts.map(async (p) => messages(await (await post(app, p)).text())),
      );
      for (let i = 0; i < 16; i++) {
        assert.equal(replies[i]!.length, 1);
        if (i % 2 === 0) assert.deepEqual(replies[i], [helpText(COMMANDS)]);
        else assert.match(replies[i]![0]!, /won deals/);
      }
      assert.equal(replies.slice(16, 20).filter((r) => r.length).length, 1, "one sid, one answer");
      assert.deepEqual(replies.slice(20).flat(), [REFUSAL_TEXT], "one refusal for the stranger");
      const stored = await db.sql`select c.message_sid, c.intent, c.created_at::text as at,
            (select count(*)::int from whatsapp.conversation o where o.reply_to = c.id) as replies
          from whatsapp.conversation c
          where c.direction = 'inbound' and c.message_sid in ${
        db.sql(posts.map((p) => p.MessageSid))
      }`;
      assert.equal(stored.length, 21, "every distinct MessageSid stored once");
      const bySid = new Map(stored.map((r) => [r.message_sid, r]));
      assert.equal(bySid.get(twice.MessageSid)?.intent, "pipeline");
      assert.equal(bySid.get(twice.MessageSid)?.replies, 1);
      assert.equal(bySid.get(posts[0]!.MessageSid)?.intent, "help");
      assert.equal(bySid.get(posts[1]!.MessageSid)?.intent, "revenue");
      assert.equal(stored.filter((r) => r.intent === "refused").length, 4);
      assert.equal(stored.reduce((n, r) => n + r.replies, 0), 18);
      // Rows of one statement share its transaction's now(): fewer statements than messages.
      const statements = new Set(stored.map((r) => r.at)).size;
      assert.ok(statements <= posts.length / 2, `${statements} statements for ${posts.length}`);
    });

    await t.step(
      "an unreachable database answers 503 to each message, naming no secret",
      async () => {
        // A closed port: every message of the group fails at once (Twilio retries the webhook).
        const down = webhook(db, {}, {
          SUPABASE_DB_URL: "postgresql://postgres:hunter2-secret@127.0.0.1:9/postgres",
        });
        const posts = Array.from({ length: 5 }, () => form("help"));
        const answers = await Promise.all(posts.map((p) => post(down, p)));
        for (const res of answers) {
          assert.equal(res.status, 503);
          const text = await res.text();
          assert.equal(JSON.parse(text).error.code, "database_unavailable");
          assert.ok(!text.includes("hunter2"), text);
        }
        // Twilio's retry of the same messages, with the database back, is answered once each.
        const again = await Promise.all(
          posts.map(async (p) => messages(await (await post(app, p)).text())),
        );
        assert.deepEqual(again, posts.map(() => [helpText(COMMANDS)]));
      },
    );
  });
});
