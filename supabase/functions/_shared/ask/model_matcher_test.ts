import assert from "node:assert/strict";
import { matcherPrompt, ollamaMatcher } from "./model_matcher.ts";

const VOCAB = {
  sources: ["Facebook", "Website"],
  owners: ["Priya Nair"],
  stages: ["Qualification"],
};
const SETTINGS = { host: "http://ollama.test:11434", model: "llama3.2:1b", timeoutMs: 1000 };

/** Ollama's non-streamed /api/chat reply carrying `content`. */
function chatReply(content: string): Response {
  return Response.json({
    model: SETTINGS.model,
    created_at: "2026-03-04T10:00:00Z",
    message: { role: "assistant", content },
    done: true,
    done_reason: "stop",
  });
}

function fakeFetch(reply: () => Response | Promise<Response>, seen: Request[] = []): typeof fetch {
  return (input, init) => {
    seen.push(new Request(input, init));
    return Promise.resolve(reply());
  };
}

Deno.test("ollamaMatcher()", async (t) => {
  await t.step("asks /api/chat for structured output and returns the intent", async () => {
    const seen: Request[] = [];
    const match = ollamaMatcher(
      SETTINGS,
      fakeFetch(
        () => chatReply('{"intent":"leads","params":{"period":"last_week","source":"facebook"}}'),
        seen,
      ),
    );
    assert.deepEqual(await match("how did fb do last wk", VOCAB), {
      kind: "intent",
      intent: "leads",
      params: { period: "last_week", source: "Facebook" },
    });
    assert.equal(seen[0]!.url, "http://ollama.test:11434/api/chat");
    const body = await seen[0]!.json();
    assert.equal(body.model, "llama3.2:1b");
    assert.equal(body.stream, false);
    assert.equal(body.options.temperature, 0);
    assert.ok(body.format.properties.intent.enum.includes("revenue"));
    assert.equal(body.messages[1].content, "how did fb do last wk");
  });

  await t.step(
    "drops names the data does not hold and parameters the intent does not take",
    async () => {
      const match = ollamaMatcher(
        SETTINGS,
        fakeFetch(() =>
          chatReply('{"intent":"pipeline","params":{"owner":"Bob","period":"today"}}')
        ),
      );
      assert.deepEqual(await match("bob's pipe", VOCAB), {
        kind: "intent",
        intent: "pipeline",
        params: {},
      });
    },
  );

  await t.step("a named-deal intent without a name is unknown", async () => {
    const match = ollamaMatcher(
      SETTINGS,
      fakeFetch(() => chatReply('{"intent":"deal_status","params":{}}')),
    );
    assert.deepEqual(await match("status of the deal", VOCAB), { kind: "unknown" });
  });

  await t.step("malformed or off-schema replies throw", async () => {
    for (const content of ["not json", '{"intent":"drop_table","params":{}}']) {
      const match = ollamaMatcher(SETTINGS, fakeFetch(() => chatReply(content)));
      await assert.rejects(match("rev", VOCAB));
    }
  });

  await t.step("an unreachable host or a missing model throws", async () => {
    const down = ollamaMatcher(SETTINGS, () => Promise.reject(new TypeError("connection refused")));
    await assert.rejects(down("rev", VOCAB), /connection refused/);
    const missing = ollamaMatcher(
      SETTINGS,
      fakeFetch(() => Response.json({ error: "model 'llama3.2:1b' not found" }, { status: 404 })),
    );
    await assert.rejects(missing("rev", VOCAB), /not found/);
  });

  await t.step("the prompt lists every intent and the data's names", () => {
    const prompt = matcherPrompt(VOCAB);
    assert.match(prompt, /- revenue: /);
    assert.match(prompt, /owner is one of: Priya Nair\./);
  });
});
