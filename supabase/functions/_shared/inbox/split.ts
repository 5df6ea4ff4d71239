/** Splitting long replies into WhatsApp messages (Twilio's Body limit is 1,600 characters). */

/** Twilio's limit on one message Body, in characters. */
export const WHATSAPP_MAX_CHARS = 1600;

/**
 * Splits `text` into parts of at most `max` characters, at paragraph breaks, else line breaks,
 * else spaces; a single word longer than `max` is cut. Parts keep their order; none is empty.
 */
export function splitMessage(text: string, max = WHATSAPP_MAX_CHARS): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf("\n\n");
    if (cut < max / 3) cut = window.lastIndexOf("\n");
    if (cut < max / 3) cut = window.lastIndexOf(" ");
    if (cut <= 0) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}
