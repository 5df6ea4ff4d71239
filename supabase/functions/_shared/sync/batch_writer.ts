/**
 * Group commit for one module's segment readers: pages queued while a write is running go to
 * Postgres together, in one transaction (one COPY, one upsert) that also saves every segment
 * cursor those pages move. The per-transaction cost is paid once per batch instead of once per
 * page, and a page's promise settles only after the transaction holding its rows and its cursor
 * has committed, so cursors still move only after the data they cover.
 */
import type postgres from "postgres";
import { type WriteCounts, writeRecords } from "./writer.ts";

/** Saves the cursor rows a page moves, inside the batch's transaction. */
export type SaveCursor = (tx: postgres.TransactionSql) => Promise<void>;

/** Batch limits. */
export interface BatchOptions {
  /** Records per transaction (a batch takes whole pages, at least one). */
  maxRecords: number;
  /** Transactions in flight at once. */
  maxInFlight: number;
}

/** A module's group-commit writer. */
export interface BatchWriter {
  /** Queues a page; resolves once its rows and cursor have committed. */
  write(records: string[], save: SaveCursor): Promise<void>;
}

interface Pending {
  records: string[];
  save: SaveCursor;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Default limits: a few pages per transaction, two transactions overlapping. 1,000 records (5
 * pages): 2,000 held the 1M-lead sync at 140 MB peak against 130 MB, at the same speed.
 */
export const DEFAULT_BATCH: BatchOptions = { maxRecords: 1_000, maxInFlight: 2 };

/** What a writer writes to, and who hears of each committed batch. */
export interface BatchWriterOptions {
  module: string;
  runId: string | null;
  /** Receives each committed batch's counts. */
  onCounts: (counts: WriteCounts) => void;
  limits?: BatchOptions;
}

/** Creates a group-commit writer. */
export function createBatchWriter(
  sql: postgres.Sql,
  { module, runId, onCounts, limits: options = DEFAULT_BATCH }: BatchWriterOptions,
): BatchWriter {
  const queue: Pending[] = [];
  let inFlight = 0;

  const take = (): Pending[] => {
    const batch = [queue.shift()!];
    let n = batch[0]!.records.length;
    while (queue.length > 0 && n + queue[0]!.records.length <= options.maxRecords) {
      n += queue[0]!.records.length;
      batch.push(queue.shift()!);
    }
    return batch;
  };

  const flush = async (batch: Pending[]) => {
    try {
      const records = batch.length === 1 ? batch[0]!.records : batch.flatMap((p) => p.records);
      const counts = await sql.begin(async (tx) => {
        const c = await writeRecords(tx, { module, records, runId });
        // Cursor rows of different segments: sent together (pipelined), not one by one.
        await Promise.all(batch.map((p) => p.save(tx)));
        return c;
      });
      onCounts(counts);
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };

  const pump = () => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      inFlight++;
      void flush(take()).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    write(records, save) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, save, resolve, reject });
        pump();
      });
    },
  };
}
