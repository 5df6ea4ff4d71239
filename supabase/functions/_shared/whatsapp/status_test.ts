import assert from "node:assert/strict";
import twilio from "twilio";
import { validSignature } from "./twilio_request.ts";

Deno.test("validSignature() takes only Twilio's whole signature of a status callback", () => {
  const token = "status-token-123456";
  const url = "https://ref.supabase.co/functions/v1/generate-brief/status";
  const params = { MessageSid: "SM1", MessageStatus: "delivered" };
  const sig = twilio.getExpectedTwilioSignature(token, url, params);
  assert.ok(validSignature(token, { signature: sig, url, params }));
  assert.ok(!validSignature("another-token-12345", { signature: sig, url, params }));
  assert.ok(
    !validSignature(token, {
      signature: sig,
      url,
      params: { ...params, MessageStatus: "read" },
    }),
  );
  const forged: Record<string, string | undefined> = {
    truncated: sig.slice(0, -1),
    prefix: sig.slice(0, 8),
    extended: `${sig}A`,
    "altered suffix": `${sig.slice(0, -2)}${sig.at(-2) === "A" ? "B" : "A"}${sig.at(-1)}`,
    empty: "",
    absent: undefined,
  };
  for (const [what, value] of Object.entries(forged)) {
    assert.ok(!validSignature(token, { signature: value ?? "", url, params }), what);
  }
});
