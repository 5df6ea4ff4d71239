/** Log of every request the simulator answered, for tests to inspect. */

export interface RequestLogEntry {
  seq: number;
  /** Simulator clock, epoch seconds. */
  at: number;
  method: string;
  /** Path as received, including any /dc/{name} prefix. */
  path: string;
  query: string;
  dc: string;
  status: number;
  credits: number;
  faults: string[];
  /** Zoho error code when the response was an error envelope. */
  code?: string;
}

/** Bounded in-memory request log. */
export class RequestLog {
  #entries: RequestLogEntry[] = [];
  #seq = 0;
  #waiters: { match: (e: RequestLogEntry) => boolean; resolve: (e: RequestLogEntry) => void }[] =
    [];
  constructor(readonly capacity: number) {}

  /**
   * The next request that `match` accepts, as soon as it arrives: the promise settles before the
   * simulator answers it (its continuation runs before any timer of the request's), so a test can
   * change the simulator while that request is in flight, whatever the machine's load.
   */
  next(match: (e: RequestLogEntry) => boolean): Promise<RequestLogEntry> {
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** Starts an entry; the caller fills status and credits before the response leaves. */
  begin(at: number, method: string, path: string, query: string, dc: string): RequestLogEntry {
    const entry: RequestLogEntry = {
      seq: ++this.#seq,
      at,
      method,
      path,
      query,
      dc,
      status: 0,
      credits: 0,
      faults: [],
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.shift();
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(entry)) return true;
      w.resolve(entry);
      return false;
    });
    return entry;
  }

  entries(): readonly RequestLogEntry[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
  }
}
