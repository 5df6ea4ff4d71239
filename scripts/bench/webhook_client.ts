/**
 * The load generator of `deno task bench webhook`, run in a Worker so its own work (signing,
 * fetch) does not share the gateway's event loop: posts Twilio-signed form requests with
 * `concurrency` in flight, each with a new MessageSid, and returns each reply's latency.
 */
import twilio from "twilio";

/** What the bench asks for. */
export interface LoadRequest {
  base: string;
  token: string;
  phone: string;
  /** Message bodies, rotated; null = GET `${base}/health` (the floor). */
  bodies: (string | null)[];
  n: number;
  concurrency: number;
  sidStart: number;
}

/** Latencies in ms (sorted) and the wall time of the whole batch. */
export interface LoadResult {
  ms: number[];
  wall: number;
}

function request(r: LoadRequest, i: number): () => Promise<Response> {
  const body = r.bodies[i % r.bodies.length];
  if (body === null || body === undefined) return () => fetch(`${r.base}/health`);
  const params = {
    Body: body,
    From: `whatsapp:${r.phone}`,
    MessageSid: `SM${(r.sidStart + i).toString(16).padStart(32, "0")}`,
  };
  const signature = twilio.getExpectedTwilioSignature(r.token, r.base, params);
  const payload = new URLSearchParams(params).toString();
  return () =>
    fetch(r.base, {
      method: "POST",
      headers: {
        "x-twilio-signature": signature,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: payload,
    });
}

/** Runs one batch. */
export async function runLoad(r: LoadRequest): Promise<LoadResult> {
  const ms: number[] = [];
  let next = 0;
  // Signed beforehand, as Twilio signs on its own machines: only the posting is measured.
  const sends = Array.from({ length: r.n }, (_, i) => request(r, i));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: r.concurrency }, async () => {
    while (next < r.n) {
      const send = sends[next++]!;
      const t = performance.now();
      const res = await send();
      const text = await res.text();
      ms.push(performance.now() - t);
      if (res.status !== 200) {
        throw new Error(`Request failed: ${res.status} ${text.slice(0, 200)}`);
      }
      if (text.includes("not available") || text.includes("can't answer")) {
        throw new Error(`Unexpected reply: ${text.slice(0, 200)}`);
      }
    }
  }));
  return { ms: ms.sort((a, b) => a - b), wall: performance.now() - t0 };
}

// As a Worker: one batch per message.
const self = globalThis as unknown as {
  onmessage: ((e: MessageEvent<LoadRequest>) => void) | null;
  postMessage(m: unknown): void;
};
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  self.onmessage = async (e) => {
    try {
      self.postMessage({ ok: await runLoad(e.data) });
    } catch (err) {
      self.postMessage({ error: String(err) });
    }
  };
}
