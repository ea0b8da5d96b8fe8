import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFeed } from "../bench/generate-feed.js";
import { readTree } from "../helpers/read-tree.js";
import { runBinOnce } from "../helpers/run-project.js";
import { fileSourcesProject } from "../helpers/temp-project.js";

// A cycle with many outputs renders part of them in a worker thread, which
// runs from the bundle bin/feed-enricher.js builds (vitest runs the sources,
// where there is no worker file): this runs the bin as a child process.

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});

function project(feeds: string[]): { config: string; feedsDir: string } {
  const p = fileSourcesProject(feeds);
  cleanups.push(p.cleanup);
  return { config: p.configFile, feedsDir: p.feedsDir };
}

describe("the render worker", () => {
  it("writes byte-for-byte what the main thread alone writes, and leaves nothing pending", async () => {
    const data = mkdtempSync(join(tmpdir(), "fe-render-worker-data-"));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const feeds = [0, 1].map((i) => {
      const file = join(data, `f${i}.xml`);
      writeFileSync(file, generateFeed({ format: i === 0 ? "rss" : "atom", items: 60, seed: 40 + i }));
      return file;
    });
    const alone = project(feeds);
    const shared = project(feeds);
    await runBinOnce(alone.config, { FEED_ENRICHER_RENDER_WORKER: "0" });
    const log = await runBinOnce(shared.config, {});
    const rendered = log
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg: string; outputs?: number; byWorker?: number })
      .find((l) => l.msg.startsWith("write: "));
    // all, every topic, two sources: enough outputs for a worker.
    expect(rendered?.msg).toMatch(/with a worker thread$/);
    expect(rendered?.outputs).toBeGreaterThanOrEqual(16);
    const expected = readTree(alone.feedsDir);
    expect(expected.size).toBeGreaterThan(50);
    expect(readTree(shared.feedsDir)).toEqual(expected);
    // Every output left the pending list: a second run renders and writes nothing.
    expect(await runBinOnce(shared.config, {})).toMatch(/; 0 file\(s\) written/);
  }, 180_000);
});
