import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../../src/cli/app.js";
import { loadConfig } from "../../src/config/index.js";
import { type RefreshResult, refreshSources } from "../../src/refresh/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { REPO_ROOT, tempProject } from "../helpers/temp-project.js";

// The cycle's `nearEnd` hook: what lets the render worker load while the last
// refreshes commit (src/cli/run-cycle.ts). Real feeds of the corpus (origins in
// test/fixtures/corpus/SOURCES.md), a real store.

const CORPUS = join(REPO_ROOT, "test/fixtures/corpus");
const FEEDS = ["feedjira__AmazonWebServicesBlog.xml", "feedjira__CRE.xml", "feedjira__HuffPostCanada.xml", "feedjira__FeedBurnerXHTML.xml"];

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});

function corpusApp(): App {
  const sources = FEEDS.map((f, i) => `  - id: f${i}\n    file: ${join(CORPUS, f)}\n`).join("");
  const project = tempProject(`sources:\n${sources}`);
  cleanups.push(project.cleanup);
  const app = buildApp(loadConfig(project.configFile), silentLogger());
  cleanups.push(() => app.close());
  return app;
}

/** One refresh of every source, two at a time, with a `nearEnd` that records what it saw when called. */
async function refreshWatched(app: App): Promise<{ results: RefreshResult[]; calls: Array<{ refreshed: number; pending: number }> }> {
  const calls: Array<{ refreshed: number; pending: number }> = [];
  // A refresh saves its source's state as it ends; the open batch's writes are visible to this connection.
  const refreshedNow = () => app.config.sources.filter((s) => app.store.getSourceState(s.id)?.lastFetch !== undefined).length;
  const results = await refreshSources(app.config.sources, app.deps, {
    concurrency: 2,
    nearEnd: () => calls.push({ refreshed: refreshedNow(), pending: app.store.pendingOutputs().length }),
  });
  return { results, calls };
}

describe("the refresh cycle's nearEnd hook", () => {
  it("is called once, after every source has started and one has changed, with the changed outputs already pending", async () => {
    const app = corpusApp();
    const { results, calls } = await refreshWatched(app);
    expect(results.map((r) => r.status)).toEqual(FEEDS.map(() => "updated"));
    expect(calls).toHaveLength(1);
    // Four sources two at a time: when the last one has started, at least three have finished.
    expect(calls[0]!.refreshed).toBeGreaterThanOrEqual(FEEDS.length - 1);
    // The open batch's writes are visible to the connection that made them.
    expect(calls[0]!.pending).toBeGreaterThan(0);
  });

  it("is not called when no source changed", async () => {
    const app = corpusApp();
    await refreshWatched(app);
    const { results, calls } = await refreshWatched(app);
    expect(results.map((r) => r.status)).toEqual(FEEDS.map(() => "unchanged"));
    expect(calls).toHaveLength(0);
  });
});
