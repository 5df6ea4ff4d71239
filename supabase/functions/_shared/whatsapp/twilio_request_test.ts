import assert from "node:assert/strict";
import twilio from "twilio";
import { HttpError } from "../http/app.ts";
import { parseForm, readCappedBody, signedUrl, twiml, validSignature } from "./twilio_request.ts";

const req = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://internal/whatsapp-webhook", { method: "POST", body, headers });

Deno.test("readCappedBody()", async (t) => {
  await t.step("reads up to the cap", async () => {
    assert.equal(await readCappedBody(req("a".repeat(100)), 100), "a".repeat(100));
  });
  await t.step("refuses a declared length over the cap before reading", async () => {
    const e = await readCappedBody(req("x", { "content-length": "101" }), 100).catch((e) => e);
    assert.ok(e instanceof HttpError && e.status === 413);
  });
  await t.step("counts a stream without length and stops at the cap", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(60));
      },
    });
    const e = await readCappedBody(req(stream), 100).catch((e) => e);
    assert.ok(e instanceof HttpError && e.status === 413);
    assert.ok(pulled <= 3, `read ${pulled} chunks`);
  });
  await t.step("refuses bytes that are not UTF-8", async () => {
    const e = await readCappedBody(req(new Uint8Array([0x42, 0xff]))).catch((e) => e);
    assert.ok(e instanceof HttpError && e.status === 400);
  });
});

Deno.test("parseForm()", async (t) => {
  await t.step("decodes + and %-escapes and keeps repeated names", () => {
    assert.deepEqual(
      parseForm("Body=rev+mtd%3F&From=whatsapp%3A%2B1555&MediaUrl=a&MediaUrl=b&Empty="),
      {
        Body: "rev mtd?",
        From: "whatsapp:+1555",
        MediaUrl: ["a", "b"],
        Empty: "",
      },
    );
    assert.deepEqual(parseForm(""), {});
  });
  await t.step("refuses pairs without a name or '=' and broken escapes", () => {
    for (const bad of ["Body", "=x", "Body=%E0%A4%A", "a=1&&b=2", "Body=%zz"]) {
      assert.throws(
        () => parseForm(bad),
        (e: unknown) => e instanceof HttpError && e.status === 400,
        bad,
      );
    }
  });
});

Deno.test("validSignature() is Twilio's algorithm for the public URL", () => {
  const params = { Body: "rev mtd", From: "whatsapp:+15550001111", MessageSid: "SM1" };
  const url = "https://ref.supabase.co/functions/v1/whatsapp-webhook";
  const sig = twilio.getExpectedTwilioSignature("token-123456", url, params);
  assert.ok(validSignature("token-123456", { signature: sig, url, params }));
  assert.ok(!validSignature("token-654321", { signature: sig, url, params }));
  assert.ok(
    !validSignature("token-123456", {
      signature: sig,
      url,
      params: { ...params, Body: "stop" },
    }),
  );
  assert.ok(!validSignature("token-123456", { signature: sig, url: `${url}/x`, params }));
  // The whole signature, no more and no less: truncated, extended, altered suffix, empty.
  for (
    const forged of [
      sig.slice(0, -1),
      sig.slice(0, 8),
      `${sig}A`,
      `${sig.slice(0, -2)}${sig.at(-2) === "A" ? "B" : "A"}${sig.at(-1)}`,
      "",
    ]
  ) {
    assert.ok(
      !validSignature("token-123456", { signature: forged, url, params }),
      forged,
    );
  }
  // Twilio signs the query string too; the function appends the request's to the public URL.
  assert.equal(signedUrl(url, "http://127.0.0.1:9/whatsapp-webhook?a=1"), `${url}?a=1`);
  assert.equal(signedUrl(url, "http://127.0.0.1:9/whatsapp-webhook"), url);
});

Deno.test("twiml() escapes message text", () => {
  assert.equal(
    twiml(['a < b & "c"']),
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>a &lt; b &amp; "c"</Message></Response>',
  );
  assert.equal(twiml([]), '<?xml version="1.0" encoding="UTF-8"?><Response/>');
});
