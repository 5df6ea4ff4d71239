/**
 * Optional cache of list-view JSON (`listCache: true`): each record is rendered once into UTF-8
 * bytes holding `"id":…`, its record-level `$` keys and a `,"Name":value` fragment per field (list
 * shape: rich text cut, subforms left out), with the offset of every fragment, kept in large
 * off-heap arenas (little for the GC to trace). A page for any `fields` set is then copied
 * together from those ranges, byte for byte what projecting and `JSON.stringify`-ing the records
 * and encoding the page gives (`projectForList`). An entry is used only while the
 * record's overlay object, the module's added fields and the day count of clock-dependent formulas
 * (Lead_Age_Days) are those it was rendered with; any mutation replaces one of them.
 */
import { ageDays, clockInput } from "../dataset/dataset.ts";
import type { FieldDef, ZohoRecord } from "../dataset/types.ts";
import { stringify } from "../sim/json.ts";
import { type ListTruncation, listValue } from "../sim/render.ts";
import type { Override, RecordStore } from "./record_store.ts";

interface Entry {
  /** The record's bytes (a view into an arena). */
  bytes: Uint8Array;
  /** End of `"id":…`, end of the `$` keys; starts[j] is where field j's fragment begins. */
  idEnd: number;
  dollarEnd: number;
  starts: Int32Array;
  override: Override | undefined;
  fieldCount: number;
  /** Creation time read by Lead_Age_Days (null: no clock dependence) and the day count used. */
  created: number | null;
  age: number;
}

const encoder = new TextEncoder();
const ARENA_BYTES = 8 << 20;

/** UTF-8 length of text[from, to) (JSON text has no lone surrogates). */
function utf8Length(text: string, from = 0, to = text.length): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      k++;
    } else n += 3;
  }
  return n;
}

/** How to assemble one page's records from entries: null when the cache cannot serve it. */
export interface ListPlan {
  /** Pairs [from, to) of consecutive field positions. */
  runs: number[];
  dollar: boolean;
  /** `,"$has_more":{…}` for requested subforms and the closing brace, as bytes. */
  tail: Uint8Array;
}

/** Where a record-level `$` key goes in list responses (see projectForList). */
function listDollar(key: string, defs: ReadonlyMap<string, FieldDef>): boolean {
  return key.startsWith("$") && key !== "$has_more" && !defs.has(key);
}

/** The plan for `names`, or null when a name needs the uncached path (a requested `$` key). */
export function planList(
  names: readonly string[],
  defs: readonly FieldDef[],
  defMap: ReadonlyMap<string, FieldDef>,
  dollarKeys: "all" | "requested",
): ListPlan | null {
  const position = new Map(defs.map((f, j) => [f.api_name, j]));
  const seen = new Set<string>();
  const positions: number[] = [];
  const more: Record<string, boolean> = {};
  let hasMore = false;
  for (const name of names) {
    if (name === "id" || seen.has(name)) continue;
    if (name.startsWith("$") && !defMap.has(name)) {
      if (name === "$has_more") continue;
      return null;
    }
    const def = defMap.get(name);
    if (!def) continue;
    // An array-index name would be ordered first by JSON.stringify: leave that to the slow path.
    if (/^(0|[1-9]\d*)$/.test(name)) return null;
    seen.add(name);
    if (def.data_type === "subform") {
      more[name] = true;
      hasMore = true;
    } else positions.push(position.get(name) as number);
  }
  const runs: number[] = [];
  for (const p of positions) {
    if (runs.length > 0 && runs[runs.length - 1] === p) runs[runs.length - 1] = p + 1;
    else runs.push(p, p + 1);
  }
  const tail = encoder.encode((hasMore ? `,"$has_more":${JSON.stringify(more)}` : "") + "}");
  return { runs, dollar: dollarKeys === "all", tail };
}

/** Renders records once and serves their list-view JSON text from then on. */
export class ListCache {
  readonly #entries = new Map<string, (Entry | undefined)[]>();
  #arena = new Uint8Array(0);
  #used = 0;
  hits = 0;
  misses = 0;

  #truncate: ListTruncation;

  /** `truncate` is read on every page: a switch flipped at run time empties the cache. */
  constructor(
    readonly store: RecordStore,
    readonly truncation: () => ListTruncation = () => "rich_text",
  ) {
    this.#truncate = truncation();
  }

  /**
   * A list response body: `{"data":[records…],"info":…}` with the records' JSON under `plan` (the
   * records must exist; liveness is the caller's) and `info` already serialised.
   */
  page(module: string, rows: readonly number[], now: number, plan: ListPlan, info: string) {
    this.#checkTruncation();
    const entries = rows.map((i) => this.#entry(module, i, now));
    const head = encoder.encode(`{"data":[`);
    const foot = encoder.encode(`],"info":${info}}`);
    const runs = plan.runs;
    const tail = plan.tail;
    let total = head.length + foot.length + Math.max(0, entries.length - 1);
    for (const e of entries) {
      total += 1 + (plan.dollar ? e.dollarEnd : e.idEnd) + tail.length;
      for (let k = 0; k < runs.length; k += 2) {
        total += e.starts[runs[k + 1] as number]! - e.starts[runs[k] as number]!;
      }
    }
    const out = new Uint8Array(total);
    out.set(head);
    let pos = head.length;
    entries.forEach((e, n) => {
      if (n > 0) out[pos++] = 0x2c; // ,
      out[pos++] = 0x7b; // {
      const bytes = e.bytes;
      const first = plan.dollar ? e.dollarEnd : e.idEnd;
      out.set(bytes.subarray(0, first), pos);
      pos += first;
      for (let k = 0; k < runs.length; k += 2) {
        const from = e.starts[runs[k] as number]!;
        const to = e.starts[runs[k + 1] as number]!;
        out.set(bytes.subarray(from, to), pos);
        pos += to - from;
      }
      out.set(tail, pos);
      pos += tail.length;
    });
    out.set(foot, pos);
    return out;
  }

  /** Renders every live record of a module now; returns how many. */
  prerender(module: string, now: number): number {
    this.#checkTruncation();
    const total = this.store.total(module);
    let n = 0;
    for (let i = 0; i < total; i++) {
      if (!this.store.isLive(module, i)) continue;
      this.#entry(module, i, now);
      n++;
    }
    return n;
  }

  /** Entries held (valid or not). */
  size(): number {
    let n = 0;
    for (const list of this.#entries.values()) for (const e of list) if (e) n++;
    return n;
  }

  clear(): void {
    this.#entries.clear();
    this.#arena = new Uint8Array(0);
    this.#used = 0;
  }

  #checkTruncation(): void {
    const t = this.truncation();
    if (t !== this.#truncate) {
      this.clear();
      this.#truncate = t;
    }
  }

  /** `length` bytes in the current arena (a new one when it is full). */
  #alloc(length: number): Uint8Array {
    if (this.#used + length > this.#arena.length) {
      this.#arena = new Uint8Array(Math.max(ARENA_BYTES, length));
      this.#used = 0;
    }
    const view = this.#arena.subarray(this.#used, this.#used + length);
    this.#used += length;
    return view;
  }

  #entry(module: string, i: number, now: number): Entry {
    const s = this.store.state(module);
    let list = this.#entries.get(module);
    if (!list) this.#entries.set(module, list = []);
    const e = list[i];
    if (
      e && e.override === s.overrides.get(i) && e.fieldCount === s.fields.length &&
      (e.created === null || ageDays(e.created, now) === e.age)
    ) {
      this.hits++;
      return e;
    }
    this.misses++;
    const fresh = this.#render(module, i, now);
    list[i] = fresh;
    return fresh;
  }

  #render(module: string, i: number, now: number): Entry {
    const s = this.store.state(module);
    const rec: ZohoRecord = this.store.record(module, i, now);
    const defs = this.store.fields(module);
    const defMap = new Map(defs.map((f) => [f.api_name, f]));
    let text = `"id":${stringify(rec.id)}`;
    const idEnd = text.length;
    for (const [key, value] of Object.entries(rec)) {
      if (value !== undefined && listDollar(key, defMap)) {
        text += `,${JSON.stringify(key)}:${stringify(value)}`;
      }
    }
    const dollarEnd = text.length;
    const starts = new Int32Array(defs.length + 1);
    defs.forEach((field, j) => {
      starts[j] = text.length;
      // Fragments follow the definition projectForList uses for the name (the last one).
      const def = defMap.get(field.api_name) as FieldDef;
      if (def !== field || def.data_type === "subform") return;
      const value = listValue(def, rec[field.api_name], this.#truncate);
      text += `,${JSON.stringify(field.api_name)}:${stringify(value === undefined ? null : value)}`;
    });
    starts[defs.length] = text.length;
    const length = utf8Length(text);
    const bytes = this.#alloc(length);
    encoder.encodeInto(text, bytes);
    let [idBytes, dollarBytes] = [idEnd, dollarEnd];
    if (length !== text.length) {
      // Not ASCII: turn character offsets into byte offsets.
      idBytes = utf8Length(text, 0, idEnd);
      dollarBytes = idBytes + utf8Length(text, idEnd, dollarEnd);
      let [char, byte] = [dollarEnd, dollarBytes];
      for (let j = 0; j <= defs.length; j++) {
        byte += utf8Length(text, char, starts[j]);
        char = starts[j] as number;
        starts[j] = byte;
      }
    }
    const created = clockInput(module, rec);
    return {
      bytes,
      idEnd: idBytes,
      dollarEnd: dollarBytes,
      starts,
      override: s.overrides.get(i),
      fieldCount: s.fields.length,
      created,
      age: created === null ? 0 : ageDays(created, now),
    };
  }
}
