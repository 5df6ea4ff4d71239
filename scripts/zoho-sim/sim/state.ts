/** Everything one running simulator holds, wired from resolved options. */
import { createDataset, type Dataset } from "../dataset/dataset.ts";
import { Mutations } from "../store/mutations.ts";
import { ListCache } from "../store/list_cache.ts";
import { Orderings } from "../store/ordering.ts";
import { RecordStore } from "../store/record_store.ts";
import { BulkJobs } from "./bulk_jobs.ts";
import { PageTokens } from "./page_tokens.ts";
import { SimClock } from "./clock.ts";
import {
  DATA_CENTRES,
  type DataCentre,
  type DcCredentials,
  dcCredentials,
  editionLimits,
  type ResolvedOptions,
} from "./config.ts";
import { FaultInjector } from "./faults.ts";
import { CreditLedger, Gate } from "./limits.ts";
import { RequestLog } from "./request_log.ts";
import { TokenStore } from "./tokens.ts";

export interface SimState {
  options: ResolvedOptions;
  dataset: Dataset;
  store: RecordStore;
  orderings: Orderings;
  /** Cached list-view JSON of records (options.listCache or prerender), else null. */
  listCache: ListCache | null;
  mutations: Mutations;
  clock: SimClock;
  tokens: TokenStore;
  ledger: CreditLedger;
  gate: Gate;
  subGate: Gate;
  faults: FaultInjector;
  log: RequestLog;
  pageTokens: PageTokens;
  bulk: BulkJobs;
  credentials: Map<DataCentre, DcCredentials>;
  /** Origin the server listens on, e.g. "http://127.0.0.1:54330" (set after listen). */
  origin: string;
}

/** Base URL of a data centre: the root for "us", /dc/{name} otherwise. */
export function dcBase(state: SimState, dc: DataCentre): string {
  return dc === "us" ? state.origin : `${state.origin}/dc/${dc}`;
}

export function createState(options: ResolvedOptions): SimState {
  const dataset = createDataset({
    seed: options.seed,
    leads: options.size.leads,
    orgTimezoneOffset: options.orgTimezoneOffset,
  });
  const clock = new SimClock(options.clockStart, options.realTimeClock);
  const store = new RecordStore(dataset);
  const limits = editionLimits(options.edition, options.users);
  const tokens = new TokenStore(options.seed, options.limits);
  const credentials = new Map<DataCentre, DcCredentials>();
  for (const dc of DATA_CENTRES) {
    const creds = dcCredentials(dc);
    credentials.set(dc, creds);
    tokens.register(creds);
  }
  const state: SimState = {
    options,
    dataset,
    store,
    orderings: new Orderings(store),
    listCache: options.listCache || options.prerender !== false
      ? new ListCache(store, () => options.behaviour.listTruncates)
      : null,
    mutations: new Mutations(
      store,
      () => clock.now(),
      () => state.options.behaviour.restoreBumpsModifiedTime,
    ),
    clock,
    tokens,
    ledger: new CreditLedger(options.limits.credits ?? limits.credits),
    gate: new Gate(options.limits.concurrency ?? limits.concurrency),
    subGate: new Gate(options.limits.subConcurrency ?? limits.subConcurrency),
    faults: new FaultInjector(options.seed),
    log: new RequestLog(options.requestLogSize),
    pageTokens: new PageTokens(options.seed),
    bulk: new BulkJobs(),
    credentials,
    origin: "",
  };
  return state;
}
