/**
 * Group commit for concurrent requests: calls that arrive while a statement runs are gathered and
 * sent together as the next one, so a burst of N requests costs a few statements instead of N
 * (each statement has a fixed cost in Postgres and in the driver that dwarfs one more row). A
 * call alone is sent at once, so an idle system answers as fast as without grouping. Every
 * caller waits for its own result: nothing is answered before it is stored. When a group fails
 * for an item's sake (a statement error: the statement rolled back whole), its items are retried
 * one by one, so one bad item fails alone and the others still succeed; an error that may have
 * come after the commit (a lost connection) fails the whole group instead, never written twice.
 */

/** Runs one statement for `items`; returns one result per item, in order. */
export type GroupRunner<I, O> = (items: I[]) => Promise<O[]>;

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(reason: unknown): void;
}

/** Options of a group. */
export interface GroupOptions {
  /** The largest group (default 100). */
  maxGroup?: number;
  /** Whether the items of a group that failed with `error` are retried alone (default: yes). */
  retryAlone?: (error: unknown) => boolean;
}

/** Returns a function that queues one item and resolves with its result from `run`. */
export function grouped<I, O>(
  run: GroupRunner<I, O>,
  options: GroupOptions = {},
): (item: I) => Promise<O> {
  const maxGroup = options.maxGroup ?? 100;
  const queue: Waiting<I, O>[] = [];
  let running = false;

  async function runGroup(group: Waiting<I, O>[]): Promise<void> {
    let results: O[];
    try {
      results = await run(group.map((w) => w.item));
      if (results.length !== group.length) {
        throw new Error(`A group of ${group.length} gave ${results.length} results`);
      }
    } catch (e) {
      if (group.length === 1 || !(options.retryAlone?.(e) ?? true)) {
        for (const w of group) w.reject(e);
        return;
      }
      // Alone, each item gets its own result or its own error.
      for (const w of group) {
        try {
          const [one] = await run([w.item]);
          w.resolve(one as O);
        } catch (err) {
          w.reject(err);
        }
      }
      return;
    }
    group.forEach((w, i) => w.resolve(results[i]!));
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length) await runGroup(queue.splice(0, maxGroup));
    } finally {
      running = false;
    }
  }

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!running) void drain();
    });
}

/** One grouped function per key (a database pool), created on first use. */
export function groupedPer<K extends object, I, O>(
  make: (key: K) => GroupRunner<I, O>,
  options: GroupOptions = {},
): (key: K, item: I) => Promise<O> {
  const byKey = new WeakMap<K, (item: I) => Promise<O>>();
  return (key, item) => {
    let fn = byKey.get(key);
    if (!fn) byKey.set(key, fn = grouped(make(key), options));
    return fn(item);
  };
}
