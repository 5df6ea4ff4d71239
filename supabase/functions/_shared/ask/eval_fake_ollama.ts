/**
 * A fake Ollama for the evaluation (eval_test.ts): a local HTTP server speaking /api/chat
 * (non-streamed) whose reply to a question is chosen by the test. It stands for Ollama's wire
 * format, not for a model's judgement.
 */

/** What the fake does with one question: reply with this content, or never reply in time. */
export type FakeReply = { content: string } | "timeout";

/** A running fake: its base URL, how many chats it served, and how to stop it. */
export interface FakeOllama {
  host: string;
  chats: () => number;
  close: () => Promise<void>;
}

/** How the fake answers: `reply` is given the user's message; a "timeout" is held `holdMs`. */
export interface FakeOptions {
  reply: (question: string) => FakeReply;
  holdMs: number;
}

/** Starts the fake on a free local port. */
export function startFakeOllama({ reply, holdMs }: FakeOptions): FakeOllama {
  let chats = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/api/chat") {
        return Response.json({ error: "not found" }, { status: 404 });
      }
      // Counted on arrival: a client that gave up (its timeout) may never finish sending.
      chats++;
      let body: { model: string; messages: { role: string; content: string }[] };
      try {
        body = await req.json();
      } catch {
        return Response.json({ error: "unreadable body" }, { status: 400 });
      }
      const question = body.messages.findLast((m) => m.role === "user")?.content ?? "";
      const chosen = reply(question);
      if (chosen === "timeout") {
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        return Response.json({ error: "too slow" }, { status: 503 });
      }
      return Response.json({
        model: body.model,
        created_at: new Date().toISOString(),
        message: { role: "assistant", content: chosen.content },
        done: true,
        done_reason: "stop",
      });
    },
  );
  const addr = server.addr as Deno.NetAddr;
  return {
    host: `http://127.0.0.1:${addr.port}`,
    chats: () => chats,
    close: () => server.shutdown(),
  };
}
