import type { Source } from "../model/index.js";
import { dirtyPlans, publishOpml, publishOutputs, type RefreshResult, refreshSources } from "../refresh/index.js";
import { type App, missingPlans } from "./app.js";

export interface CycleReport {
  results: RefreshResult[];
  changedFiles: string[];
}

/** Refreshes the sources, then renders each output they changed exactly once. */
export async function runCycle(app: App, sources: Source[]): Promise<CycleReport> {
  const results = await refreshSources(sources, app.deps, { concurrency: app.config.schedule.concurrency });
  const changedSources = new Set<string>();
  const dirtyTopics = new Set<string>();
  for (const r of results) {
    logResult(app, r);
    if (r.status === "updated" && (r.newEntries > 0 || r.updatedEntries > 0)) {
      changedSources.add(r.sourceId);
      for (const t of r.dirtyTopics) dirtyTopics.add(t);
    }
  }
  const plans = [...new Set([...dirtyPlans(app.plans, changedSources, dirtyTopics), ...missingPlans(app)])];
  const published = publishOutputs(app.store, plans, app.publish);
  publishOpml(app.plans, app.publish);
  return { results, changedFiles: published.changedFiles };
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
