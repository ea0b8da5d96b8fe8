import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Entry, Source } from "../model/index.js";
import {
  type OutputPlan,
  openWriteGroup,
  publishIndexPage,
  publishOpml,
  publishOutputs,
  publishOutputsAsync,
  type RefreshResult,
  refreshSources,
  retireRemovedSources,
} from "../refresh/index.js";
import type { ServiceMetrics } from "../serve/index.js";
import { describeError } from "../shared/errors.js";
import { outputKey } from "../store/index.js";
import { type App, missingPlans, userAgent } from "./app.js";
import { type EarlyRenderWorker, startRenderWorker, startRenderWorkerEarly } from "./start-render-worker.js";

export interface CycleReport {
  results: RefreshResult[];
  changedFiles: string[];
  /** Entries removed by retention. */
  pruned: number;
  /** Why the outputs could not be written (they stay pending and are rendered next run). */
  publishError?: { code: string; message: string };
}

export interface CycleOptions {
  /** Counters of the running service (`start`); absent for one-shot commands. */
  metrics?: ServiceMetrics;
}

const FEED_FILE = /\.(rss|atom|json)$/;

/**
 * The outputs to render: those the store recorded as pending (entries
 * changed, pruned or re-tagged, possibly by a run that crashed before
 * rendering) and those whose files are missing on disk.
 */
export function plansToRender(app: App): OutputPlan[] {
  const pending = pendingKeys(app);
  const known = new Set(app.plans.map((p) => outputKey(p.selector)));
  // Pending outputs that are no longer configured (a removed source or topic) have nothing to render.
  const orphans = [...pending].filter((k) => !known.has(k));
  if (orphans.length > 0) app.store.clearPending(app.store.pendingOutputs().filter((s) => !known.has(outputKey(s))));
  const missing = new Set(missingPlans(app));
  return app.plans.filter((p) => pending.has(outputKey(p.selector)) || missing.has(p));
}

function pendingKeys(app: App): Set<string> {
  return new Set(app.store.pendingOutputs().map(outputKey));
}

/** How many configured outputs are pending so far: at least as many as the cycle will render. */
function pendingPlanCount(app: App): number {
  const pending = pendingKeys(app);
  return app.plans.filter((p) => pending.has(outputKey(p.selector))).length;
}

/** What renderPlans writes after the outputs: the index page, when an output changed or the page is missing. */
function indexPageFor(app: App, plans: OutputPlan[]): ((allEntries: Entry[] | undefined) => string[]) | undefined {
  // The index page shows entry counts and the latest entries: it changes only when an output did.
  const pageMissing = !existsSync(join(app.publish.feedsDir, "index.html"));
  if (plans.length === 0 && !pageMissing) return undefined;
  return (allEntries) =>
    publishIndexPage(
      app.store,
      app.plans,
      app.publish,
      {
        topics: app.taxonomy.topics.map((t) => ({ id: t.id, label: t.label })),
        sourceTitles: Object.fromEntries(app.config.sources.map((s) => [s.id, s.title])),
      },
      allEntries,
    );
}

function publishFailed(app: App, error: unknown): Pick<CycleReport, "changedFiles" | "publishError"> {
  const { code, message } = describeError(error);
  app.logger.error({ code, err: error }, message);
  return { changedFiles: [], publishError: { code, message } };
}

/**
 * Renders the given outputs, the OPML and the index page; failures are
 * reported, not thrown, so the refresh results survive.
 */
export function renderPlans(app: App, plans: OutputPlan[]): Pick<CycleReport, "changedFiles" | "publishError"> {
  try {
    const published = publishOutputs(app.store, plans, app.publish, indexPageFor(app, plans));
    publishOpml(app.plans, app.publish);
    return { changedFiles: published.changedFiles };
  } catch (error) {
    return publishFailed(app, error);
  }
}

/**
 * renderPlans with the files written on the thread pool while the next
 * outputs render (publishOutputsAsync); `early`, a render worker the cycle
 * started before it knew the outputs, is given them or stopped.
 */
export async function renderPlansAsync(app: App, plans: OutputPlan[], early?: EarlyRenderWorker): Promise<Pick<CycleReport, "changedFiles" | "publishError">> {
  try {
    // Many outputs (a first run, a backfill, many sources): a worker thread renders some of them on the second core.
    const started = performance.now();
    const worker = early !== undefined ? early.render(plans) : startRenderWorker(app, plans);
    if (early !== undefined && worker === undefined) {
      app.logger.debug({ outputs: plans.length }, `write: the render worker started ahead was stopped unused: ${plans.length} output(s) to render`);
    }
    const published = await publishOutputsAsync(app.store, plans, app.publish, indexPageFor(app, plans), worker);
    const byWorker = published.renderedElsewhere ?? 0;
    app.logger.debug(
      { outputs: plans.length, byWorker, startedAhead: worker !== undefined && early !== undefined, durationMs: Math.round(performance.now() - started) },
      `write: ${plans.length} output(s) rendered${worker ? " with a worker thread" : ""}`,
    );
    publishOpml(app.plans, app.publish);
    return { changedFiles: published.changedFiles };
  } catch (error) {
    return publishFailed(app, error);
  }
}

/**
 * Hides the entries of sources the config no longer lists and deletes them
 * after the grace period (docs/storage.md); a failure is logged, never thrown,
 * so the refresh results survive.
 */
export function retireRemoved(app: App, now: Date): void {
  try {
    retireRemovedSources(app.store, {
      configuredIds: [...app.config.sources.map((s) => s.id), ...(app.config.disabledSourceIds ?? [])],
      graceDays: app.config.retention.removedSourceGraceDays,
      feedsDir: app.publish.feedsDir,
      now,
      logger: app.logger,
    });
  } catch (error) {
    app.logger.warn({ err: error }, describeError(error).message);
  }
}

/**
 * Refreshes the sources (concurrency limit, one request per host), applies
 * the config's source list (removed sources hidden, then dropped after their
 * grace period) and retention, then renders each output whose entries changed exactly once,
 * the OPML and the index page, and tells the WebSub hub which feeds changed.
 */
export async function runCycle(app: App, sources: Source[], options: CycleOptions = {}): Promise<CycleReport> {
  let early: EarlyRenderWorker | undefined;
  try {
    const results = await refreshSources(sources, app.deps, {
      concurrency: app.config.schedule.concurrency,
      // Outputs will be rendered: a render worker started now loads on the core the refreshes no
      // longer use, while the main thread commits their last writes, instead of after them.
      // The outputs pending so far (the writes of this connection's open batch included) are as
      // many as the render will have at least: too few, and no worker is started now.
      nearEnd: () => {
        try {
          early = startRenderWorkerEarly(app, pendingPlanCount(app));
        } catch (error) {
          app.logger.debug({ err: error }, "write: the render worker could not be started ahead; it starts with the render");
        }
      },
    });
    return await finishCycle(app, sources, results, options, early);
  } finally {
    // Stopped unused if it was never given its outputs (no render, or a failure before it).
    early?.release();
  }
}

/** runCycle after the refreshes: retention, the render (with the early render worker, if any), the hub's pings. */
async function finishCycle(
  app: App,
  sources: Source[],
  results: RefreshResult[],
  options: CycleOptions,
  early: EarlyRenderWorker | undefined,
): Promise<CycleReport> {
  for (const r of results) {
    logResult(app, r);
    options.metrics?.recordRefresh(r);
  }
  const now = app.deps.now();
  retireRemoved(app, now);
  const pruned = pruneSources(app, sources, now);
  if (pruned > 0) app.logger.info({ pruned }, `store: retention removed ${pruned} entr${pruned === 1 ? "y" : "ies"}`);
  let plans: OutputPlan[];
  try {
    plans = plansToRender(app);
  } catch (error) {
    const { code, message } = describeError(error);
    app.logger.error({ code, err: error }, message);
    return { results, changedFiles: [], pruned, publishError: { code, message } };
  }
  const rendered = await renderPlansAsync(app, plans, early);
  options.metrics?.recordPublished(rendered.changedFiles.length);
  await pingHubFor(app, rendered.changedFiles, options);
  return { results, pruned, ...rendered };
}

/**
 * Applies retention to each source, the deletions committed in batches as
 * the refreshes' writes are (Store.beginWriteGroup). A failure is logged and
 * never thrown: what it left is pruned by the next cycle. Returns how many
 * entries were removed and committed.
 */
function pruneSources(app: App, sources: Source[], now: Date): number {
  let pruned = 0;
  let batch = 0;
  const group = openWriteGroup(app.store, {
    committed: () => {
      pruned += batch;
      batch = 0;
    },
    failed: (error) => {
      app.logger.warn({ err: error }, `store: retention's deletions were rolled back (${describeError(error).message}); the next cycle prunes again`);
      batch = 0;
    },
  });
  try {
    for (const s of sources) {
      try {
        batch += app.store.prune(s.id, app.config.retention, now).removed;
      } catch (error) {
        app.logger.warn({ source: s.id, err: error }, describeError(error).message);
      }
      group.flush();
    }
  } finally {
    group.close();
  }
  return pruned;
}

/** WebSub publish pings for the feed files whose bytes changed (W3C WebSub §7). */
async function pingHubFor(app: App, changedFiles: string[], options: CycleOptions): Promise<void> {
  const hub = app.config.outputs.hub;
  if (hub === undefined) return;
  const urls = changedFiles
    .filter((f) => FEED_FILE.test(f))
    .map((f) => `${app.publish.baseUrl}${relative(app.publish.feedsDir, f).split(sep).join("/")}`)
    .sort();
  if (urls.length === 0) return;
  // The serve stage (fastify and all) is loaded only when there is a hub to ping.
  const { pingHub } = await import("../serve/index.js");
  const { ok, failed } = await pingHub(urls, { hub, userAgent: userAgent(app.config), timeoutMs: 10_000, logger: app.logger });
  options.metrics?.recordHubPings(ok, failed);
  app.logger.info({ hub, pinged: ok, failed }, `serve: WebSub hub told about ${ok} changed feed(s)`);
}

function logResult(app: App, r: RefreshResult): void {
  if (r.status === "failed") {
    app.logger.warn({ source: r.sourceId, result: r.status, code: r.code, durationMs: r.durationMs }, r.message);
  } else if (r.status === "updated") {
    app.logger.info(
      { source: r.sourceId, result: r.status, new: r.newEntries, updated: r.updatedEntries, durationMs: r.durationMs },
      `refresh: ${r.sourceId}: ${r.newEntries} new, ${r.updatedEntries} updated`,
    );
  } else {
    app.logger.info({ source: r.sourceId, result: r.status, durationMs: r.durationMs }, `refresh: ${r.sourceId}: ${r.status}`);
  }
}
