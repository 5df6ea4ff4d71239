/**
 * Reading Twilio's webhook request safely: the body is read with a size cap (413 before any
 * parsing), parsed as a strict application/x-www-form-urlencoded form (400 when malformed), and
 * its X-Twilio-Signature checked with the `twilio` package's validator against the public URL
 * Twilio posted to (the function itself sees an internal URL behind the gateway).
 */
// The validator and TwiML builder only, not the SDK index (its REST client is ~20 MB of bundle).
import MessagingResponse from "twilio/lib/twiml/MessagingResponse.js";
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";
import { createMiddleware } from "hono/factory";
import { HttpError } from "../http/app.ts";

/** Largest body accepted (Twilio's inbound messages are a few KB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the body as text, refusing more than `max` bytes without buffering them. */
export async function readCappedBody(req: Request, max = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw tooLarge(max);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_form", "body: not UTF-8 text");
  }
}

function tooLarge(max: number) {
  return new HttpError(413, "payload_too_large", `body: larger than ${max} bytes`);
}

/** Form fields; a repeated name keeps every value (Twilio signs them all). */
export type FormParams = Record<string, string | string[]>;

/** Parses an urlencoded form strictly: every pair is `name=value` with valid %-escapes. */
export function parseForm(text: string): FormParams {
  const out: FormParams = {};
  if (text === "") return out;
  for (const pair of text.split("&")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new HttpError(400, "invalid_form", `body: malformed pair "${pair.slice(0, 40)}"`);
    }
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(pair.slice(0, eq).replaceAll("+", " "));
      value = decodeURIComponent(pair.slice(eq + 1).replaceAll("+", " "));
    } catch {
      throw new HttpError(400, "invalid_form", `body: invalid %-escape in "${pair.slice(0, 40)}"`);
    }
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** The URL Twilio signed: the configured public URL plus the request's query string. */
export function signedUrl(publicUrl: string, requestUrl: string): string {
  const search = new URL(requestUrl).search;
  return search && !publicUrl.includes("?") ? publicUrl + search : publicUrl;
}

/** True when `signature` is Twilio's for this URL and these parameters. */
export function validSignature(
  authToken: string,
  request: { signature: string; url: string; params: FormParams },
): boolean {
  return validateRequest(authToken, request.signature, request.url, request.params);
}

/** TwiML answering with these messages (none: an empty <Response/>). */
export function twiml(messages: string[]): string {
  const response = new MessagingResponse();
  for (const m of messages) response.message(m);
  return response.toString();
}

/** Where the middleware finds the token and the URL Twilio posted to. */
export interface TwilioRequestOptions {
  /** The account's auth token (TWILIO_AUTH_TOKEN). */
  authToken: () => string;
  /** The public URL Twilio signed, given the URL the function saw (gateways rewrite it). */
  publicUrl: (requestUrl: string) => string;
}

/** The verified form of a Twilio request, as the routes after `twilioRequest` read it. */
export type TwilioEnv = { Variables: { twilioForm: FormParams } };

/**
 * Every inbound Twilio request, one way (the webhook's messages and the status callbacks): the
 * body read with its size cap (413), a form post only (415), parsed strictly (400), and its
 * X-Twilio-Signature checked against the public URL (403 `invalid_signature`, missing or wrong)
 * before any route sees it; the verified form is `c.get("twilioForm")`.
 */
export function twilioRequest(options: TwilioRequestOptions) {
  return createMiddleware<TwilioEnv>(async (c, next) => {
    const text = await readCappedBody(c.req.raw);
    const signature = c.req.header("x-twilio-signature");
    if (!signature) {
      throw new HttpError(403, "invalid_signature", "Missing X-Twilio-Signature header");
    }
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
      throw new HttpError(
        415,
        "unsupported_media_type",
        "Expected application/x-www-form-urlencoded",
      );
    }
    const form = parseForm(text);
    const url = options.publicUrl(c.req.url);
    if (!validSignature(options.authToken(), { signature, url, params: form })) {
      throw new HttpError(
        403,
        "invalid_signature",
        "X-Twilio-Signature does not match this request",
      );
    }
    c.set("twilioForm", form);
    await next();
  });
}

/** A form field's value (the first, when the name repeats). */
export function formValue(form: FormParams, name: string): string | undefined {
  const v = form[name];
  return Array.isArray(v) ? v[0] : v;
}
