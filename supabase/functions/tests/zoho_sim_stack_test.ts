import assert from "node:assert/strict";
import { stackEnv } from "./_stack.ts";

// A stack left running must behave like Zoho over time: its simulator's clock runs in real time
// from the dataset anchor, so access tokens expire and the refresh throttle window resets.
Deno.test("the stack's Zoho simulator clock runs in real time", async () => {
  const url = stackEnv().ZOHO_SIM_URL!;
  const now = async () =>
    ((await (await fetch(`${url}/__sim/clock`)).json()) as { now: number }).now;
  const t0 = await now();
  await new Promise((r) => setTimeout(r, 1_200));
  const t1 = await now();
  assert.ok(t1 >= t0 + 1 && t1 <= t0 + 5, `clock moved from ${t0} to ${t1}`);
});
