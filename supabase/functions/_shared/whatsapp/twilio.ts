/**
 * The Twilio client: the `twilio` npm package (its REST client and request client only, not the
 * whole SDK index), with its base URL from configuration: production leaves TWILIO_API_URL unset
 * (https://api.twilio.com); locally it points at the Twilio sink. The request client is Twilio's
 * own (axios), only the origin of each URI is swapped. Sends map Twilio's errors to one typed
 * error that says whether a retry is safe.
 */
import RequestClient from "twilio/lib/base/RequestClient.js";
import Twilio from "twilio/lib/rest/Twilio.js";
import { z } from "zod";

/** Twilio settings from the environment. */
export const TWILIO_ENV = z.object({
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "expected AC + 32 hex digits"),
  TWILIO_AUTH_TOKEN: z.string().min(8),
  TWILIO_WHATSAPP_FROM: z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/, "expected whatsapp:+E164"),
  TWILIO_API_URL: z.url().optional(),
  TWILIO_PULSE_CONTENT_SID: z.string().regex(/^HX[0-9a-fA-F]{32}$/, "expected HX + 32 hex")
    .optional(),
  TWILIO_STATUS_CALLBACK_URL: z.url().optional(),
  TWILIO_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
});

/** Parsed Twilio settings. */
export type TwilioConfig = z.infer<typeof TWILIO_ENV>;

/** One outbound WhatsApp message: free text, or a content template and its variables. */
export interface OutboundMessage {
  to: string;
  body?: string;
  contentSid?: string;
  contentVariables?: Record<string, string>;
}

/** A message Twilio accepted. */
export interface SentMessage {
  sid: string;
  status: string;
}

/** Sends one message; throws TwilioSendError. */
export type Sender = (message: OutboundMessage) => Promise<SentMessage>;

/** A refused or failed send: Twilio's HTTP status and error code, and whether to retry. */
export class TwilioSendError extends Error {
  override name = "TwilioSendError";
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: number | null,
    /** True only when the message surely did not leave (refused before acceptance). */
    readonly safeToRetry: boolean,
  ) {
    super(message);
  }
}

/** Twilio's error for free text outside WhatsApp's 24-hour window. */
export const OUTSIDE_WINDOW = 63016;

/** Twilio's RequestClient with every request's origin replaced by `baseUrl`. */
class BaseUrlRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string, opts: { timeout: number }) {
    super(opts);
  }
  // deno-lint-ignore no-explicit-any
  override request<TData>(opts: any): Promise<any> {
    const uri = new URL(opts.uri);
    const base = new URL(this.baseUrl);
    uri.protocol = base.protocol;
    uri.host = base.host;
    return super.request<TData>({ ...opts, uri: uri.href });
  }
}

/** The twilio REST client for `config` (base URL swapped when TWILIO_API_URL is set). */
export function createTwilioClient(config: TwilioConfig): Twilio {
  const opts = { timeout: config.TWILIO_TIMEOUT_MS };
  const httpClient = config.TWILIO_API_URL
    ? new BaseUrlRequestClient(config.TWILIO_API_URL, opts)
    : new RequestClient(opts);
  return new Twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, { httpClient });
}

/** A Sender through the twilio package. */
export function twilioSender(config: TwilioConfig, client = createTwilioClient(config)): Sender {
  return async (m) => {
    try {
      const res = await client.messages.create({
        to: `whatsapp:${m.to}`,
        from: config.TWILIO_WHATSAPP_FROM,
        ...(m.contentSid
          ? { contentSid: m.contentSid, contentVariables: JSON.stringify(m.contentVariables ?? {}) }
          : { body: m.body ?? "" }),
        ...(config.TWILIO_STATUS_CALLBACK_URL
          ? { statusCallback: config.TWILIO_STATUS_CALLBACK_URL }
          : {}),
      });
      return { sid: res.sid, status: res.status };
    } catch (e) {
      throw toSendError(e);
    }
  };
}

/** Maps what the twilio package throws to a TwilioSendError. */
export function toSendError(e: unknown): TwilioSendError {
  const err = e as { status?: number; code?: number | string; message?: string };
  if (typeof err?.status === "number") {
    // 429: refused for rate; 4xx: refused for cause (no retry); 5xx: may have been accepted.
    return new TwilioSendError(
      `Twilio refused the message (${err.status}${err.code ? ` ${err.code}` : ""}): ${
        err.message ?? ""
      }`,
      err.status,
      typeof err.code === "number" ? err.code : null,
      err.status === 429,
    );
  }
  // No HTTP answer: only a refused connection proves nothing was sent.
  const refused = err?.code === "ECONNREFUSED" || /ECONNREFUSED|refused/i.test(err?.message ?? "");
  return new TwilioSendError(
    `Cannot reach Twilio: ${err?.message ?? String(e)}`,
    null,
    null,
    refused,
  );
}
