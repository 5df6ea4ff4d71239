/**
 * Lossless reading of Zoho list bodies. Record bodies may hold bigint values beyond 2^53 and
 * 19-digit ids, so records are never round-tripped through JS numbers: `splitListBody` cuts the
 * top-level `data` array into each element's raw JSON text (stored by Postgres as jsonb, which
 * keeps numbers exact) and parses only the small `info` object. Truncated or malformed JSON
 * throws, so a cut-off body is retried instead of half-stored.
 */

/** A list response: each record's raw JSON text and the parsed `info` object. */
export interface ListBody {
  records: string[];
  info: Record<string, unknown>;
  /**
   * With `pick`: per record, the raw JSON text of each asked-for top-level key it has (taken
   * in the same pass that cuts the records out, so no record is parsed whole).
   */
  picked: Record<string, string>[];
  /**
   * With `pick` and `longAt`: per record, whether one of its top-level string values is at
   * least `longAt` characters long (decoded), i.e. possibly cut short by a list view.
   */
  long: boolean[];
}

/** Thrown for bodies that are not complete JSON (a dropped connection mid-body). */
export class MalformedJsonError extends Error {
  override name = "MalformedJsonError";
}

/** JSON whitespace: space, tab, line feed, carriage return. */
function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** What else to take from each record while splitting a list body. */
export interface SplitOptions {
  /** Also the raw value texts of these top-level keys of each record. */
  pick?: ReadonlySet<string>;
  /** With `pick`: a record with a top-level string value this long (decoded) is `long`. */
  longAt?: number;
}

/**
 * Splits `{"data":[...],"info":{...}}` into raw record texts and the parsed info (plus the
 * `pick`ed value texts and `long` flags of each record).
 */
export function splitListBody(
  body: string,
  { pick, longAt = Infinity }: SplitOptions = {},
): ListBody {
  const s = new Scanner(body);
  s.longAt = longAt;
  const records: string[] = [];
  const picked: Record<string, string>[] = [];
  const long: boolean[] = [];
  const picker = pick ? new KeyPicker(pick) : null;
  let info: Record<string, unknown> = {};
  s.skipWs();
  s.expect(123); // {
  s.skipWs();
  if (s.peek() === 125) return { records, info, picked, long };
  for (;;) {
    s.skipWs();
    const key = JSON.parse(body.slice(s.pos, s.skipString())) as string;
    s.skipWs();
    s.expect(58); // :
    s.skipWs();
    if (key === "data" && s.peek() === 91) {
      s.expect(91);
      s.skipWs();
      if (s.peek() === 93) s.pos++;
      else {
        for (;;) {
          s.skipWs();
          const start = s.pos;
          if (!picker) s.skipValue();
          else if (s.peek() === 123) {
            picked.push(s.pickObject(picker));
            long.push(s.sawLong);
          } else {
            s.skipValue();
            picked.push({}); // not an object: nothing to pick, indexes stay aligned
            long.push(false);
          }
          records.push(body.slice(start, s.pos));
          s.skipWs();
          if (s.peek() === 44) s.pos++;
          else {
            s.expect(93);
            break;
          }
        }
      }
    } else {
      const start = s.pos;
      s.skipValue();
      if (key === "info") info = JSON.parse(body.slice(start, s.pos));
    }
    s.skipWs();
    if (s.peek() === 44) s.pos++;
    else {
      s.expect(125);
      break;
    }
  }
  s.skipWs();
  if (s.pos !== body.length) throw new MalformedJsonError("Cannot read Zoho body: trailing data");
  return { records, info, picked, long };
}

/** Wanted keys bucketed by length, matched in place in the text. */
class KeyPicker {
  readonly #byLength = new Map<number, string[]>();
  constructor(keys: ReadonlySet<string>) {
    for (const k of keys) {
      const list = this.#byLength.get(k.length) ?? [];
      list.push(k);
      this.#byLength.set(k.length, list);
    }
  }

  /** The wanted key written at text[start, end), or null. */
  match(text: string, start: number, end: number): string | null {
    const list = this.#byLength.get(end - start);
    if (list === undefined) return null;
    for (const k of list) if (text.startsWith(k, start)) return k;
    return null;
  }
}

class Scanner {
  pos = 0;
  /** Strings of at least this many characters set `sawLong` in `pickObject`. */
  longAt = Infinity;
  sawLong = false;
  constructor(readonly text: string) {}

  peek(): number {
    if (this.pos >= this.text.length) {
      throw new MalformedJsonError("Cannot read Zoho body: unexpected end of JSON");
    }
    return this.text.charCodeAt(this.pos);
  }

  expect(code: number): void {
    if (this.peek() !== code) {
      throw new MalformedJsonError(
        `Cannot read Zoho body: expected ${String.fromCharCode(code)} at ${this.pos}`,
      );
    }
    this.pos++;
  }

  skipWs(): void {
    const t = this.text;
    while (this.pos < t.length && isWs(t.charCodeAt(this.pos))) this.pos++;
  }

  /** Skips a string starting at pos; returns the index after its closing quote. */
  skipString(): number {
    this.expect(34);
    const t = this.text;
    for (;;) {
      const q = t.indexOf('"', this.pos);
      if (q < 0) throw new MalformedJsonError("Cannot read Zoho body: unterminated string");
      let backslashes = 0;
      for (let i = q - 1; i >= this.pos && t.charCodeAt(i) === 92; i--) backslashes++;
      this.pos = q + 1;
      if (backslashes % 2 === 0) return this.pos;
    }
  }

  /** Skips an object at pos, returning the raw value texts of its top-level keys in `pick`. */
  pickObject(pick: KeyPicker): Record<string, string> {
    const out: Record<string, string> = {};
    const t = this.text;
    this.sawLong = false;
    this.expect(123);
    this.skipWs();
    if (this.peek() === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      const keyStart = this.pos + 1;
      const keyEnd = this.skipString() - 1;
      // Keys are compared as written, without slicing them out; an escaped key (never seen in
      // Zoho) is simply not picked.
      const key = pick.match(t, keyStart, keyEnd);
      this.skipWs();
      this.expect(58); // :
      this.skipWs();
      const valueStart = this.pos;
      this.skipValue();
      if (key !== null) out[key] = t.slice(valueStart, this.pos);
      // Escapes make the raw text longer than the value: decode only the candidates.
      if (
        !this.sawLong && this.pos - valueStart - 2 >= this.longAt &&
        t.charCodeAt(valueStart) === 34
      ) {
        this.sawLong = (JSON.parse(t.slice(valueStart, this.pos)) as string).length >= this.longAt;
      }
      this.skipWs();
      if (this.peek() === 44) this.pos++;
      else {
        this.expect(125);
        return out;
      }
    }
  }

  /** Skips any JSON value, tracking nesting; strings are skipped whole. */
  skipValue(): void {
    const c = this.peek();
    if (c === 34) {
      this.skipString();
      return;
    }
    if (c !== 123 && c !== 91) {
      // a number, true, false or null: up to the next delimiter
      const t = this.text;
      const start = this.pos;
      for (; this.pos < t.length; this.pos++) {
        const d = t.charCodeAt(this.pos);
        if (d === 44 || d === 93 || d === 125 || isWs(d)) break;
      }
      if (this.pos === t.length || this.pos === start) {
        throw new MalformedJsonError("Cannot read Zoho body: unexpected end of JSON");
      }
      return;
    }
    const t = this.text;
    let depth = 0;
    for (;;) {
      if (this.pos >= t.length) {
        throw new MalformedJsonError("Cannot read Zoho body: unexpected end of JSON");
      }
      const ch = t.charCodeAt(this.pos);
      if (ch === 34) {
        this.skipString();
        continue;
      }
      this.pos++;
      if (ch === 123 || ch === 91) depth++;
      else if (ch === 125 || ch === 93) {
        depth--;
        if (depth === 0) return;
      }
    }
  }
}

/** Reads the few fields the engine decides on from one raw record (its numbers may be lossy). */
export function peekRecord(raw: string): Record<string, unknown> {
  return JSON.parse(raw) as Record<string, unknown>;
}
