import { relative, sep } from "node:path";
import type { Source } from "../model/index.js";
import { dirtyPlans, publishIndexPage, publishOpml, publishOutputs, type RefreshResult, refreshSources } from "../refresh/index.js";
import { pingHub, type ServiceMetrics } from "../serve/index.js";
import { type App, missingPlans, userAgent } from "./app.js";

export interface CycleReport {
  results: RefreshResult[];
  changedFiles: string[];
}

export interface CycleOptions {
  /** Counters of the running service (`start`); absent for one-shot commands. */
  metrics?: ServiceMetrics;
}

const FEED_FILE = /\.(rss|atom|json)$/;

/**
 * Refreshes the sources (concurrency limit, one request per host), then
 * renders each output they changed exactly once, the OPML and the index page,
 * and tells the WebSub hub which feeds changed.
 */
export async function runCycle(app: App, sources: Source[], options: CycleOptions = {}): Promise<CycleReport> {
  const results = await refreshSources(sources, app.deps, { concurrency: app.config.schedule.concurrency });
  const changedSources = new Set<string>();
  const dirtyTopics = new Set<string>();
  for (const r of results) {
    logResult(app, r);
    options.metrics?.recordRefresh(r);
    if (r.status === "updated" && (r.newEntries > 0 || r.updatedEntries > 0)) {
      changedSources.add(r.sourceId);
      for (const t of r.dirtyTopics) dirtyTopics.add(t);
    }
  }
  const plans = [...new Set([...dirtyPlans(app.plans, changedSources, dirtyTopics), ...missingPlans(app)])];
  const published = publishOutputs(app.store, plans, app.publish);
  publishOpml(app.plans, app.publish);
  const pageFiles = publishIndexPage(app.store, app.plans, app.publish, {
    topics: app.taxonomy.topics.map((t) => ({ id: t.id, label: t.label })),
    sourceTitles: Object.fromEntries(app.config.sources.map((s) => [s.id, s.title])),
  });
  const changedFiles = [...published.changedFiles, ...pageFiles];
  options.metrics?.recordPublished(changedFiles.length);
  await pingHubFor(app, published.changedFiles, options);
  return { results, changedFiles };
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
