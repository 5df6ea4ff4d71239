/**
 * The pg_net stand-in's worker: takes queued requests from `net.http_request_queue` (woken by
 * NOTIFY at commit, and by a poll), delivers them with their method, headers, body and timeout,
 * and records status, headers and body, or the error, in `net._http_response`, as pg_net's
 * background worker does. Like pg_net it never retries: a failure is recorded, not repeated.
 */
import type postgres from "postgres";

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

/** A running worker. */
export interface PgNetWorker {
  /** Delivers everything queued now; resolves with how many requests were handled. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** pg_net's default response time-to-live (`pg_net.ttl`). */
const RESPONSE_TTL = "6 hours";

async function deliver(
  sql: postgres.Sql,
  { req, stop }: { req: QueuedRequest; stop: AbortSignal },
): Promise<void> {
  const started = performance.now();
  try {
    const response = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body && req.method !== "GET" ? req.body as Uint8Array<ArrayBuffer> : undefined,
      signal: AbortSignal.any([AbortSignal.timeout(req.timeout_milliseconds), stop]),
    });
    const content = await response.text();
    const headers = Object.fromEntries(response.headers.entries());
    await sql`
      insert into net._http_response
        (id, status_code, content_type, headers, content, timed_out, error_msg)
      values (${req.id}, ${response.status}, ${response.headers.get("content-type")},
        ${sql.json(headers)}, ${content}, false, null)`;
  } catch (e) {
    const timedOut = e instanceof DOMException && e.name === "TimeoutError";
    const message = timedOut
      ? `Timeout of ${req.timeout_milliseconds} ms reached. Total time: ${
        Math.round(performance.now() - started)
      } ms`
      : `Couldn't deliver request: ${e instanceof Error ? e.message : String(e)}`;
    await sql`
      insert into net._http_response (id, status_code, timed_out, error_msg)
      values (${req.id}, null, ${timedOut}, ${message})`;
  }
}

/** Starts the worker on a connection pool; it listens for `pg_net_wake` and polls. */
export async function startPgNetWorker(
  sql: postgres.Sql,
  options: { batchSize?: number; pollMs?: number } = {},
): Promise<PgNetWorker> {
  const batchSize = options.batchSize ?? 200;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  async function cycle(): Promise<number> {
    let handled = 0;
    while (!stopped) {
      const batch = await sql<QueuedRequest[]>`
        delete from net.http_request_queue
        where id in (
          select id from net.http_request_queue order by id
          limit ${batchSize} for update skip locked)
        returning id::text, method, url, headers, body, timeout_milliseconds`;
      if (batch.length === 0) break;
      for (const req of batch) {
        const p: Promise<void> = deliver(sql, { req, stop: stopping.signal }).catch(report).finally(
          () => inFlight.delete(p),
        );
        inFlight.add(p);
      }
      handled += batch.length;
    }
    await sql`delete from net._http_response where created < now() - ${RESPONSE_TTL}::interval`;
    return handled;
  }

  function kick(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = cycle().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        kick();
      }
    });
    return running;
  }

  const listener = await sql.listen("pg_net_wake", () => void kick().catch(report));
  const timer = setInterval(() => void kick().catch(report), options.pollMs ?? 1000);
  function report(e: unknown) {
    if (!stopped) console.error("pg_net worker:", e);
  }
  await kick();

  return {
    async drain() {
      let total = 0;
      for (;;) {
        if (running) total += await running;
        const n = await kick();
        total += n;
        await Promise.all([...inFlight]);
        if (n === 0 && !running && inFlight.size === 0) return total;
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listener.unlisten();
      if (running) await running.catch(() => {});
      stopping.abort(); // like a server shutdown: requests in flight end with an error
      await Promise.all([...inFlight]);
    },
  };
}
