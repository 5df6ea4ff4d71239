// The pg_net stand-in: net.http_post/http_get queue a request; the worker delivers it after
// commit and records the response (or the error) in net._http_response, as pg_net does.
import assert from "node:assert/strict";
import { stackSql, waitFor } from "./_stack.ts";

interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

function startEcho() {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      body: await req.text(),
    });
    if (url.pathname === "/slow") await new Promise((r) => setTimeout(r, 1500));
    if (url.pathname === "/teapot") return new Response("short and stout", { status: 418 });
    return Response.json({ got: url.pathname }, { headers: { "x-echo": "yes" } });
  });
  return { seen, server, base: `http://127.0.0.1:${server.addr.port}` };
}

interface ResponseRow {
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
}

Deno.test("pg_net stand-in", async (t) => {
  const sql = stackSql();
  const echo = startEcho();
  const response = (id: string) =>
    waitFor(`response ${id}`, async () => {
      const [row] = await sql<ResponseRow[]>`select * from net._http_response where id = ${id}`;
      return row;
    });
  try {
    await t.step(
      "http_post delivers method, headers and JSON body and records the response",
      async () => {
        const [{ id }] = await sql<{ id: string }[]>`
        select net.http_post(
          url := ${echo.base + "/hook"},
          body := '{"n": 1, "big": 12345678901234567890}'::jsonb,
          params := '{"a": "x y"}'::jsonb,
          headers := '{"Content-Type": "application/json", "X-Test": "t1"}'::jsonb
        )::text as id` as unknown as [{ id: string }];
        const row = await response(id);
        assert.equal(row.status_code, 200);
        assert.equal(row.content, '{"got":"/hook"}');
        assert.equal(row.headers?.["x-echo"], "yes");
        assert.match(row.content_type ?? "", /application\/json/);
        assert.equal(row.timed_out, false);
        const got = echo.seen.find((s) => s.path.startsWith("/hook"))!;
        assert.equal(got.method, "POST");
        assert.equal(got.path, "/hook?a=x%20y");
        assert.equal(got.headers.get("x-test"), "t1");
        assert.deepEqual(got.body, '{"n": 1, "big": 12345678901234567890}');
      },
    );
    await t.step("http_get and a non-2xx status are recorded as they came", async () => {
      const [{ id }] = await sql<{ id: string }[]>`
        select net.http_get(${echo.base + "/teapot"})::text as id` as unknown as [{ id: string }];
      const row = await response(id);
      assert.equal(row.status_code, 418);
      assert.equal(row.content, "short and stout");
      assert.equal(echo.seen.at(-1)?.method, "GET");
    });
    await t.step(
      "nothing is sent before the transaction commits; a rollback sends nothing",
      async () => {
        const before = echo.seen.length;
        await sql.begin(async (tx) => {
          await tx`select net.http_post(${echo.base + "/never"}, '{}'::jsonb)`;
          await new Promise((r) => setTimeout(r, 1200));
          assert.equal(echo.seen.length, before, "sent before commit");
          throw new Error("roll back");
        }).catch((e) => assert.equal(e.message, "roll back"));
        await new Promise((r) => setTimeout(r, 1200));
        assert.ok(!echo.seen.some((s) => s.path === "/never"));
      },
    );
    await t.step("a timeout is recorded as timed_out with pg_net's message", async () => {
      const [{ id }] = await sql<{ id: string }[]>`
        select net.http_get(${
        echo.base + "/slow"
      }, timeout_milliseconds := 200)::text as id` as unknown as [
        { id: string },
      ];
      const row = await response(id);
      assert.equal(row.status_code, null);
      assert.equal(row.timed_out, true);
      assert.match(row.error_msg ?? "", /^Timeout of 200 ms reached/);
    });
    await t.step("a refused connection is recorded as an error", async () => {
      const [{ id }] = await sql<{ id: string }[]>`
        select net.http_get('http://127.0.0.1:9/')::text as id` as unknown as [{ id: string }];
      const row = await response(id);
      assert.equal(row.status_code, null);
      assert.match(row.error_msg ?? "", /Couldn't deliver request/);
    });
    await t.step("a bad URL is refused at call time", async () => {
      await assert.rejects(
        sql`select net.http_post('ftp://x', '{}'::jsonb)`,
        /must start with http/,
      );
    });
  } finally {
    await echo.server.shutdown();
    await sql.end();
  }
});
