// Commits of many sources into a fresh store, one transaction per source
// against the write groups a refresh cycle uses (Store.beginWriteGroup),
// alternated, each in a fresh store file: wall time, CPU time of this
// process, and the bytes it wrote to storage (/proc/self/io: the WAL, and
// the checkpoints that copy it into the database).
//
//   node --import tsx test/bench/commit-batches.ts [--sources 1000] [--items 50] [--reps 3]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, loadTaxonomy, tagEntry } from "../../src/enrich/index.js";
import type { Entry } from "../../src/model/index.js";
import { normalizeFeedWithText } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { median, TOPICS_FILE } from "./bench-kit.js";
import { generateFeed } from "./generate-feed.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const sources = arg("sources", 1000);
const items = arg("items", 50);
const reps = arg("reps", 3);

const matcher = compileMatcher(loadTaxonomy(TOPICS_FILE, { scheme: "http://127.0.0.1:8080/topics/" }));
const feed = await parseFeed(decodeBytes(Buffer.from(generateFeed({ format: "rss", items, seed: 1 }))).text, { timeoutMs: 60_000 });
const base: Entry[] = normalizeFeedWithText(feed, {
  sourceId: "s",
  feedUrl: "https://news.example.com/feed",
  trackingParams: [],
  boilerplate: [],
  now: "2026-11-21T00:00:00.000Z",
}).map(({ entry, contentText }) => tagEntry(matcher, entry, contentText() || entry.summary));

/** Bytes this process has written to storage so far (Linux). */
function writtenBytes(): number {
  const m = /write_bytes: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

function commitAll(grouped: boolean): { wallMs: number; cpuMs: number; writtenMb: number } {
  const dir = mkdtempSync(join(tmpdir(), "fe-commit-batches-"));
  const store = new SqliteStore(join(dir, "feed-enricher.db"));
  const w0 = writtenBytes();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (grouped) store.beginWriteGroup();
  for (let s = 0; s < sources; s++) {
    const sourceId = `m${s}`;
    // Each source's entries spread over ten years, as a cold cycle of many feeds' archives does.
    const upserts = base.map((e, i) => ({
      ...e,
      sourceId,
      id: `${e.id}#${s}`,
      published: new Date(Date.UTC(2016, 0, 1) + ((s * 7919 + i * 104_729) % 315_360_000) * 1000).toISOString(),
    }));
    store.entryMeta(sourceId);
    store.commit({ state: { sourceId, consecutiveFailures: 0, lastSuccess: "2026-11-21T00:00:00.000Z" }, upserts, currentIds: upserts.map((e) => e.id) });
    if (grouped) store.flushWriteGroup();
  }
  if (grouped) store.endWriteGroup();
  store.close();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const writtenMb = (writtenBytes() - w0) / 1e6;
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, writtenMb };
}

const results = { each: [] as Array<ReturnType<typeof commitAll>>, grouped: [] as Array<ReturnType<typeof commitAll>> };
for (let r = 0; r < reps; r++) {
  for (const way of r % 2 === 0 ? (["each", "grouped"] as const) : (["grouped", "each"] as const)) results[way].push(commitAll(way === "grouped"));
}
console.log(`${sources} sources × ${items} entries, ${reps} alternated runs each, medians:`);
for (const [way, runs] of Object.entries(results)) {
  console.log(
    `  ${way === "each" ? "one transaction per source" : "write groups            "}: wall ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms, ` +
      `CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms, written to storage ${median(runs.map((r) => r.writtenMb)).toFixed(0)} MB`,
  );
}
