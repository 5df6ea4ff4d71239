/** Test helper: a `fetch` that answers from a script of responses and records the requests. */

/** One scripted answer: status, body and headers, or a thrown error (dropped connection). */
export type Scripted =
  | { status?: number; body?: string | object; headers?: Record<string, string> }
  | { error: Error }
  | ((request: Request) => Response | Promise<Response>);

/** A scripted fetch: `calls` holds every request it saw. */
export interface FakeFetch {
  fetch: typeof fetch;
  calls: Request[];
}

/** Answers requests matching each route (URL substring) in order; the last answer repeats. */
export function fakeFetch(routes: Record<string, Scripted[]>): FakeFetch {
  const calls: Request[] = [];
  const positions = new Map<string, number>();
  const fn = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push(request);
    const route = Object.keys(routes).find((r) => request.url.includes(r));
    if (!route) return Promise.resolve(new Response("no route", { status: 599 }));
    const script = routes[route]!;
    const i = positions.get(route) ?? 0;
    positions.set(route, i + 1);
    const step = script[Math.min(i, script.length - 1)]!;
    if (typeof step === "function") return Promise.resolve(step(request));
    if ("error" in step) return Promise.reject(step.error);
    const body = typeof step.body === "string" ? step.body : JSON.stringify(step.body ?? {});
    return Promise.resolve(
      new Response(step.status === 204 || step.status === 304 ? null : body, {
        status: step.status ?? 200,
        headers: { "content-type": "application/json", ...step.headers },
      }),
    );
  };
  return { fetch: fn as typeof fetch, calls };
}
