/**
 * A slice's budget: wall clock (the Edge wall-clock limit) and CPU time (hosted Edge Functions
 * get about 2 s of CPU per request and kill a request past it with 546 WORKER_LIMIT). The sync
 * stops starting new pages once either is spent; pages already in flight and the slice's final
 * writes run on the reserve.
 */
import process from "node:process";

/** Share of the CPU budget after which no new page starts (the rest is the reserve). */
export const CPU_STOP_SHARE = 0.5;

/**
 * CPU time (user + system) of this process so far, in ms. Where `process.cpuUsage()` is not
 * available, wall-clock time stands in: never less than the CPU a single thread used, so the
 * budget still holds (slices only get shorter).
 */
export function processCpuMs(): number {
  try {
    const u = process.cpuUsage();
    if (Number.isFinite(u.user) && Number.isFinite(u.system)) return (u.user + u.system) / 1000;
  } catch { /* not implemented by this runtime */ }
  return performance.now();
}

/** Whether a slice must stop starting work, and the CPU it has used. */
export interface SliceBudget {
  spent(): boolean;
  cpuUsedMs(): number;
}

/** Starts measuring a slice now. */
export function sliceBudget(options: {
  /** Wall-clock time (ms since epoch) after which no new page starts. */
  deadline: number;
  /** CPU budget of the whole slice, ms. */
  cpuMs: number;
  now?: () => number;
  cpu?: () => number;
}): SliceBudget {
  const now = options.now ?? Date.now;
  const cpu = options.cpu ?? processCpuMs;
  const start = cpu();
  const stopAt = options.cpuMs * CPU_STOP_SHARE;
  return {
    spent: () => now() >= options.deadline || cpu() - start >= stopAt,
    cpuUsedMs: () => cpu() - start,
  };
}
