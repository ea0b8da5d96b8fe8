import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Source, SourceReconcileResult, Store } from "../model/index.js";
import { describeError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { openPreparePool, type PreparePool } from "./prepare-pool.js";
import { type RefreshDeps, type RefreshResult, refreshSource } from "./refresh-source.js";
import { openWriteGroup } from "./write-group.js";

export interface CycleOptions {
  /** Sources refreshed at the same time. */
  concurrency: number;
  /**
   * Normalizes and tags feeds on a second core, a pool the caller owns;
   * without one the cycle opens its own when it pays. With none at all the
   * main thread does the work alone, with the same result.
   */
  prepare?: PreparePool;
  /**
   * Called once, as soon as every source has started and one of those done
   * has changed, before that refresh's writes are committed: what follows
   * the cycle (its render) can get ready on the other core while the last
   * refreshes finish. It must not throw, and the cycle does not wait for it.
   */
  nearEnd?: () => void;
}

function hostOf(source: Source): string {
  if (source.url === undefined) return `file:${source.id}`;
  try {
    return new URL(source.url).host;
  } catch {
    return source.url;
  }
}

/**
 * Refreshes the sources with a concurrency limit and one request at a time per
 * host (politeness). One failing source never stops the others. A feed
 * large enough is normalized and tagged with the help of a worker thread
 * (PreparePool), started on the first such feed and stopped at the end.
 */
export async function refreshSources(sources: Source[], deps: RefreshDeps, options: CycleOptions): Promise<RefreshResult[]> {
  if (options.prepare !== undefined) return refreshAll(sources, deps, options.prepare, options);
  const prepare = openPreparePool(deps.taxonomy, deps.logger);
  if (prepare === undefined) return refreshAll(sources, deps, undefined, options);
  prepare.expectSources(sources.length);
  try {
    return await refreshAll(sources, deps, prepare, options);
  } finally {
    await prepare.close();
  }
}

/** refreshSources with the cycle's prepare pool, if any. */
async function refreshAll(sources: Source[], deps: RefreshDeps, prepare: PreparePool | undefined, options: CycleOptions): Promise<RefreshResult[]> {
  const results: RefreshResult[] = new Array(sources.length);
  /** Sources whose committed-looking writes a failed batch rolled back, with the store's error. */
  const lost = new Map<string, { code: string; message: string }>();
  // The refreshes' writes are committed in batches, between two refreshes.
  const group = openWriteGroup(deps.store, { failed: (error) => lostWrites(error, lost, deps.logger) });
  const hostBusy = new Map<string, Promise<void>>();
  let next = 0;
  let changed = false;
  let nearEnd = options.nearEnd;
  async function worker(): Promise<void> {
    while (next < sources.length) {
      const index = next++;
      const source = sources[index]!;
      const host = hostOf(source);
      const before = hostBusy.get(host) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      hostBusy.set(
        host,
        before.then(() => mine),
      );
      await before;
      try {
        results[index] = await refreshSource(source, deps, prepare);
      } finally {
        release();
      }
      if (results[index]?.status === "updated") changed = true;
      if (nearEnd !== undefined && changed && next >= sources.length) {
        const call = nearEnd;
        nearEnd = undefined;
        call();
      }
      group.flush();
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, sources.length) }, worker));
  } finally {
    group.close();
  }
  // A source of a batch whose commit failed is reported failed, whatever its refresh said.
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    const failure = result === undefined ? undefined : lost.get(result.sourceId);
    if (result !== undefined && failure !== undefined) {
      results[i] = {
        sourceId: result.sourceId,
        status: "failed",
        durationMs: result.durationMs,
        code: failure.code,
        message: `${result.sourceId}: ${failure.message}`,
      };
    }
  }
  return results;
}

/**
 * A batch of refreshes whose commit failed (a full disk, an I/O error) was
 * rolled back whole: each of its sources is to be reported failed, with the
 * store's error. Their states were rolled back too, so the next run fetches
 * them again; nothing published is touched.
 */
function lostWrites(error: unknown, lost: Map<string, { code: string; message: string }>, logger: Logger): void {
  const sourceIds = (error as { sourceIds?: string[] }).sourceIds ?? [];
  const { code, message } = describeError(error);
  logger.error(
    { err: error, sources: sourceIds },
    `store: the writes of ${sourceIds.length} source(s) could not be committed and were rolled back: ${message}`,
  );
  for (const id of sourceIds) lost.set(id, { code, message });
}

export interface RetireOptions {
  /** Every id the config lists, enabled or not: disabling a source pauses it, it does not remove it. */
  configuredIds: string[];
  graceDays: number;
  feedsDir: string;
  now: Date;
  logger: Logger;
}

/** Every extension a per-source feed is written with, whether or not the config still asks for it. */
const FEED_EXTENSIONS = ["rss", "atom", "json"] as const;
/** The source ids the config accepts (config-schema.ts). */
const SOURCE_ID = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Applies the config's source list to the store (see Store.reconcileSources):
 * a source no longer listed leaves all.* and the topic feeds on this run and
 * its per-source files are deleted, but its entries are kept for the grace
 * period, so adding it back restores everything under the same ids. Only a
 * config that loaded and validated reaches this point.
 */
export function retireRemovedSources(store: Store, options: RetireOptions): SourceReconcileResult {
  const result = store.reconcileSources(options.configuredIds, options.graceDays, options.now);
  // A feed that silently stops changing looks alive to a reader; a missing one
  // (410 from serve) says it is gone. The files are derived data: they are
  // re-rendered from the kept entries if the source comes back. Every removed
  // source is checked on every run, so a crash between the store's commit and
  // these deletions is repaired by the next run.
  const removedIds = new Set([...store.removedSources(), ...result.dropped].map((s) => s.sourceId));
  for (const id of removedIds) {
    // Ids were checked by the config when stored; never build a path from anything else.
    if (!SOURCE_ID.test(id)) continue;
    for (const ext of FEED_EXTENSIONS) rmSync(join(options.feedsDir, "sources", `${id}.${ext}`), { force: true });
  }
  for (const s of result.hidden) {
    const until = new Date(Date.parse(s.removedSince) + options.graceDays * 86_400_000).toISOString();
    options.logger.warn(
      { source: s.sourceId, entries: s.entries, dropOn: until },
      `store: source ${s.sourceId} is no longer in the config; its ${s.entries} entries are hidden from every feed and will be deleted on ${until} unless it is added back`,
    );
  }
  for (const id of result.restored) {
    options.logger.info({ source: id }, `store: source ${id} is back in the config; its stored entries are published again`);
  }
  for (const s of result.dropped) {
    options.logger.warn(
      { source: s.sourceId, entries: s.entries, removedSince: s.removedSince },
      `store: source ${s.sourceId} was removed from the config on ${s.removedSince}; its ${s.entries} entries were deleted`,
    );
  }
  return result;
}
