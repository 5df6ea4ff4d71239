/**
 * generate-brief and the Twilio sink as `deno task start` serves them: the gateway lets Twilio's
 * callbacks through (verify_jwt off) and the function itself requires the service key elsewhere.
 */
import assert from "node:assert/strict";
import { stackEnv } from "./_stack.ts";

Deno.test("generate-brief behind the local gateway, and the Twilio sink", async (t) => {
  const env = stackEnv();
  const url = `${env.FUNCTIONS_URL}/generate-brief`;
  await t.step("service key required in code: 401 without, 403 with the anon key", async () => {
    const none = await fetch(url, { method: "POST", body: "{}" });
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error.code, "unauthorized");
    const anon = await fetch(`${url}/check`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.SUPABASE_ANON_KEY}` },
      body: "{}",
    });
    assert.equal(anon.status, 403);
    await anon.body?.cancel();
  });
  await t.step("status callbacks reach the function, which refuses a bad signature", async () => {
    const res = await fetch(env.TWILIO_STATUS_CALLBACK_URL!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "x" },
      body: "MessageSid=SM0&MessageStatus=delivered",
    });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "invalid_signature");
  });
  await t.step("the sink answers Twilio's list API with the local credentials", async () => {
    const res = await fetch(
      `${env.TWILIO_API_URL}/2010-04-01/Accounts/${env.TWILIO_ACCOUNT_SID}/Messages.json`,
      {
        headers: {
          authorization: "Basic " + btoa(`${env.TWILIO_ACCOUNT_SID}:${env.TWILIO_AUTH_TOKEN}`),
        },
      },
    );
    assert.equal(res.status, 200);
    assert.ok(Array.isArray((await res.json()).messages));
  });
});
