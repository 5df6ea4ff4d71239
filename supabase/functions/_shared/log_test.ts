import assert from "node:assert/strict";
import { createLogger, redact } from "./log.ts";

Deno.test("redact() removes secret values and secret shapes", async (t) => {
  await t.step("values of the process's secret variables, wherever they appear", () => {
    const env = { ZOHO_CLIENT_SECRET: "s3cr3t-client-value", OTHER: "visible-value" };
    assert.equal(
      redact("client s3cr3t-client-value and visible-value", env),
      "client [redacted] and visible-value",
    );
  });
  const cases: [string, string][] = [
    ["Authorization: Bearer abc.def.ghi", "Authorization: Bearer [redacted]"],
    ["Zoho-oauthtoken 1000.aa11bb22", "Zoho-oauthtoken [redacted]"],
    [
      "key eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.sig_Part-1",
      "key [redacted]",
    ],
    [
      "token 1000.0123456789abcdef0123.fedcba9876543210fedc",
      "token [redacted]",
    ],
    [
      "postgresql://postgres:hunter22@127.0.0.1:5432/postgres",
      "postgresql://postgres:[redacted]@127.0.0.1:5432/postgres",
    ],
    ['{"refresh_token":"1000.x","scope":"a"}', '{"refresh_token":"[redacted]","scope":"a"}'],
    ["client_secret=abc&grant_type=x", "client_secret=[redacted]&grant_type=x"],
    ["GET /crm/v7/Leads (500 INTERNAL_ERROR)", "GET /crm/v7/Leads (500 INTERNAL_ERROR)"],
  ];
  for (const [input, expected] of cases) {
    await t.step(input, () => assert.equal(redact(input, {}), expected));
  }
});

Deno.test("createLogger() writes scoped lines through redact, stack only for errors", () => {
  const lines: string[] = [];
  const log = createLogger("zoho-sync", (line) => lines.push(line));
  const leak = new Error("Cannot refresh: refresh_token=1000.abc rejected");
  log.warn("token refresh failed", leak);
  log.error("unhandled error on POST /zoho-sync", leak);
  assert.equal(
    lines[0],
    "zoho-sync: token refresh failed: Error: Cannot refresh: refresh_token=[redacted] rejected",
  );
  assert.match(lines[1]!, /^zoho-sync: unhandled error on POST \/zoho-sync: Error: Cannot refresh/);
  assert.match(lines[1]!, /\n\s+at /, "the stack of an unexpected error");
  assert.ok(lines.every((l) => !l.includes("1000.abc")));
});
