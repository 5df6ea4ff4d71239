/**
 * The Twilio sink: a local stand-in for Twilio's Messages API as the `twilio` npm package calls
 * it (form posts to /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth with the
 * account SID and auth token, JSON answers), keeping what was sent instead of delivering it.
 * Errors are Twilio's JSON ({code, message, more_info, status}): 20003 bad credentials, 21211
 * invalid "To", 21619 no body, 21617 body over 1,600 characters, 21655 unknown content SID,
 * 63016 free text outside WhatsApp's 24-hour window. Content templates render their variables;
 * status callbacks are posted signed like Twilio's (X-Twilio-Signature).
 * Test controls live under /__sink/: open a window, queue a failure, clear the log.
 */
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";
import { localTwilioCredentials, type SinkCredentials } from "./credentials.ts";
import { type SinkMessage, toResource } from "./resource.ts";

/** A running sink. */
export interface TwilioSink {
  url: string;
  credentials: SinkCredentials;
  messages: SinkMessage[];
  close(): Promise<void>;
}

/** Options: where to listen, credentials and templates (default: the local ones). */
export interface SinkOptions {
  port?: number;
  hostname?: string;
  credentials?: SinkCredentials;
  templates?: Record<string, string>;
  /** Delay before status callbacks are posted (ms); negative = never post them. */
  callbackDelayMs?: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const WINDOW_MS = 24 * 3600 * 1000;

/** Twilio's JSON error body, with its `more_info` link, as an HTTP `status` response. */
function twilioError(status: number, error: { code: number; message: string }): Response {
  const { code, message } = error;
  return Response.json({
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  }, { status });
}

function hex(n: number): string {
  return [...crypto.getRandomValues(new Uint8Array(n / 2))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Starts the sink. */
export function startTwilioSink(options: SinkOptions = {}): TwilioSink {
  const credentials = options.credentials ?? localTwilioCredentials();
  const templates = options.templates ?? {};
  const messages: SinkMessage[] = [];
  const windows = new Map<string, number>(); // E.164 → last inbound (ms)
  const failures = new Map<string, { status: number; code: number; message: string }[]>();
  const pending = new Set<Promise<void>>();
  const accountPath = `/2010-04-01/Accounts/${credentials.accountSid}`;

  const authorized = (req: Request) => {
    const expected = "Basic " + btoa(`${credentials.accountSid}:${credentials.authToken}`);
    return req.headers.get("authorization") === expected;
  };

  const callback = (m: SinkMessage, status: string) => {
    if (!m.statusCallback || (options.callbackDelayMs ?? 0) < 0) return;
    const params: Record<string, string> = {
      AccountSid: credentials.accountSid,
      ApiVersion: "2010-04-01",
      ChannelToAddress: m.to.replace(/^whatsapp:/, ""),
      From: m.from,
      MessageSid: m.sid,
      MessageStatus: status,
      SmsSid: m.sid,
      SmsStatus: status,
      To: m.to,
    };
    const signature = getExpectedTwilioSignature(credentials.authToken, m.statusCallback, params);
    const p = new Promise<void>((r) => setTimeout(r, options.callbackDelayMs ?? 0))
      .then(() =>
        fetch(m.statusCallback!, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": signature,
          },
          body: new URLSearchParams(params),
        })
      )
      .then((r) => r.body?.cancel())
      .catch(() => {}) // a sink: a callback nobody takes is dropped, as Twilio retries nothing
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  const create = async (req: Request): Promise<Response> => {
    const form = new URLSearchParams(await req.text());
    const to = form.get("To") ?? "";
    const from = form.get("From") ?? "";
    const body = form.get("Body");
    const contentSid = form.get("ContentSid");
    if (!to) return twilioError(400, { code: 21604, message: "A 'To' phone number is required." });
    if (!from) {
      return twilioError(400, { code: 21603, message: "A 'From' phone number is required." });
    }
    const number = to.replace(/^whatsapp:/, "");
    if (!E164.test(number)) {
      return twilioError(400, { code: 21211, message: `Invalid 'To' Phone Number: ${to}` });
    }
    const queued = failures.get(number)?.shift();
    if (queued) return twilioError(queued.status, queued);
    let text: string;
    let variables: Record<string, string> | null = null;
    if (contentSid) {
      const template = templates[contentSid];
      if (template === undefined) {
        return twilioError(400, { code: 21655, message: "The ContentSid is Invalid." });
      }
      try {
        variables = JSON.parse(form.get("ContentVariables") ?? "{}");
      } catch {
        return twilioError(400, {
          code: 21656,
          message: "The ContentVariables Parameter is invalid.",
        });
      }
      text = template.replace(/\{\{(\d+)\}\}/g, (_, n: string) => variables?.[n] ?? "");
    } else {
      if (!body) {
        return twilioError(400, {
          code: 21619,
          message: "A text message body or media urls must be specified.",
        });
      }
      if (body.length > 1600) {
        return twilioError(400, {
          code: 21617,
          message: "The concatenated message body exceeds the 1600 character limit.",
        });
      }
      const opened = windows.get(number);
      if (to.startsWith("whatsapp:") && (!opened || Date.now() - opened >= WINDOW_MS)) {
        return twilioError(400, {
          code: 63016,
          message: "Failed to send freeform message because you are outside the allowed window. " +
            "If you are using WhatsApp, please use a Message Template.",
        });
      }
      text = body;
    }
    const m: SinkMessage = {
      sid: `SM${hex(32)}`,
      accountSid: credentials.accountSid,
      to,
      from,
      body: text,
      contentSid,
      contentVariables: variables,
      statusCallback: form.get("StatusCallback"),
      status: "queued",
      dateCreated: new Date(),
    };
    messages.push(m);
    callback(m, "sent");
    return Response.json(toResource(m), { status: 201 });
  };

  const list = (url: URL): Response => {
    const to = url.searchParams.get("To");
    const size = Math.min(1000, Number(url.searchParams.get("PageSize") ?? 50) || 50);
    const rows = messages.filter((m) => !to || m.to === to).reverse().slice(0, size);
    const uri = `${accountPath}/Messages.json?PageSize=${size}&Page=0`;
    return Response.json({
      messages: rows.map(toResource),
      end: Math.max(0, rows.length - 1),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: size,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  };

  const control = async (req: Request, url: URL): Promise<Response> => {
    if (req.method === "POST" && url.pathname === "/__sink/inbound") {
      const { from, at } = await req.json() as { from: string; at?: string };
      windows.set(from, at ? Date.parse(at) : Date.now());
      return Response.json({ ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__sink/fail") {
      const f = await req.json() as { to: string; status: number; code: number; message?: string };
      failures.set(f.to, [...failures.get(f.to) ?? [], {
        status: f.status,
        code: f.code,
        message: f.message ?? "Injected failure",
      }]);
      return Response.json({ ok: true });
    }
    if (req.method === "DELETE" && url.pathname === "/__sink/messages") {
      messages.length = 0;
      return Response.json({ ok: true });
    }
    return twilioError(404, { code: 20404, message: "The requested resource was not found" });
  };

  const server = Deno.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    onListen: () => {},
  }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/__sink/")) return await control(req, url);
    if (!url.pathname.startsWith("/2010-04-01/Accounts/")) {
      return twilioError(404, { code: 20404, message: "The requested resource was not found" });
    }
    if (!authorized(req) || !url.pathname.startsWith(accountPath + "/")) {
      return twilioError(401, { code: 20003, message: "Authenticate" });
    }
    const rest = url.pathname.slice(accountPath.length);
    if (rest === "/Messages.json" && req.method === "POST") return await create(req);
    if (rest === "/Messages.json" && req.method === "GET") return list(url);
    const one = /^\/Messages\/(SM[0-9a-f]{32})\.json$/.exec(rest);
    const found = one && messages.find((m) => m.sid === one[1]);
    if (found && req.method === "GET") return Response.json(toResource(found));
    return twilioError(404, { code: 20404, message: "The requested resource was not found" });
  });

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    credentials,
    messages,
    async close() {
      await server.shutdown();
      await Promise.all([...pending]);
    },
  };
}
