/**
 * The test handle of a running simulator: move the clock, change records while a sync runs, add
 * fields, inject faults, read the request log and the credit ledger, expire or revoke tokens.
 */
import { idOf } from "./dataset/context.ts";
import { RECORD_MODULES } from "./dataset/modules.ts";
import { parseDateTime } from "./dataset/time_format.ts";
import type { FieldDef, ZohoRecord } from "./dataset/types.ts";
import { completeJob } from "./sim/bulk_export.ts";
import type { Behaviour, DataCentre, DcCredentials } from "./sim/config.ts";
import type { FaultRule, FaultRuleInput } from "./sim/faults.ts";
import type { LedgerEntry } from "./sim/limits.ts";
import type { RequestLogEntry } from "./sim/request_log.ts";
import type { SimState } from "./sim/state.ts";
import { ListCache } from "./store/list_cache.ts";

/** Library handle for tests. Times are epoch seconds. */
export interface SimControls {
  clock: {
    now(): number;
    advance(seconds: number): number;
    /** Sets the clock (epoch seconds or an ISO 8601 string). */
    set(time: number | string): number;
  };
  records: {
    /** Current full record, or null when missing or deleted. */
    get(module: string, id: string): ZohoRecord | null;
    create(module: string, values?: Record<string, unknown>): ZohoRecord;
    /** Updates fields; `bump: false` changes data without moving Modified_Time. */
    update(
      module: string,
      id: string,
      patch: Record<string, unknown>,
      options?: { bump?: boolean },
    ): ZohoRecord;
    /**
     * A mass update (an import, a workflow, a blueprint transition): `count` live records of the
     * module, from the `from`-th live one in id order (default 0), patched and stamped with the
     * current second; returns their ids. `patch` gets the record's position in the batch.
     */
    massUpdate(
      module: string,
      options: { count: number; from?: number; patch?: (n: number) => Record<string, unknown> },
    ): string[];
    delete(module: string, id: string, options?: { permanent?: boolean }): void;
    restore(module: string, id: string): ZohoRecord;
    convert(leadId: string): { contact: string; account: string; deal: string };
    /** Live records of a module in id order, as single-record GET returns them now. */
    iterate(module: string): Generator<ZohoRecord>;
    /** Id of the record at `index` (base records are 0..count-1). */
    idOf(module: string, index: number): string;
    count(module: string): number;
  };
  fields: { add(module: string, field: FieldDef, valueOf?: (index: number) => unknown): void };
  faults: {
    add(rule: FaultRuleInput): number;
    remove(id: number): boolean;
    clear(): void;
    list(): readonly FaultRule[];
  };
  log: {
    entries(): readonly RequestLogEntry[];
    clear(): void;
    /** The next request `match` accepts, settled as it arrives (before it is answered). */
    next(match: (e: RequestLogEntry) => boolean): Promise<RequestLogEntry>;
  };
  ledger: {
    used(): number;
    remaining(): number;
    limit(): number;
    setLimit(credits: number): void;
    entries(): readonly LedgerEntry[];
    reset(): void;
  };
  tokens: {
    expireAll(): number;
    /** Expires every page_token issued so far, as 24 hours passing would (clock unchanged). */
    expirePageTokens(): number;
    expire(accessToken: string): number;
    revoke(token: string): boolean;
    /** Adds a refresh token for the DC's client, e.g. with a narrower scope. */
    issueRefreshToken(options: { dc?: DataCentre; scope: string }): string;
    credentials(dc: DataCentre): DcCredentials;
  };
  bulk: { complete(jobId: string): void; fail(jobId: string): void };
  gates: { concurrencyActive(): number; subConcurrencyActive(): number };
  /** Switches for unverified behaviours; mutable at runtime. */
  behaviour: Behaviour;
  /** The list-view JSON cache (store/list_cache.ts); off unless `listCache` or `prerender`. */
  listCache: {
    enabled(): boolean;
    /** Turns the cache on (if off) and renders every live record of the modules; returns how many. */
    prerender(modules?: readonly string[]): number;
    stats(): { entries: number; hits: number; misses: number };
  };
}

/** Builds the controls of a simulator state. */
export function createControls(state: SimState): SimControls {
  const store = state.store;
  const now = () => state.clock.now();
  const job = (id: string) => {
    const j = state.bulk.jobs.get(id);
    if (!j) throw new RangeError(`Cannot find bulk job: ${id}`);
    return j;
  };
  return {
    clock: {
      now,
      advance: (s) => state.clock.advance(s),
      set: (t) => {
        const epoch = typeof t === "number" ? t : parseDateTime(t);
        if (epoch === null) throw new RangeError(`Cannot parse time: ${t}`);
        return state.clock.set(epoch);
      },
    },
    records: {
      get: (module, id) => {
        const i = store.indexOf(module, id);
        return i === null || !store.isLive(module, i) ? null : store.record(module, i, now());
      },
      create: (module, values) => state.mutations.create(module, values),
      update: (module, id, patch, o) => state.mutations.update(module, id, patch, o?.bump ?? true),
      massUpdate: (module, o) => {
        const ids: string[] = [];
        let skip = o.from ?? 0;
        for (let i = 0, total = store.total(module); i < total && ids.length < o.count; i++) {
          if (!store.isLive(module, i) || skip-- > 0) continue;
          const id = store.record(module, i, now()).id as string;
          state.mutations.update(module, id, o.patch?.(ids.length) ?? {}, true);
          ids.push(id);
        }
        return ids;
      },
      delete: (module, id, o) => state.mutations.delete(module, id, o?.permanent ?? false),
      restore: (module, id) => state.mutations.restore(module, id),
      convert: (leadId) => state.mutations.convert(leadId),
      iterate: function* (module) {
        const total = store.total(module);
        for (let i = 0; i < total; i++) {
          if (store.isLive(module, i)) yield store.record(module, i, now());
        }
      },
      idOf: (module, index) => idOf(module, index),
      count: (module) => store.total(module),
    },
    fields: { add: (module, field, valueOf) => state.mutations.addField(module, field, valueOf) },
    faults: {
      add: (rule) => state.faults.add(rule),
      remove: (id) => state.faults.remove(id),
      clear: () => state.faults.clear(),
      list: () => state.faults.list(),
    },
    log: {
      entries: () => state.log.entries(),
      clear: () => state.log.clear(),
      next: (match) => state.log.next(match),
    },
    ledger: {
      used: () => state.ledger.used(now()),
      remaining: () => state.ledger.remaining(now()),
      limit: () => state.ledger.limit,
      setLimit: (credits) => {
        state.ledger.limit = credits;
      },
      entries: () => state.ledger.entries,
      reset: () => state.ledger.reset(),
    },
    tokens: {
      expireAll: () => state.tokens.expireAccessTokens(now()),
      expirePageTokens: () => state.pageTokens.expireAll(),
      expire: (token) => state.tokens.expireAccessTokens(now(), token),
      revoke: (token) => state.tokens.revoke(token),
      issueRefreshToken: ({ dc = "us", scope }) =>
        state.tokens.addRefreshToken(
          dc,
          (state.credentials.get(dc) as DcCredentials).clientId,
          scope,
        ),
      credentials: (dc) => state.credentials.get(dc) as DcCredentials,
    },
    bulk: {
      complete: (id) => completeJob(state, job(id)),
      fail: (id) => {
        const j = job(id);
        j.failNext = true;
        completeJob(state, j);
      },
    },
    gates: {
      concurrencyActive: () => state.gate.active,
      subConcurrencyActive: () => state.subGate.active,
    },
    behaviour: state.options.behaviour,
    listCache: {
      enabled: () => state.listCache !== null,
      prerender: (modules = RECORD_MODULES.map((m) => m.api_name)) => {
        const cache = state.listCache ??= new ListCache(
          store,
          () => state.options.behaviour.listTruncates,
        );
        return modules.reduce((n, module) => n + cache.prerender(module, now()), 0);
      },
      stats: () => ({
        entries: state.listCache?.size() ?? 0,
        hits: state.listCache?.hits ?? 0,
        misses: state.listCache?.misses ?? 0,
      }),
    },
  };
}
