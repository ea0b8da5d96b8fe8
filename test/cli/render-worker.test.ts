import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

interface LogLine {
  msg: string;
  outputs?: number;
  byWorker?: number;
  startedAhead?: boolean;
}

function logLines(log: string): LogLine[] {
  return log
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);
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
    const rendered = logLines(log).find((l) => l.msg.startsWith("write: "));
    // all, every topic, two sources: enough outputs for a worker.
    expect(rendered?.msg).toMatch(/with a worker thread$/);
    expect(rendered?.outputs).toBeGreaterThanOrEqual(16);
    const expected = readTree(alone.feedsDir);
    expect(expected.size).toBeGreaterThan(50);
    expect(readTree(shared.feedsDir)).toEqual(expected);
    // Every output left the pending list: a second run renders and writes nothing.
    expect(await runBinOnce(shared.config, {})).toMatch(/; 0 file\(s\) written/);
  }, 180_000);

  it("is started while the last refresh commits when many outputs are pending, and not when few are", async () => {
    const data = mkdtempSync(join(tmpdir(), "fe-render-worker-ahead-"));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const feed = join(data, "f0.xml");
    const original = generateFeed({ format: "rss", items: 60, seed: 50 }).toString("utf8");
    writeFileSync(feed, original);
    const p = project([feed]);
    // A first run: all, every topic and the source are rendered, by both threads, the worker started ahead.
    const first = logLines(await runBinOnce(p.config, {})).find((l) => l.msg.startsWith("write: ") && l.outputs !== undefined);
    expect(first?.msg).toMatch(/with a worker thread$/);
    expect(first?.startedAhead).toBe(true);
    expect(first?.byWorker).toBeGreaterThan(0);
    // One story's headline changes: only the outputs holding that story are pending, too few
    // for a worker, so none is started, ahead or later; the main thread renders them alone.
    const title = /<item>\s*<title>(?:<!\[CDATA\[)?([^<\]]+)/.exec(original)?.[1];
    expect(title).toBeDefined();
    writeFileSync(feed, original.replace(title!, `${title} (corrected headline)`));
    const second = logLines(await runBinOnce(p.config, {}));
    expect(second.find((l) => l.msg.includes("started ahead"))).toBeUndefined();
    const rendered = second.find((l) => l.msg.startsWith("write: ") && l.byWorker !== undefined);
    expect(rendered?.outputs).toBeGreaterThan(0);
    expect(rendered?.outputs).toBeLessThan(16);
    expect(rendered?.msg).not.toMatch(/with a worker thread$/);
    expect(rendered?.startedAhead).toBe(false);
    expect(readFileSync(join(p.feedsDir, "all.rss"), "utf8")).toContain(`${title} (corrected headline)`);
  }, 180_000);
});
