import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type App, buildApp, databaseFile } from "../../src/cli/app.js";
import { loadConfig } from "../../src/config/index.js";
import { type RefreshResult, refreshSources } from "../../src/refresh/index.js";
import { PreparePool } from "../../src/refresh/prepare-pool.js";
import { REPO_ROOT, tempProject } from "../helpers/temp-project.js";

// A large feed is normalized and tagged in chunks on a worker thread and the
// main thread at once, inside the store's transaction. The worker runs from a
// file: the bin bundles src/refresh/prepare-worker.ts; here esbuild bundles it
// the same way into a folder inside the repository (so its packages resolve).
// Every feed of the corpus goes through chunks of a few items, so the chunk
// boundaries fall everywhere, duplicates included.

const CORPUS = join(REPO_ROOT, "test/fixtures/corpus");
const T0 = new Date("2026-03-01T06:00:00.000Z");
const T1 = new Date("2026-03-01T07:00:00.000Z");

let bundleDir: string;
let workerScript: URL;
let dataDir: string;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  const { build } = await import("esbuild");
  mkdirSync(join(REPO_ROOT, "dist"), { recursive: true });
  bundleDir = mkdtempSync(join(REPO_ROOT, "dist", "test-prepare-worker-"));
  await build({
    entryPoints: [join(REPO_ROOT, "src/refresh/prepare-worker.ts")],
    outdir: bundleDir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  });
  workerScript = pathToFileURL(join(bundleDir, "prepare-worker.js"));
  dataDir = mkdtempSync(join(bundleDir, "data-"));
  // Every feed of the corpus (SOURCES.md there says where each comes from).
  for (const name of readdirSync(CORPUS)) if (name !== "SOURCES.md") copyFileSync(join(CORPUS, name), join(dataDir, name));
}, 60_000);

afterAll(() => {
  for (const c of cleanups) c();
  rmSync(bundleDir, { recursive: true, force: true });
});

interface Logged {
  level: number;
  msg: string;
  byWorker?: number;
  beforeParsed?: number;
}

/** A project refreshing the given corpus feeds (all by default), its log lines collected. */
function corpusApp(only?: string[]) {
  const files = only ?? readdirSync(dataDir).sort();
  const sources = files.map((f, i) => `  - id: f${i}\n    file: ${join(dataDir, f)}\n`).join("");
  const project = tempProject(`sources:\n${sources}`);
  cleanups.push(project.cleanup);
  const logs: Logged[] = [];
  const logger = pino({ level: "debug", base: undefined }, { write: (line: string) => void logs.push(JSON.parse(line) as Logged) });
  const app = buildApp(loadConfig(project.configFile), logger);
  cleanups.push(() => app.close());
  return { app, logs };
}

/**
 * Every row of every table (a file source's signature aside).
 * Sources refresh two at a time, so which source's
 * rows come first depends on I/O timing, on either thread: rows are grouped by
 * source (stable sort), in rowid order within one.
 */
function dump(app: App): Record<string, unknown[]> {
  const db = new Database(databaseFile(app.config), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    const key = (row: Record<string, unknown>) => String(row.source_id ?? row.id ?? JSON.stringify(row));
    return Object.fromEntries(
      tables.map(({ name }) => {
        const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all() as Array<Record<string, unknown>>;
        // A file source's etag is its signature, kept only when the file was two seconds old
        // when read (fetch-source.ts): whether a refresh kept it depends on the clock, not the thread.
        if (name === "sources") for (const row of rows) if (row.url === null) row.etag = "(a file's signature, if any)";
        return [name, rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))];
      }),
    );
  } finally {
    db.close();
  }
}

async function refreshAll(app: App, now: Date, pool?: PreparePool): Promise<RefreshResult[]> {
  return refreshSources(app.config.sources, { ...app.deps, now: () => now }, { concurrency: 2, ...(pool ? { prepare: pool } : {}) });
}

/** A copy of the podcast feed (730 items) with some titles changed: some entries update, the rest are unchanged. */
function editPodcast(): void {
  const file = join(dataDir, "rss-parser__giantbomb-podcast.rss");
  let n = 0;
  writeFileSync(
    file,
    readFileSync(file, "utf8").replace(/<title>/g, (m) => (n++ % 3 === 1 ? "<title>Revised: " : m)),
  );
}

describe("normalize and tag on a worker thread", () => {
  it("stores what the main thread alone stores, row for row, on a cold and on a warm store", async () => {
    vi.stubEnv("FEED_ENRICHER_PREPARE_WORKER", "0");
    const alone = corpusApp();
    // Every feed in chunks of three items on both threads…
    const shared = corpusApp();
    const pool = new PreparePool(shared.app.matcher.taxonomy, { script: workerScript, logger: shared.app.logger, minItems: 1, chunkItems: 3 });
    cleanups.push(() => void pool.close());
    // …and every feed whole on the worker, while the main thread stores another.
    const whole = corpusApp();
    const wholePool = new PreparePool(whole.app.matcher.taxonomy, { script: workerScript, logger: whole.app.logger, minItems: Number.POSITIVE_INFINITY });
    cleanups.push(() => void wholePool.close());
    // …and every feed taken for a long one: parsed in parts of four items, whose chunks reach the worker as they are read.
    const parts = corpusApp();
    const partsPool = new PreparePool(parts.app.matcher.taxonomy, {
      script: workerScript,
      logger: parts.app.logger,
      minItems: 1,
      chunkItems: 3,
      longFeedBytes: 1,
      partItems: 4,
    });
    cleanups.push(() => void partsPool.close());
    // Warm before the first feed, so the worker takes chunks whatever the machine's speed.
    expect(await pool.whenReady()).toBe(true);
    expect(await wholePool.whenReady()).toBe(true);
    expect(await partsPool.whenReady()).toBe(true);

    const first = await refreshAll(alone.app, T0);
    const firstShared = await refreshAll(shared.app, T0, pool);
    expect(firstShared).toEqual(first.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(await refreshAll(whole.app, T0, wholePool)).toEqual(firstShared.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(await refreshAll(parts.app, T0, partsPool)).toEqual(firstShared.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(first.filter((r) => r.status === "updated").length).toBeGreaterThan(80);
    const rows = dump(alone.app);
    expect((rows.entries ?? []).length).toBeGreaterThan(1000);
    expect(dump(shared.app)).toEqual(rows);
    expect(dump(whole.app)).toEqual(rows);
    expect(dump(parts.app)).toEqual(rows);
    const byWorker = shared.logs.filter((l) => l.msg.includes("by the worker thread")).reduce((n, l) => n + (l.byWorker ?? 0), 0);
    expect(byWorker).toBeGreaterThan(0);
    // The long feeds' chunks went to the worker while their parse was still going.
    const early = parts.logs.filter((l) => l.msg.includes("by the worker thread")).reduce((n, l) => n + (l.beforeParsed ?? 0), 0);
    expect(early).toBeGreaterThan(10);

    editPodcast();
    const second = await refreshAll(alone.app, T1);
    const secondShared = await refreshAll(shared.app, T1, pool);
    const podcast = second.find((r) => r.status === "updated" && r.updatedEntries > 100);
    expect(podcast).toBeDefined();
    expect(secondShared).toEqual(second.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(await refreshAll(whole.app, T1, wholePool)).toEqual(secondShared.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(await refreshAll(parts.app, T1, partsPool)).toEqual(secondShared.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    const rowsAfter = dump(alone.app);
    expect(dump(shared.app)).toEqual(rowsAfter);
    expect(dump(whole.app)).toEqual(rowsAfter);
    expect(dump(parts.app)).toEqual(rowsAfter);
    for (const { logs } of [shared, whole, parts]) expect(logs.filter((l) => l.msg.includes("worker thread that normalizes"))).toEqual([]);
    await pool.close();
    await wholePool.close();
    await partsPool.close();
    vi.unstubAllEnvs();
  }, 180_000);

  it("starts the worker of a many-source cycle only once a feed has changed", async () => {
    vi.stubEnv("FEED_ENRICHER_PREPARE_WORKER", "0");
    const feeds = ["rss-parser__itunes-missing-image.rss", "feedjira__CRE.xml"];
    const { app } = corpusApp(feeds);
    await refreshAll(app, T0);
    const pool = new PreparePool(app.matcher.taxonomy, { script: workerScript, logger: app.logger });
    cleanups.push(() => void pool.close());
    pool.expectSources(1000);
    // The same bytes again: nothing to normalize, so no worker.
    expect((await refreshAll(app, T1, pool)).map((r) => r.status)).toEqual(["unchanged", "unchanged"]);
    expect(pool.started).toBe(false);
    // A changed feed starts it (and is prepared on the main thread meanwhile).
    const file = join(dataDir, feeds[1]!);
    writeFileSync(file, readFileSync(file, "utf8").replace(/<title>/, "<title>Revised: "));
    expect((await refreshAll(app, new Date(T1.getTime() + 3_600_000), pool)).map((r) => r.status)).toEqual(["unchanged", "updated"]);
    expect(pool.started).toBe(true);
    await pool.close();
    vi.unstubAllEnvs();
  }, 60_000);

  it("falls back to the main thread, with a warning, when the worker dies mid-feed", async () => {
    // A worker that says it is ready and exits on the first chunk it is given.
    const crashing = join(bundleDir, "crashing-worker.mjs");
    writeFileSync(
      crashing,
      `import { workerData } from "node:worker_threads";
const signal = new Int32Array(workerData.signal);
workerData.port.on("message", (m) => { if (m.type === "chunk") process.exit(3); });
workerData.port.postMessage({ type: "ready" });
Atomics.add(signal, 0, 1);
Atomics.notify(signal, 0);
`,
    );
    vi.stubEnv("FEED_ENRICHER_PREPARE_WORKER", "0");
    const feeds = ["rss-parser__giantbomb-podcast.rss", "rss-parser__itunes-missing-image.rss", "feedjira__CRE.xml"];
    const alone = corpusApp(feeds);
    const shared = corpusApp(feeds);
    const pool = new PreparePool(shared.app.matcher.taxonomy, {
      script: pathToFileURL(crashing),
      logger: shared.app.logger,
      // The podcast in chunks inside its transaction, the short feeds whole: whichever meets the dead worker first falls back.
      minItems: 100,
      chunkItems: 3,
      stallMs: 200,
    });
    cleanups.push(() => void pool.close());
    expect(await pool.whenReady()).toBe(true);
    const results = await refreshAll(shared.app, T0, pool);
    expect(results.map((r) => r.status)).toEqual(["updated", "updated", "updated"]);
    expect(results).toEqual((await refreshAll(alone.app, T0)).map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(dump(shared.app)).toEqual(dump(alone.app));
    const warnings = shared.logs.filter((l) => l.level === 40 && l.msg.includes("worker thread that normalizes and tags"));
    expect(warnings).toHaveLength(1);
    expect(pool.wants(1000)).toBe(false);
    await pool.close();

    // The same, with every feed taken for a long one: the worker dies on the first chunk sent while a feed is parsed in parts.
    const parts = corpusApp(feeds);
    const partsPool = new PreparePool(parts.app.matcher.taxonomy, {
      script: pathToFileURL(crashing),
      logger: parts.app.logger,
      chunkItems: 3,
      stallMs: 200,
      longFeedBytes: 1,
      partItems: 2,
    });
    cleanups.push(() => void partsPool.close());
    expect(await partsPool.whenReady()).toBe(true);
    expect(await refreshAll(parts.app, T0, partsPool)).toEqual(results.map((r) => ({ ...r, durationMs: expect.any(Number) })));
    expect(dump(parts.app)).toEqual(dump(alone.app));
    expect(parts.logs.filter((l) => l.level === 40 && l.msg.includes("worker thread that normalizes and tags"))).toHaveLength(1);
    await partsPool.close();
    vi.unstubAllEnvs();
  }, 120_000);
});
