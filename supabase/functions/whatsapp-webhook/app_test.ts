/**
 * whatsapp-webhook in process on a scratch database holding the demo company: Twilio's signature
 * (accepted; rejected for a wrong token, an altered body, a wrong URL, a missing header, with
 * nothing stored), size and form checks, unknown senders, replays, commands, and answers whose
 * numbers equal the SQL's.
 */
import assert from "node:assert/strict";
import twilio from "twilio";
import { createScratchDb, type ScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { verifyDashboardLink } from "../_shared/dashboard/link.ts";
import { ACK_TEXT, type InboxDeps } from "../_shared/inbox/handle.ts";
import { helpText, REFUSAL_TEXT, unknownText } from "../_shared/inbox/help.ts";
import { createApp } from "./app.ts";
import { defaultInbox } from "./inbox.ts";
import { startTwilioSink } from "../../../scripts/twilio-sink/server.ts";
import { startFakeOllama } from "../_shared/brief/fake_ollama.ts";

type Env = Record<string, string>;
import { loadDemoCompany } from "../tests/_demo_company.ts";
import { waitFor } from "../tests/_stack.ts";

const TOKEN = "test-auth-token-0123456789";
const URL_PUBLIC = "https://example.supabase.co/functions/v1/whatsapp-webhook";
const EXEC = "+15550001111";
const AS_OF = "2026-03-04";

let sid = 0;
function form(body: string, from = EXEC, extra: Record<string, string> = {}) {
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

function post(
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
function messages(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1]!.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
      .replaceAll("&apos;", "'").replaceAll("&amp;", "&")
  );
}

function webhook(db: ScratchDb, extra: Partial<InboxDeps> = {}, env: Env = {}) {
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

async function rows(db: ScratchDb) {
  const [r] = await db.sql`select count(*)::int as n from whatsapp.conversation`;
  return r!.n as number;
}

Deno.test("whatsapp-webhook", async (t) => {
  const db = await createScratchDb("webhook");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    await db.sql`select analytics.refresh_facts()`;
    await db.sql`insert into whatsapp.recipients (name, phone, opted_in)
      values ('Asha Hegde', ${EXEC}, true)`;
    const app = webhook(db);

    await t.step("a signed message is answered with TwiML", async () => {
      const res = await post(app, form("help"));
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/xml/);
      const xml = await res.text();
      assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>/);
      assert.deepEqual(messages(xml), [helpText()]);
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
        if (i % 2 === 0) assert.deepEqual(replies[i], [helpText()]);
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
        assert.deepEqual(again, posts.map(() => [helpText()]));
      },
    );

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

    await t.step("an inbound message opens the recipient's 24-hour window", async () => {
      await db.sql`update whatsapp.recipients set last_inbound_at = null where phone = ${EXEC}`;
      await post(app, form("help"));
      const [r] = await db.sql`select last_inbound_at > now() - interval '1 minute' as fresh
        from whatsapp.recipients where phone = ${EXEC}`;
      assert.equal(r!.fresh, true);
    });

    await t.step("stop and start switch the daily pulse off and on", async () => {
      const optedIn = async () =>
        (await db.sql`select opted_in from whatsapp.recipients where phone = ${EXEC}`)[0]!
          .opted_in;
      const [stop] = messages(await (await post(app, form("STOP"))).text());
      assert.match(stop!, /no more daily pulse/);
      assert.equal(await optedIn(), false);
      const [start] = messages(await (await post(app, form("start"))).text());
      assert.match(start!, /daily pulse again/);
      assert.equal(await optedIn(), true);
    });

    await t.step(
      "pulse and brief answer from the latest brief, split within 1,600 chars",
      async () => {
        const [none] = messages(await (await post(app, form("pulse"))).text());
        assert.match(none!, /^No pulse yet/);
        const [snap] = await db
          .sql`select (analytics.compute_snapshot(${AS_OF}) ->> 'id')::uuid as id`;
        const part = (text: string) => ({ text, facts: [] });
        const content = {
          headline: part("Revenue is behind plan"),
          critical_gap: part("Referral pipeline is thin"),
          immediate_action: part("Call the top 5 stale deals"),
          insights: [1, 2, 3, 4].map((i) => part(`Insight ${i}: ${"detail ".repeat(70)}`)),
        };
        await db.sql`insert into brief.briefs (snapshot_id, model, content, pulse, pulse_variables,
          attempts)
        values (${snap!.id}, 'rules', ${db.sql.json(content)}, 'Daily pulse 4 Mar: act now',
          '{}', 0)`;
        assert.deepEqual(messages(await (await post(app, form("pulse"))).text()), [
          "Daily pulse 4 Mar: act now",
        ]);
        const brief = messages(await (await post(app, form("brief"))).text());
        assert.ok(brief.length >= 2, `${brief.length} messages`);
        assert.ok(brief.every((m) => m.length <= 1600));
        assert.ok(brief[0]!.startsWith("*Revenue is behind plan*"));
        assert.ok(brief.join("\n\n").includes("Insight 4:"));
      },
    );

    await t.step("status tells when data was synced and snapshotted", async () => {
      const [status] = messages(await (await post(app, form("status"))).text());
      assert.match(status!, /^No pipeline run yet\./);
      assert.match(status!, /No sync yet\./);
      assert.match(status!, /Latest KPI snapshot: as of 2026-03-04/);
      assert.match(status!, /Latest brief: written .* \(rules, no model\)\./);
    });

    await t.step("sync starts one pipeline run", async () => {
      const [broken] = messages(await (await post(app, form("sync"))).text());
      assert.match(broken!, /^Sync could not start: the pipeline is not set up here/);
      // pg_net reaches the functions with the URL and key from Vault (nothing listens here).
      await db.sql`select vault.create_secret('http://127.0.0.1:9', 'project_url')`;
      await db.sql`select vault.create_secret('test-service-key', 'service_role_key')`;
      const [queued] = messages(await (await post(app, form("sync"))).text());
      assert.match(
        queued!,
        /^Sync queued \(run [0-9a-f]{8}\): .* The pulse follows when it finishes\.$/,
      );
      const [again] = messages(await (await post(app, form("sync now"))).text());
      assert.match(again!, /^A run is already going \(run [0-9a-f]{8}\)/);
      const runs = await db.sql`select id::text, trigger from pipeline.runs`;
      assert.deepEqual(runs.map((r) => r.trigger), ["whatsapp"]);
      assert.ok(queued!.includes(runs[0]!.id.slice(0, 8)));
      const [status] = messages(await (await post(app, form("status"))).text());
      assert.match(status!, /^Last run [0-9a-f]{8} \(whatsapp\): running, .* Stages: sync /);
    });

    await t.step("dashboard hands out a signed link for the sender, valid a day", async () => {
      const [unset] = messages(await (await post(app, form("dashboard"))).text());
      assert.equal(unset, "The dashboard is not set up here yet. Please tell your admin.");
      const secret = "dashboard-link-secret-0123456789abcdef";
      const withSecret = webhook(db, {}, { DASHBOARD_LINK_SECRET: secret });
      const [reply] = messages(await (await post(withSecret, form("dashboard link pls"))).text());
      const url = /https:\/\/\S+/.exec(reply!)?.[0];
      assert.ok(url, reply);
      const link = new URL(url!);
      assert.equal(
        link.origin + link.pathname,
        "https://example.supabase.co/functions/v1/dashboard",
      );
      const [me] = await db.sql`select id::text from whatsapp.recipients where phone = ${EXEC}`;
      const grant = await verifyDashboardLink(link.searchParams, secret);
      assert.ok(typeof grant === "object", String(grant));
      assert.equal(grant.recipient, me!.id);
      const hours = (grant.expiresAt * 1000 - Date.now()) / 3_600_000;
      assert.ok(hours > 23.9 && hours <= 24, String(hours));
      assert.ok(!url!.includes(EXEC.slice(1)), "no phone number in the link");
      assert.equal(
        await verifyDashboardLink(link.searchParams, "another-secret-0123456789abcdef0"),
        "bad_signature",
      );
    });

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
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
