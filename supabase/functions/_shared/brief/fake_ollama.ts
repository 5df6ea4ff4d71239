/**
 * Test helper: a fake Ollama server speaking Ollama's HTTP API (`POST /api/chat` streamed as
 * NDJSON or not, `GET /api/tags`, `GET /api/version`, 404 `{"error": "model '…' not found"}` for
 * an unknown model) with scripted replies: a given text (a correct brief, wrong numbers, flipped
 * directions, invented names, malformed JSON), slow answers, disconnects and error statuses.
 * `prompt_eval_count` is the prompt's Llama 3 token count. Requests are recorded.
 */
import llama3Tokenizer from "llama3-tokenizer-js";

/** One scripted answer to a chat request. */
export type Script =
  | { kind: "reply"; content: string; delayMs?: number }
  | { kind: "disconnect"; after?: string }
  | { kind: "status"; status: number; error: string };

/** A recorded chat request. */
export interface RecordedRequest {
  body: {
    model: string;
    stream?: boolean;
    format?: unknown;
    options?: Record<string, unknown>;
    messages: { role: string; content: string }[];
  };
  headers: Headers;
}

/** A running fake. */
export interface FakeOllama {
  url: string;
  requests: RecordedRequest[];
  /** Queues answers; once the queue is empty the last answer repeats. */
  script(...answers: Script[]): void;
  close(): Promise<void>;
}

const MODELS = ["llama3.2:1b", "qwen3:1.7b"];

function chatDone(
  content: string,
  options: { model: string; promptTokens: number; done?: boolean },
) {
  const { model, promptTokens, done = true } = options;
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content },
    done,
    ...(done
      ? {
        done_reason: "stop",
        total_duration: 1_000_000,
        load_duration: 100_000,
        prompt_eval_count: promptTokens,
        prompt_eval_duration: 500_000,
        eval_count: Math.ceil(content.length / 4),
        eval_duration: 400_000,
      }
      : {}),
  };
}

/** Starts the fake on an ephemeral port. */
export function startFakeOllama(): FakeOllama {
  const requests: RecordedRequest[] = [];
  let queue: Script[] = [];
  let last: Script = { kind: "status", status: 500, error: "no script" };

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/api/version") {
      return Response.json({ version: "0.12.6" });
    }
    if (req.method === "GET" && url.pathname === "/api/tags") {
      return Response.json({
        models: MODELS.map((name) => ({
          name,
          model: name,
          modified_at: "2026-01-01T00:00:00Z",
          size: 1_321_098_329,
          digest: "baf6a787fdffd633537aa2eb51cfd54cb93ff08e28040095462bb63daf552878",
          details: { format: "gguf", family: "llama", parameter_size: "1.2B" },
        })),
      });
    }
    if (req.method !== "POST" || url.pathname !== "/api/chat") {
      return new Response("404 page not found", { status: 404 });
    }
    const body = await req.json() as RecordedRequest["body"];
    requests.push({ body, headers: req.headers });
    if (!MODELS.includes(body.model)) {
      return Response.json({ error: `model '${body.model}' not found` }, { status: 404 });
    }
    const answer = queue.shift() ?? last;
    last = answer;
    const prompt = body.messages.map((m) => `${m.role}: ${m.content}`).join("\n");
    const tokens = llama3Tokenizer.encode(prompt).length;
    if (answer.kind === "status") {
      return Response.json({ error: answer.error }, { status: answer.status });
    }
    if (answer.kind === "reply" && answer.delayMs) {
      const aborted = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), answer.delayMs);
        req.signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (aborted) return new Response(null, { status: 499 });
    }
    const content = answer.kind === "reply" ? answer.content : answer.after ?? '{"headline":';
    const enc = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        if (body.stream) {
          for (let i = 0; i < content.length; i += 40) {
            const chunk = chatDone(content.slice(i, i + 40), {
              model: body.model,
              promptTokens: tokens,
              done: false,
            });
            controller.enqueue(enc.encode(JSON.stringify(chunk) + "\n"));
          }
          if (answer.kind === "disconnect") return controller.error(new Error("connection reset"));
          controller.enqueue(
            enc.encode(
              JSON.stringify(chatDone("", { model: body.model, promptTokens: tokens })) + "\n",
            ),
          );
        } else {
          const text = JSON.stringify(
            chatDone(content, { model: body.model, promptTokens: tokens }),
          );
          if (answer.kind === "disconnect") {
            controller.enqueue(enc.encode(text.slice(0, 30)));
            return controller.error(new Error("connection reset"));
          }
          controller.enqueue(enc.encode(text));
        }
        controller.close();
      },
    });
    return new Response(stream, {
      headers: { "content-type": body.stream ? "application/x-ndjson" : "application/json" },
    });
  });

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    script(...answers) {
      queue = [...answers];
      if (answers.length) last = answers[answers.length - 1]!;
    },
    async close() {
      await server.shutdown();
    },
  };
}
