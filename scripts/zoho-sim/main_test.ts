import assert from "node:assert/strict";

Deno.test("main.ts prints credentials and stops on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./main.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--leads",
      "50",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ZOHO_REFRESH_TOKEN=")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const env = Object.fromEntries(text.trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
  assert.match(env.ZOHO_ACCOUNTS_URL, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(env.ZOHO_CLIENT_ID, /^1000\.SIMCLIENTUS/);
  const res = await fetch(`${env.ZOHO_ACCOUNTS_URL}/oauth/v2/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      client_id: env.ZOHO_CLIENT_ID,
      client_secret: env.ZOHO_CLIENT_SECRET,
      refresh_token: env.ZOHO_REFRESH_TOKEN,
    }),
  });
  assert.ok((await res.json()).access_token);
  child.kill("SIGTERM");
  const status = await child.status;
  assert.equal(status.code, 0);
  await reader.cancel();
});
