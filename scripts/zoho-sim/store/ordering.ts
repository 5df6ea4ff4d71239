/**
 * Record orderings for Get Records: by id (the record index), Created_Time or Modified_Time.
 * Time orders keep the immutable base as sorted typed arrays (built lazily, once) and merge in a
 * small sorted list of overridden records, so a keyset cursor (key, index) resumes in O(log n).
 */
import type { RecordStore } from "./record_store.ts";

export type SortBy = "id" | "Created_Time" | "Modified_Time";

/** Position in an ordering: sort key (epoch seconds, or the index for id) and record index. */
export interface Cursor {
  key: number;
  index: number;
}

interface BaseOrder {
  idx: Uint32Array;
  keys: Float64Array;
}

interface Extras {
  version: number;
  items: Cursor[];
}

function cmp(ak: number, ai: number, bk: number, bi: number): number {
  return ak - bk || ai - bi;
}

/** Builds and caches orderings for one store. */
export class Orderings {
  readonly #base = new Map<string, BaseOrder>();
  readonly #extras = new Map<string, Extras>();

  constructor(readonly store: RecordStore) {}

  #baseOrder(module: string, by: "Created_Time" | "Modified_Time"): BaseOrder {
    const cacheKey = `${module}:${by}`;
    let order = this.#base.get(cacheKey);
    if (!order) {
      const n = this.store.state(module).base;
      const raw = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t = this.store.dataset.times(module, i);
        raw[i] = by === "Created_Time" ? t.created : t.modified;
      }
      const idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      idx.sort((a, b) => (raw[a] as number) - (raw[b] as number) || a - b);
      const keys = new Float64Array(n);
      for (let p = 0; p < n; p++) keys[p] = raw[idx[p] as number] as number;
      order = { idx, keys };
      this.#base.set(cacheKey, order);
    }
    return order;
  }

  #extraItems(module: string, by: "Created_Time" | "Modified_Time"): Cursor[] {
    const s = this.store.state(module);
    const cacheKey = `${module}:${by}`;
    const cached = this.#extras.get(cacheKey);
    if (cached && cached.version === s.version) return cached.items;
    const items: Cursor[] = [];
    for (const [index, o] of s.overrides) {
      items.push({ index, key: by === "Created_Time" ? o.created : o.modified });
    }
    items.sort((a, b) => cmp(a.key, a.index, b.key, b.index));
    this.#extras.set(cacheKey, { version: s.version, items });
    return items;
  }

  /** Sort key of a record under an ordering. */
  keyOf(module: string, by: SortBy, index: number): number {
    if (by === "id") return index;
    const t = this.store.times(module, index);
    return by === "Created_Time" ? t.created : t.modified;
  }

  /** Yields records in order, strictly after `after` when given. Deleted records included. */
  *scan(module: string, by: SortBy, desc: boolean, after?: Cursor): Generator<Cursor> {
    const total = this.store.total(module);
    if (by === "id") {
      if (desc) {
        for (let i = after ? after.index - 1 : total - 1; i >= 0; i--) yield { key: i, index: i };
      } else {
        for (let i = after ? after.index + 1 : 0; i < total; i++) yield { key: i, index: i };
      }
      return;
    }
    const base = this.#baseOrder(module, by);
    const extras = this.#extraItems(module, by);
    const overridden = this.store.state(module).overrides;
    const n = base.idx.length;
    if (!desc) {
      let bp = after ? upperBound(base, after) : 0;
      let ep = after ? extras.findIndex((c) => cmp(c.key, c.index, after.key, after.index) > 0) : 0;
      if (ep < 0) ep = extras.length;
      while (true) {
        while (bp < n && overridden.has(base.idx[bp] as number)) bp++;
        const b = bp < n ? { key: base.keys[bp] as number, index: base.idx[bp] as number } : null;
        const e = extras[ep];
        if (!b && !e) return;
        if (b && (!e || cmp(b.key, b.index, e.key, e.index) < 0)) {
          bp++;
          yield b;
        } else if (e) {
          ep++;
          yield e;
        }
      }
    }
    let bp = after ? lowerBound(base, after) - 1 : n - 1;
    let ep = extras.length - 1;
    if (after) {
      while (ep >= 0 && cmp(extras[ep]!.key, extras[ep]!.index, after.key, after.index) >= 0) {
        ep--;
      }
    }
    while (true) {
      while (bp >= 0 && overridden.has(base.idx[bp] as number)) bp--;
      const b = bp >= 0 ? { key: base.keys[bp] as number, index: base.idx[bp] as number } : null;
      const e = ep >= 0 ? extras[ep] : undefined;
      if (!b && !e) return;
      if (b && (!e || cmp(b.key, b.index, e.key, e.index) > 0)) {
        bp--;
        yield b;
      } else if (e) {
        ep--;
        yield e;
      }
    }
  }
}

/** First position strictly greater than the cursor. */
function upperBound(base: BaseOrder, c: Cursor): number {
  let lo = 0;
  let hi = base.idx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(base.keys[mid] as number, base.idx[mid] as number, c.key, c.index) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position greater than or equal to the cursor. */
function lowerBound(base: BaseOrder, c: Cursor): number {
  let lo = 0;
  let hi = base.idx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(base.keys[mid] as number, base.idx[mid] as number, c.key, c.index) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
