import cron, { type ScheduledTask } from "node-cron";
import type { Source, SourceState } from "../model/index.js";
import type { Logger } from "../shared/logger.js";
import { dueCheck } from "./due-check.js";

export type SkipReason = "overlap" | "backoff" | "min-interval";

export interface SchedulerOptions {
  sources: Source[];
  /** Upper bound of the random delay before a scheduled refresh (spreads the load on the sources). */
  jitterSeconds: number;
  getState(sourceId: string): SourceState | undefined;
  /**
   * Refreshes the sources (with the cross-source concurrency limit and one
   * request per host) and renders each output they changed once.
   */
  runBatch(sources: Source[]): Promise<void>;
  logger: Logger;
  /** Due sources arriving within this window join one batch (one render). */
  batchWindowMs?: number;
  onSkip?(sourceId: string, reason: SkipReason): void;
  now?: () => Date;
  random?: () => number;
}

export interface Scheduler {
  /** Starts the cron tasks. */
  start(): void;
  /** Refreshes the given sources now (no jitter), skipping those backing off; resolves when their batch is done. */
  runNow(sources?: Source[]): Promise<void>;
  /** Source ids waiting for jitter, queued or refreshing. */
  active(): string[];
  /**
   * Stops scheduling, drops what has not started and waits at most
   * `timeoutMs` for the running batch. Resolves true when nothing is left running.
   */
  stop(timeoutMs: number): Promise<boolean>;
}

/**
 * One cron task per source. A tick is skipped while the same source is still
 * waiting, queued or refreshing (no overlap), while it backs off after
 * failures, and before the interval it asked for has passed. Due sources wait
 * a random delay, then join a batch; one batch runs at a time, so outputs
 * touched by several sources render once per batch.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const batchWindowMs = options.batchWindowMs ?? 250;
  const { logger } = options;
  const controller = new AbortController();
  const activeIds = new Set<string>();
  const queue: Source[] = [];
  const waiters: Array<() => void> = [];
  let tasks: ScheduledTask[] = [];
  let timer: NodeJS.Timeout | undefined;
  let batch: Promise<void> | undefined;
  let stopped = false;

  function skip(source: Source, reason: SkipReason, until?: Date): void {
    options.onSkip?.(source.id, reason);
    logger.info(
      { source: source.id, skipped: reason, ...(until ? { until: until.toISOString() } : {}) },
      reason === "overlap"
        ? `schedule: ${source.id} is still refreshing; tick skipped`
        : `schedule: ${source.id} is not due before ${until?.toISOString()} (${reason}); tick skipped`,
    );
  }

  function isDue(source: Source): boolean {
    const check = dueCheck(options.getState(source.id), now(), options.jitterSeconds);
    if (!check.due) skip(source, check.reason, check.until);
    return check.due;
  }

  function kick(immediate = false): void {
    if (batch !== undefined || timer !== undefined || stopped || (queue.length === 0 && waiters.length === 0)) return;
    timer = setTimeout(runQueued, immediate ? 0 : batchWindowMs);
  }

  function runQueued(): void {
    timer = undefined;
    const sources = queue.splice(0);
    const done = waiters.splice(0);
    batch = options
      .runBatch(sources)
      .catch((error: unknown) => logger.error({ err: error }, "schedule: a refresh batch failed"))
      .finally(() => {
        for (const s of sources) activeIds.delete(s.id);
        batch = undefined;
        for (const d of done) d();
        kick();
      });
  }

  async function tick(source: Source): Promise<void> {
    if (stopped) return;
    if (activeIds.has(source.id)) return skip(source, "overlap");
    if (!isDue(source)) return;
    activeIds.add(source.id);
    const delayMs = Math.round(random() * options.jitterSeconds * 1000);
    if (delayMs > 0) await sleep(delayMs, controller.signal);
    if (stopped) {
      activeIds.delete(source.id);
      return;
    }
    queue.push(source);
    kick();
  }

  return {
    start() {
      tasks = options.sources.map((s) => cron.schedule(s.schedule, () => void tick(s), { name: `refresh:${s.id}`, suppressMissedWarning: true }));
    },
    runNow(sources = options.sources) {
      if (stopped) return Promise.resolve();
      const due = sources.filter((s) => {
        if (!activeIds.has(s.id)) return isDue(s);
        skip(s, "overlap");
        return false;
      });
      for (const s of due) activeIds.add(s.id);
      // An empty batch still runs: it renders outputs missing on disk.
      queue.push(...due);
      const finished = new Promise<void>((resolve) => waiters.push(resolve));
      if (batch === undefined && timer === undefined) {
        timer = setTimeout(runQueued, 0);
      }
      return finished;
    },
    active: () => [...activeIds].sort(),
    async stop(timeoutMs) {
      stopped = true;
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const s of queue.splice(0)) activeIds.delete(s.id);
      for (const d of waiters.splice(0)) d();
      await Promise.all(tasks.map((t) => t.destroy()));
      tasks = [];
      if (batch === undefined) return true;
      let timeout: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        batch.then(() => true),
        new Promise<boolean>((resolve) => {
          timeout = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timeout);
      return drained;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
