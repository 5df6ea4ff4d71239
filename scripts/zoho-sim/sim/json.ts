/** JSON responses that keep bigint values as raw numbers (Zoho bigint fields exceed 2^53). */

const MARK = "\u0000bigint:";

/** Serialises like JSON.stringify, writing bigint values as bare JSON numbers. */
export function stringify(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? MARK + v.toString() : v));
  return text.includes("\\u0000bigint:") ? text.replace(/"\\u0000bigint:(-?\d+)"/g, "$1") : text;
}

/** A JSON response in Zoho's content type. */
export function jsonResponse(
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return jsonTextResponse(stringify(value), status, headers);
}

/** A response whose body is JSON already serialised (text, or its UTF-8 bytes). */
export function jsonTextResponse(
  text: string | Uint8Array<ArrayBuffer>,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...headers },
  });
}
