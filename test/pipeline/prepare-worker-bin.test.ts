import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFeed } from "../bench/generate-feed.js";
import { readTree } from "../helpers/read-tree.js";
import { runBinOnce } from "../helpers/run-project.js";
import { fileSourcesProject } from "../helpers/temp-project.js";

// The worker that normalizes and tags long feeds runs from the bundle
// bin/feed-enricher.js builds (vitest runs the sources, where there is no
// worker file): this runs the bin as a child process, with the worker and
// without it (FEED_ENRICHER_PREPARE_WORKER=0).

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});

function project(feeds: string[]): { config: string; feedsDir: string } {
  const p = fileSourcesProject(feeds, "fetch:\n  maxBytes: 100000000\n");
  cleanups.push(p.cleanup);
  return { config: p.configFile, feedsDir: p.feedsDir };
}

interface LogLine {
  level: number;
  msg: string;
  chunks?: number;
}

async function cli(config: string, env: NodeJS.ProcessEnv): Promise<LogLine[]> {
  const stdout = await runBinOnce(config, env);
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);
}

describe("the prepare worker, from the bundle", () => {
  it("gives the outputs the main thread alone gives, and no warning", async () => {
    const data = mkdtempSync(join(tmpdir(), "fe-prepare-worker-data-"));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    // Long enough for the chunked path (2,000 items or more).
    const feeds = [join(data, "long.xml")];
    writeFileSync(feeds[0]!, generateFeed({ format: "rss", items: 2000, seed: 60 }));
    const alone = project(feeds);
    const shared = project(feeds);
    const aloneLog = await cli(alone.config, { FEED_ENRICHER_PREPARE_WORKER: "0" });
    const log = await cli(shared.config, {});
    expect(aloneLog.filter((l) => l.msg.includes("by the worker thread"))).toEqual([]);
    // The feed went through the chunked path (the worker file was found beside the bundle's chunks)…
    expect(log.filter((l) => l.msg.includes("by the worker thread")).map((l) => l.chunks)).toEqual([16]);
    // …and the worker neither failed to start nor died.
    expect(log.filter((l) => l.level >= 40 && l.msg.includes("worker thread"))).toEqual([]);
    const expected = readTree(alone.feedsDir);
    expect(expected.size).toBeGreaterThan(30);
    expect(readTree(shared.feedsDir)).toEqual(expected);
  }, 180_000);
});
