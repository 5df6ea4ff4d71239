import assert from "node:assert/strict";
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";
import {
  TWILIO_ENV,
  twilioSender,
  TwilioSendError,
} from "../../supabase/functions/_shared/whatsapp/twilio.ts";
import { startTwilioSink } from "./server.ts";

const SID = `HX${"70c1".padStart(32, "0")}`;

Deno.test("the Twilio sink speaks the Messages API to the twilio package", async (t) => {
  const sink = startTwilioSink({ templates: { [SID]: "Hi {{1}}, {{2}}" }, callbackDelayMs: 0 });
  const base = {
    TWILIO_ACCOUNT_SID: sink.credentials.accountSid,
    TWILIO_AUTH_TOKEN: sink.credentials.authToken,
    TWILIO_WHATSAPP_FROM: sink.credentials.whatsappFrom,
    TWILIO_API_URL: sink.url,
  };
  const send = twilioSender(TWILIO_ENV.parse(base));
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof TwilioSendError);
      return [e.status, e.code, e.safeToRetry];
    }
    return "sent";
  };
  try {
    await t.step("wrong credentials: 401, 20003", async () => {
      const bad = twilioSender(TWILIO_ENV.parse({ ...base, TWILIO_AUTH_TOKEN: "wrong-token" }));
      assert.deepEqual(await code(bad({ to: "+15555550100", body: "x" })), [401, 20003, false]);
    });
    await t.step(
      "21211 for an invalid number, 63016 for free text outside the window",
      async () => {
        assert.deepEqual(await code(send({ to: "+0123", body: "x" })), [400, 21211, false]);
        assert.deepEqual(await code(send({ to: "+15555550100", body: "x" })), [400, 63016, false]);
        assert.deepEqual(
          await code(send({ to: "+15555550100", contentSid: `HX${"9".repeat(32)}` })),
          [
            400,
            21655,
            false,
          ],
        );
      },
    );
    await t.step("templates render their variables; inside the window free text goes", async () => {
      const m = await send({
        to: "+15555550100",
        contentSid: SID,
        contentVariables: { "1": "Dana", "2": "go" },
      });
      assert.match(m.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(m.status, "queued");
      assert.equal(sink.messages.at(-1)!.body, "Hi Dana, go");
      await fetch(`${sink.url}/__sink/inbound`, {
        method: "POST",
        body: JSON.stringify({ from: "+15555550100" }),
      })
        .then((r) => r.body?.cancel());
      assert.equal(await code(send({ to: "+15555550100", body: "free text" })), "sent");
    });
    await t.step("lists what was sent (Twilio's list JSON, Basic auth)", async () => {
      const path = `/2010-04-01/Accounts/${sink.credentials.accountSid}/Messages.json`;
      const anon = await fetch(sink.url + path);
      assert.equal(anon.status, 401);
      await anon.body?.cancel();
      const res = await fetch(sink.url + path, {
        headers: {
          authorization: "Basic " + btoa(`${base.TWILIO_ACCOUNT_SID}:${base.TWILIO_AUTH_TOKEN}`),
        },
      });
      const page = await res.json();
      assert.deepEqual(page.messages.map((m: { body: string }) => m.body), [
        "free text",
        "Hi Dana, go",
      ]);
      assert.equal(page.messages[0].to, "whatsapp:+15555550100");
    });
    await t.step("status callbacks carry a signature twilio's validator accepts", async () => {
      const got: { sig: string; params: Record<string, string> }[] = [];
      const hook = Deno.serve({ port: 0, onListen: () => {} }, async (req) => {
        got.push({
          sig: req.headers.get("x-twilio-signature") ?? "",
          params: Object.fromEntries(new URLSearchParams(await req.text())),
        });
        return new Response("ok");
      });
      const url = `http://127.0.0.1:${hook.addr.port}/status`;
      const withHook = twilioSender(TWILIO_ENV.parse({ ...base, TWILIO_STATUS_CALLBACK_URL: url }));
      await withHook({ to: "+15555550100", body: "ping" });
      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await hook.shutdown();
      assert.equal(got.length, 1);
      assert.equal(got[0]!.params.MessageStatus, "sent");
      assert.ok(validateRequest(base.TWILIO_AUTH_TOKEN, got[0]!.sig, url, got[0]!.params));
      assert.ok(!validateRequest("other-token", got[0]!.sig, url, got[0]!.params));
    });
  } finally {
    await sink.close();
  }
});
