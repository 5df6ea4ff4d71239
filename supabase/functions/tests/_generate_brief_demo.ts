/**
 * generate-brief served in process on a scratch database holding the AHA Smart Homes demo
 * company (3,000 leads, a $120,000 target for 2026 Q1, two opted-in recipients and one opted
 * out), with the Twilio sink and the fake Ollama; Ollama is unreachable until `useFakeOllama()`.
 * For generate_brief_test.ts.
 */
import { createScratchDb, type ScratchDb } from "../../../scripts/local/scratch_db.ts";
import { startTwilioSink, type TwilioSink } from "../../../scripts/twilio-sink/server.ts";
import { type FakeOllama, startFakeOllama } from "../_shared/brief/fake_ollama.ts";
import { PULSE_TEMPLATE } from "../_shared/brief/pulse.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp } from "../generate-brief/app.ts";
import { loadDemoCompany } from "./_demo_company.ts";

/** The service key the app is configured with. */
export const KEY = "test-service-key";

/** The demo set-up and what the test drives it with. */
export interface BriefDemo {
  db: ScratchDb;
  sink: TwilioSink;
  fake: FakeOllama;
  /** The app's status callback URL (served on a real port for the sink to call). */
  callbackUrl: string;
  /** POSTs JSON (or a raw string) to /generate-brief<path> with the bearer `token`. */
  post(path: string, body: unknown, token?: string | null): Promise<Response>;
  /** Points the app at the fake Ollama from now on. */
  useFakeOllama(): void;
  close(): Promise<void>;
}

/** Starts the sink, the fake Ollama and the app, and loads the demo company. */
export async function startBriefDemo(): Promise<BriefDemo> {
  const db = await createScratchDb("brief_demo");
  const sink = startTwilioSink({
    templates: { [`HX${"70c1".padStart(32, "0")}`]: PULSE_TEMPLATE },
  });
  const fake = startFakeOllama();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const noOllama = `http://127.0.0.1:${(closed.addr as Deno.NetAddr).port}`;
  closed.close();
  let ollamaHost = noOllama;
  let callbackUrl = "http://127.0.0.1:9/unused";
  const env = () => ({
    SUPABASE_DB_URL: db.url,
    SUPABASE_SERVICE_ROLE_KEY: KEY,
    OLLAMA_HOST: ollamaHost,
    OLLAMA_TIMEOUT_MS: "3000",
    TWILIO_API_URL: sink.url,
    TWILIO_ACCOUNT_SID: sink.credentials.accountSid,
    TWILIO_AUTH_TOKEN: sink.credentials.authToken,
    TWILIO_WHATSAPP_FROM: sink.credentials.whatsappFrom,
    TWILIO_PULSE_CONTENT_SID: sink.credentials.pulseContentSid,
    TWILIO_STATUS_CALLBACK_URL: callbackUrl,
  });
  const app = createApp({ env });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  callbackUrl = `http://127.0.0.1:${server.addr.port}/generate-brief/status`;
  const post = async (path: string, body: unknown, token: string | null = KEY) =>
    await app.request(`/generate-brief${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const close = async () => {
    await server.shutdown();
    await fake.close();
    await sink.close();
    await closeAllSql();
    await db.drop();
  };

  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
      values ('2026-01-01', 120000)`;
    await db.sql`insert into whatsapp.recipients (name, phone, role, opted_in) values
      ('Dana Whitfield', '+15555550101', 'CRO', true),
      ('Marco Alvarez', '+15555550102', 'VP Sales', true),
      ('Ines Duarte', '+15555550103', 'Finance', false)`;
  } catch (e) {
    await close();
    throw e;
  }
  return {
    db,
    sink,
    fake,
    callbackUrl,
    post,
    useFakeOllama: () => {
      ollamaHost = fake.url;
    },
    close,
  };
}
