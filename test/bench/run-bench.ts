// `npm run bench`: measures the pipeline beside rss-parser (and `feed`, nginx)
// timed in the same run, prints every figure as a ratio to its yardstick with
// PASS/FAIL per target. It reports; it never fails the build.
//
//   BENCH_QUICK=1          smaller sizes, about a minute
//   BENCH_ONLY=stages,tag  run only some sections (stages, render, cycle, growth,
//                          unchanged, backfill, peers, tag, many, serve)
//   --write                also write BENCHMARKS.md with the table
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Feed } from "feed";
import type { TokenizerCallbacks } from "htmlparser2";
import Parser from "rss-parser";
import { buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, loadTaxonomy, type Matcher, tagEntry } from "../../src/enrich/index.js";
import { fetchSource } from "../../src/fetch/index.js";
import type { Entry, OutputSelector, Source } from "../../src/model/index.js";
import { HTML_TOKENIZER } from "../../src/normalize/fast-text-tokenizer.js";
import { type NormalizedEntry, normalizeFeedWithText } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { type OutputPlan, type PublishOptions, publishOutputs, refreshSource } from "../../src/refresh/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { SqliteStore } from "../../src/store/index.js";
import { type FeedMeta, type OutputFormat, type RenderedFile, renderOutput, sortNewestFirst, writeFileAtomic } from "../../src/write/index.js";
import {
  addRow,
  benchProject,
  fmtMb,
  fmtMs,
  freePort,
  gc,
  interleaved,
  markdownTable,
  median,
  note,
  notes,
  REPO_ROOT,
  ratioRow,
  runChild,
  startNginxOrigin,
  TOPICS_FILE,
  tempDir,
  timeMs,
  waitForHttp,
} from "./bench-kit.js";
import { type FeedFormat, generateFeed } from "./generate-feed.js";

const QUICK = process.env.BENCH_QUICK === "1";
const ONLY = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const WRITE = process.argv.includes("--write");
const enabled = (section: string) => ONLY === undefined || ONLY.includes(section);
// A child run of our CLI is killed after this long; its row then shows a lower bound.
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? (QUICK ? 90 : 240)) * 1000;
const MANY_SOURCES = Number(process.env.BENCH_MANY ?? (QUICK ? 20 : 1000));

const NOW = "2026-11-21T00:00:00.000Z";
const taxonomy = loadTaxonomy(TOPICS_FILE, { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);
const logger = silentLogger();

const feedCache = new Map<string, Buffer>();
function feedBytes(format: FeedFormat, items: number, seed = 1): Buffer {
  const key = `${format}:${items}:${seed}`;
  let b = feedCache.get(key);
  if (!b) {
    b = generateFeed({ format, items, seed });
    feedCache.set(key, b);
  }
  return b;
}

function yardstickParse(text: string): Promise<unknown> {
  return new Parser().parseString(text);
}

/** The enrich step exactly as refresh runs it: plain text of the body (collected by normalize), then the matcher. */
function enrichAll(m: Matcher, normalized: NormalizedEntry[]): Entry[] {
  return normalized.map(({ entry, contentText }) => tagEntry(m, entry, contentText() || entry.summary));
}

function normalizeOptions(sourceId: string) {
  return { sourceId, feedUrl: `https://news.example.com/${sourceId}/rss`, trackingParams: ["utm_*", "fbclid"], boilerplate: ["^Radio Habana Cuba$"], now: NOW };
}

async function pipelineEntries(bytes: Buffer, sourceId = "bench"): Promise<Entry[]> {
  const feed = await parseFeed(decodeBytes(bytes).text, { timeoutMs: 600_000 });
  return enrichAll(matcher, normalizeFeedWithText(feed, normalizeOptions(sourceId)));
}

const META: FeedMeta = {
  path: "all",
  title: "feed-enricher bench",
  description: "Benchmark output",
  baseUrl: "http://127.0.0.1:8080/",
  homePage: "http://127.0.0.1:8080/",
  topicScheme: taxonomy.scheme,
};
const ALL_FORMATS: OutputFormat[] = ["rss", "atom", "json"];

// ─── 1. Stages ──────────────────────────────────────────────────────────────
const NO_HANDLERS: TokenizerCallbacks = {
  onattribdata() {},
  onattribentity() {},
  onattribend() {},
  onattribname() {},
  oncdata() {},
  onclosetag() {},
  oncomment() {},
  ondeclaration() {},
  onend() {},
  onopentagend() {},
  onopentagname() {},
  onprocessinginstruction() {},
  onselfclosingtag() {},
  ontext() {},
  ontextentity() {},
};

/**
 * The least the own stages could cost: the bytes decoded to the one string
 * rss-parser takes (Buffer toString, no charset sniffing or repairs), and
 * every body read once by the HTML tokenizer the sanitizer is built on, its
 * events dropped. Any sanitizer of these bodies does at least this, before
 * it keeps anything, and before text, structure, tags, entities or the
 * store. Printed beside the own stages so a run shows how much of their
 * target this floor already takes.
 */
function leastOwnWork(bytes: Buffer, bodies: string[]): number {
  const text = bytes.toString("utf8");
  for (const body of bodies) {
    const tokenizer = new HTML_TOKENIZER({ decodeEntities: true }, NO_HANDLERS);
    tokenizer.write(body);
    tokenizer.end();
  }
  return text.length;
}

async function stageSection(): Promise<void> {
  const cases: Array<[FeedFormat, number, number]> = QUICK
    ? [
        ["rss", 100, 9],
        ["atom", 100, 9],
        ["rss", 1000, 3],
      ]
    : [
        ["rss", 100, 11],
        ["atom", 100, 11],
        ["rss", 1000, 3],
        ["rss", 10_000, 1],
      ];
  const dir = tempDir("stages");
  for (const [format, n, reps] of cases) {
    const bytes = feedBytes(format, n);
    const text = bytes.toString("utf8");
    const file = join(dir, `feed-${n}.${format}`);
    writeFileSync(file, bytes);
    const source: Source = { id: "bench", title: "bench", file, schedule: "* * * * *", local: true, boilerplate: [] };
    const t: Record<string, number[]> = { yard: [], fetch: [], decode: [], parse: [], normalize: [], enrich: [], store: [], render: [], write: [], floor: [] };
    // CPU time (user + system) of this process beside the wall time: on a shared machine a
    // stage's wall time includes its waits for a core, which differ from one stage to the next.
    const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(t).map((k) => [k, []]));
    const timed = async (stage: string, fn: () => unknown) => {
      gc();
      const before = process.cpuUsage();
      const started = performance.now();
      await fn();
      t[stage]!.push(performance.now() - started);
      const used = process.cpuUsage(before);
      cpu[stage]!.push((used.user + used.system) / 1000);
    };
    for (let rep = 0; rep < reps; rep++) {
      const yardFirst = rep % 2 === 0;
      if (yardFirst) await timed("yard", () => yardstickParse(text));
      let fetched: Awaited<ReturnType<typeof fetchSource>> | undefined;
      await timed(
        "fetch",
        async () =>
          (fetched = await fetchSource(
            source,
            {},
            { timeoutMs: 1, connectTimeoutMs: 1, maxBytes: 2e9, maxRedirects: 0, userAgent: "bench", allowPrivate: true },
          )),
      );
      if (fetched?.status !== "ok") throw new Error("bench: file fetch did not return bytes");
      const body = fetched.body;
      let decoded!: ReturnType<typeof decodeBytes>;
      await timed("decode", () => (decoded = decodeBytes(body, fetched?.status === "ok" ? fetched.contentType : undefined)));
      let feed!: Awaited<ReturnType<typeof parseFeed>>;
      await timed("parse", async () => (feed = await parseFeed(decoded.text, { timeoutMs: 600_000 })));
      const bodies = feed.items.map((item) => item.content ?? item.summary ?? "");
      await timed("floor", () => leastOwnWork(body, bodies));
      let entries!: NormalizedEntry[];
      await timed("normalize", () => (entries = normalizeFeedWithText(feed, normalizeOptions("bench"))));
      let tagged!: Entry[];
      await timed("enrich", () => (tagged = enrichAll(matcher, entries)));
      const store = new SqliteStore(join(dir, `store-${n}-${format}-${rep}.db`));
      await timed("store", () => {
        store.entryMeta("bench");
        store.commit({ state: { sourceId: "bench", consecutiveFailures: 0 }, upserts: tagged });
      });
      let latest!: Entry[];
      let out!: RenderedFile[];
      const outDir = join(dir, `out-${n}-${format}-${rep}`);
      // The files' bytes, as a cycle renders them (renderOutput), then written.
      await timed("render", () => {
        latest = store.latest({ kind: "all" }, 100);
        out = renderOutput(outDir, META, latest, ALL_FORMATS);
      });
      await timed("write", () => {
        for (const f of out) writeFileAtomic(f.path, f.content);
      });
      store.close();
      if (!yardFirst) await timed("yard", () => yardstickParse(text));
    }
    const med = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!]));
    const yard = med.yard!;
    const label = `${n} items ${format.toUpperCase()} (${(bytes.length / 1e6).toFixed(1)} MB)`;
    for (const stage of ["fetch", "decode", "parse", "normalize", "enrich", "store", "render", "write"]) {
      ratioRow("stages", `${label}: ${stage}${stage === "render" ? " (latest 100 ×3 formats)" : ""}`, med[stage]!, yard, undefined);
    }
    // Ours = decode + normalize + enrich + store, plus what parseFeed adds on top of rss-parser (custom fields, fixes).
    const parseExtra = Math.max(0, med.parse! - yard);
    const own = med.decode! + med.normalize! + med.enrich! + med.store!;
    const target = n === 100 || n === 10_000 ? 0.6 : undefined;
    ratioRow("stages", `${label}: own stages (decode+normalize+enrich+store)`, own, yard, target);
    ratioRow("stages", `${label}: own stages + parse overhead over rss-parser`, own + parseExtra, yard, undefined);
    ratioRow(
      "stages",
      `${label}: floor under the own stages: the bytes decoded + one HTML tokenizer pass over every body, no handlers`,
      med.floor!,
      yard,
      undefined,
    );
    // The same in CPU time, for a machine whose load makes the wall times above wander.
    const cpuMed = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
    for (const stage of ["decode", "store"]) ratioRow("stages", `${label}: ${stage}, CPU time`, cpuMed[stage]!, cpuMed.yard!, undefined);
    const ownCpu = cpuMed.decode! + cpuMed.normalize! + cpuMed.enrich! + cpuMed.store!;
    ratioRow("stages", `${label}: own stages (decode+normalize+enrich+store), CPU time`, ownCpu, cpuMed.yard!, undefined);
  }
  rmSync(dir, { recursive: true, force: true });
}

// ─── 2. Render cost vs `feed` ───────────────────────────────────────────────
const IPTC = "http://cv.iptc.org/newscodes/mediatopic/";

/**
 * The yardstick: `feed` alone rendering the same fields ours writes, with one
 * Feed per format as ours builds: every category (topic, IPTC code, IPTC
 * ancestors, entities, the source's own), dc:creator in RSS, authors in Atom,
 * the image or first enclosure, and in JSON the tags and the `_enrichment`
 * object (as an item extension; `feed` writes JSON Feed 1 with 4-space
 * indentation, ours 1.1 with 2). What it leaves out is our own work around
 * `feed`: escaping, control-character stripping, dedup of categories.
 */
function feedPackageRender(entries: Entry[]): string {
  const newest = entries[0];
  const feedFor = (ext: string) =>
    new Feed({
      id: `http://127.0.0.1:8080/all.${ext}`,
      title: META.title,
      description: META.description,
      link: META.homePage,
      updated: new Date(newest?.updated ?? newest?.published ?? NOW),
      generator: "feed",
      feed: `http://127.0.0.1:8080/all.${ext}`,
      author: { name: META.title },
    });
  const rss = feedFor("rss");
  const atom = feedFor("atom");
  const json = feedFor("json");
  for (const e of entries) {
    const categories = [
      ...e.topics.flatMap((t) => [
        { name: t.id, term: t.id, scheme: META.topicScheme, domain: META.topicScheme },
        { name: t.iptcCode, term: t.iptcCode, scheme: IPTC, domain: IPTC },
        ...t.iptcAncestors.map((code) => ({ name: code, term: code, scheme: IPTC, domain: IPTC })),
      ]),
      ...e.entities.map((x) => ({ name: x.name, term: x.name, scheme: `${META.baseUrl}entities/${x.kind}`, domain: `${META.baseUrl}entities/${x.kind}` })),
      ...e.categories.map((c) => ({ name: c.term, term: c.term, ...(c.scheme ? { scheme: c.scheme, domain: c.scheme } : {}) })),
    ];
    const item = {
      title: e.title,
      id: e.id,
      link: e.link ?? e.id,
      date: new Date(e.updated ?? e.published ?? e.firstSeen),
      published: new Date(e.published ?? e.firstSeen),
      description: e.summary,
      content: e.contentHtml,
      ...(e.image
        ? { image: { url: e.image.url, ...(e.image.type ? { type: e.image.type } : {}), ...(e.image.length ? { length: e.image.length } : {}) } }
        : e.enclosures[0]
          ? { enclosure: { url: e.enclosures[0].url, type: e.enclosures[0].type ?? "image/jpeg", length: e.enclosures[0].length ?? 0 } }
          : {}),
    };
    rss.addItem({
      ...item,
      category: categories,
      extensions: e.authors.length > 0 ? [{ name: "dc:creator", objects: e.authors.map((a) => ({ _text: a })) as unknown as Record<string, unknown> }] : [],
    });
    atom.addItem({ ...item, category: categories, author: e.authors.map((name) => ({ name })) });
    json.addItem({
      ...item,
      author: e.authors.map((name) => ({ name })),
      category: [...e.topics.map((t) => ({ name: t.id })), ...e.categories.map((c) => ({ name: c.term }))],
      extensions: [
        {
          name: "_enrichment",
          objects: {
            source: e.sourceId,
            taxonomy_version: e.taxonomyVersion,
            topics: e.topics.map((t) => ({
              id: t.id,
              label: t.label,
              iptc: { code: t.iptcCode, label: t.iptcLabel, scheme: IPTC, ancestors: t.iptcAncestors },
              score: t.score,
              matches: t.matches,
            })),
            entities: e.entities,
            dateline: e.dateline,
            image: e.image,
            word_count: e.wordCount,
            reading_time_min: e.readingTimeMin,
          },
        },
      ],
    });
  }
  return rss.rss2() + atom.atom1() + json.json1();
}

async function renderSection(): Promise<void> {
  const entries = sortNewestFirst(await pipelineEntries(feedBytes("rss", 100)));
  // CPU time: on a shared machine a render can wait for a core, which says nothing about the code.
  const med = await interleaved(
    QUICK ? 15 : 40,
    {
      // What a cycle writes: the three files' bytes (renderOutput), against `feed`'s three strings.
      ours: () => renderOutput("", META, entries, ALL_FORMATS),
      feed: () => feedPackageRender(entries),
    },
    { cpu: true },
  );
  ratioRow(
    "render",
    "100 entries: renderOutput (RSS, Atom, JSON Feed files as bytes) vs feed rss2()+atom1()+json1() on the same fields (CPU time)",
    med.ours!,
    med.feed!,
    1.1,
    fmtMs,
    "feed",
  );
}

// ─── 3. Renders per cycle: only changed outputs, each at most once ──────────
function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else out.set(p, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return out;
}

function changedPaths(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([p, m]) => before.get(p) !== m).map(([p]) => p);
}

function selectorKey(s: OutputSelector): string {
  return s.kind === "all" ? "all" : s.kind === "topic" ? `topics/${s.topicId}` : `sources/${s.sourceId}`;
}

async function cycleSection(): Promise<void> {
  const sourceCount = 6;
  const dataDir = tempDir("cycle-data");
  const writeSources = (extra: Set<number>) => {
    for (let i = 0; i < sourceCount; i++) {
      writeFileSync(
        join(dataDir, `s${i}.xml`),
        generateFeed({ format: i % 2 === 0 ? "rss" : "atom", items: extra.has(i) ? 60 : 50, seed: 100 + i, sourceKey: `s${i}` }),
      );
    }
  };
  writeSources(new Set());
  const yaml = Array.from({ length: sourceCount }, (_, i) => `  - id: s${i}\n    file: ${join(dataDir, `s${i}.xml`)}\n`).join("");
  const project = benchProject(yaml);
  const app = buildApp(loadConfig(project.configFile), logger);
  const counts = new Map<string, number>();
  const latest = app.store.latest.bind(app.store);
  // Every render of an output reads its entries once: counting reads counts renders.
  app.store.latest = (selector, limit) => {
    const k = selectorKey(selector);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return latest(selector, limit);
  };
  const cycle = async (label: string, changed: Set<number>) => {
    counts.clear();
    const before = mtimes(project.feedsDir);
    const started = performance.now();
    const report = await runCycle(app, app.config.sources);
    const ms = performance.now() - started;
    const written = changedPaths(before, mtimes(project.feedsDir)).filter((p) => !p.endsWith(".opml") && !p.endsWith(".html"));
    const maxPerOutput = Math.max(0, ...counts.values());
    const unchangedSourceRenders = [...counts.keys()].filter((k) => k.startsWith("sources/") && !changed.has(Number(k.slice("sources/s".length))));
    const ok = maxPerOutput <= 1 && unchangedSourceRenders.length === 0 && (changed.size > 0 || (counts.size === 0 && written.length === 0));
    addRow({
      section: "cycle",
      measure: `${label}: ${changed.size} of ${sourceCount} sources changed`,
      ours: `${counts.size} outputs rendered (max ${maxPerOutput}× each), ${written.length} files written, ${fmtMs(ms)}`,
      yardstick: changed.size === 0 ? "0 renders, 0 files" : `≤ 1 render per output; 0 for unchanged sources' outputs`,
      ratio: "",
      target: "each changed output once; unchanged not rendered",
      verdict: ok ? "PASS" : "FAIL",
    });
    if (unchangedSourceRenders.length > 0) note(`cycle: outputs of unchanged sources were rendered: ${unchangedSourceRenders.join(", ")}`);
    return report;
  };
  await cycle("cold cycle", new Set(Array.from({ length: sourceCount }, (_, i) => i)));
  // Three sources gain items on the same topics: `all` and the shared topic outputs must still render once.
  writeSources(new Set([1, 2, 4]));
  await cycle("second cycle", new Set([1, 2, 4]));
  await cycle("third cycle, nothing changed", new Set());
  app.close();
  project.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}

// ─── 4. Publish cost vs store size ──────────────────────────────────────────
function fillStore(store: SqliteStore, base: Entry[], total: number): void {
  const perSource = 5000;
  for (let start = 0, s = 0; start < total; start += perSource, s++) {
    const upserts: Entry[] = [];
    for (let i = start; i < Math.min(total, start + perSource); i++) {
      const b = base[i % base.length]!;
      const published = new Date(Date.parse(NOW) - i * 60_000).toISOString();
      upserts.push({ ...b, sourceId: `src-${s}`, id: `${b.id}#${i}`, published, firstSeen: published });
    }
    store.commit({ state: { sourceId: `src-${s}`, consecutiveFailures: 0 }, upserts });
  }
}

async function growthSection(): Promise<void> {
  const small = 1000;
  const large = QUICK ? 10_000 : 50_000;
  const base = await pipelineEntries(feedBytes("rss", 1000, 7));
  const dir = tempDir("growth");
  const stores = { small: new SqliteStore(join(dir, "small.db")), large: new SqliteStore(join(dir, "large.db")) };
  const fillMs = await timeMs(() => {
    fillStore(stores.small, base, small);
    fillStore(stores.large, base, large);
  });
  note(`growth: filled stores of ${small} and ${large} entries in ${fmtMs(fillMs)}`);
  const topic = [...base.flatMap((e) => e.topics.map((t) => t.id))][0] ?? "immigration";
  const plans: OutputPlan[] = [
    { selector: { kind: "all" }, path: "all", title: "All", description: "all", group: "All" },
    { selector: { kind: "topic", topicId: topic }, path: `topics/${topic}`, title: topic, description: topic, group: "Topics" },
  ];
  let run = 0;
  const options = (): PublishOptions => ({
    feedsDir: join(dir, `feeds-${run++}`),
    baseUrl: META.baseUrl,
    formats: ["rss", "atom", "json"],
    maxItems: 100,
    topicScheme: taxonomy.scheme,
    siteTitle: "bench",
  });
  for (const plan of plans) {
    const med = await interleaved(QUICK ? 7 : 11, {
      small: () => publishOutputs(stores.small, [plan], options()),
      large: () => publishOutputs(stores.large, [plan], options()),
    });
    ratioRow(
      "growth",
      `publish ${plan.path} (100 latest ×3 formats) with ${large} vs ${small} entries stored`,
      med.large!,
      med.small!,
      1.2,
      fmtMs,
      `${small} stored`,
    );
  }
  stores.small.close();
  stores.large.close();
  rmSync(dir, { recursive: true, force: true });
}

// ─── 5. Unchanged source: same bytes, and HTTP 304 ──────────────────────────
interface FeedServer {
  ports: number[];
  child: ChildProcess;
  stop(): void;
}

async function startFeedServer(dir: string, ports: number): Promise<FeedServer> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "test/bench/feed-server.mjs"), dir, String(ports)], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((done, fail) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("\n")) done(buf.split("\n")[0]!);
    });
    child.on("exit", (code) => fail(new Error(`bench: feed server exited with ${code}`)));
  });
  const { ports: list } = JSON.parse(line) as { ports: number[] };
  return { ports: list, child, stop: () => child.kill() };
}

async function unchangedSection(): Promise<void> {
  const dataDir = tempDir("unchanged");
  const server = await startFeedServer(dataDir, 1);
  const nginx = await startNginxOrigin(dataDir);
  if (nginx === undefined) note("unchanged: nginx is not installed or did not start; the 304 rows use test/bench/feed-server.mjs only");
  for (const n of [100, 1000]) {
    const bytes = feedBytes("rss", n);
    const text = bytes.toString("utf8");
    const file = join(dataDir, `feed-${n}.xml`);
    writeFileSync(file, bytes);
    const project = benchProject(
      `  - id: same-bytes\n    file: ${file}\n  - id: http-304\n    url: http://127.0.0.1:${server.ports[0]}/feed-${n}.xml\n    local: true\n` +
        (nginx ? `  - id: nginx-304\n    url: http://127.0.0.1:${nginx.port}/feed-${n}.xml\n    local: true\n` : ""),
    );
    const app = buildApp(loadConfig(project.configFile), logger);
    await runCycle(app, app.config.sources);
    const [fileSource, httpSource, nginxSource] = app.config.sources as [Source, Source, Source | undefined];
    // A service finds its file sources as they were minutes ago, not just written: once a file is
    // two seconds old, a refresh that reads the same bytes keeps the file's signature, and the
    // refreshes after it are answered from one stat (fetch/fetch-source.ts). Timed from there.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await refreshSource(fileSource, app.deps);
    const statuses = new Map<string, Set<string>>();
    const record = (row: string, status: string) => {
      const set = statuses.get(row) ?? new Set<string>();
      set.add(status);
      statuses.set(row, set);
    };
    // The app's connection pool keeps a connection only seconds (fetch/connection-pool.ts): a
    // 304 right after another fetch of the host reuses it, as the next source on that host in
    // a cycle does; a service refreshing every few minutes opens a new one each cycle, which
    // is what fetching without the pool measures.
    const { pool: _pool, ...unpooled } = app.deps.fetch;
    const coldDeps = { ...app.deps, fetch: unpooled };
    const contenders: Record<string, () => unknown> = {
      yard: () => yardstickParse(text),
      same: async () => record("same", (await refreshSource(fileSource, app.deps)).status),
      http: async () => record("http", (await refreshSource(httpSource, app.deps)).status),
      httpCold: async () => record("httpCold", (await refreshSource(httpSource, coldDeps)).status),
    };
    if (nginxSource) {
      contenders.nginx = async () => record("nginx", (await refreshSource(nginxSource, app.deps)).status);
      contenders.nginxCold = async () => record("nginxCold", (await refreshSource(nginxSource, coldDeps)).status);
    }
    const med = await interleaved(QUICK ? 7 : 15, contenders, { settleMs: 25 });
    // Each row names the status every one of its runs returned ("?" if they differed or failed).
    const status = (row: string, expected: string) => (statuses.get(row)?.size === 1 && statuses.get(row)?.has(expected) ? expected : "?");
    ratioRow("unchanged", `${n} items, same bytes (status ${status("same", "unchanged")})`, med.same!, med.yard!, 0.05);
    // With nginx as the origin its rows carry the target: it answers a 304 as a real origin
    // does; test/bench/feed-server.mjs (a Node process) then is reported for comparison.
    const feedServerTarget = nginxSource ? undefined : 0.05;
    if (nginxSource) {
      ratioRow(
        "unchanged",
        `${n} items, HTTP 304 from nginx on 127.0.0.1, pooled connection (status ${status("nginx", "not-modified")})`,
        med.nginx!,
        med.yard!,
        0.05,
      );
      ratioRow(
        "unchanged",
        `${n} items, HTTP 304 from nginx on 127.0.0.1, new connection (status ${status("nginxCold", "not-modified")})`,
        med.nginxCold!,
        med.yard!,
        0.05,
      );
    }
    ratioRow(
      "unchanged",
      `${n} items, HTTP 304 from feed-server.mjs on 127.0.0.1, pooled connection (status ${status("http", "not-modified")})`,
      med.http!,
      med.yard!,
      feedServerTarget,
    );
    ratioRow(
      "unchanged",
      `${n} items, HTTP 304 from feed-server.mjs on 127.0.0.1, new connection (status ${status("httpCold", "not-modified")})`,
      med.httpCold!,
      med.yard!,
      feedServerTarget,
    );
    const cpuMed = await interleaved(QUICK ? 7 : 15, contenders, { cpu: true, settleMs: 25 });
    for (const [row, label] of [
      ["same", "same bytes"],
      ["nginx", "HTTP 304 from nginx, pooled connection"],
      ["nginxCold", "HTTP 304 from nginx, new connection"],
      ["http", "HTTP 304 from feed-server.mjs, pooled connection"],
    ] as const) {
      if (cpuMed[row] === undefined) continue;
      ratioRow("unchanged", `${n} items, ${label}: CPU time of this process (parse's CPU time as yardstick)`, cpuMed[row]!, cpuMed.yard!, undefined);
    }
    const before = mtimes(project.feedsDir);
    const report = await runCycle(app, app.config.sources);
    const written = changedPaths(before, mtimes(project.feedsDir));
    addRow({
      section: "unchanged",
      measure: `${n} items: whole cycle with every source unchanged`,
      ours: `${written.length} files written (${report.changedFiles.length} reported)`,
      yardstick: "0 files",
      ratio: "",
      target: "no file written",
      verdict: written.length === 0 && report.changedFiles.length === 0 ? "PASS" : "FAIL",
    });
    app.close();
    project.cleanup();
  }
  nginx?.stop();
  server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

// ─── 6. Backfill, whole process, cold store; peak memory ────────────────────
/**
 * CPU time (user + system, ms) of a child run, from /usr/bin/time -v: on a
 * shared machine wall time mostly measures the wait for a core, CPU time much
 * less (it does not show what a second core saves, which wall time does).
 */
function childCpuMs(r: { stderr: string }): number {
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  return user && system ? (Number(user[1]) + Number(system[1])) * 1000 : Number.NaN;
}

async function backfillSection(): Promise<void> {
  const sizes: Array<[number, number]> = QUICK
    ? [
        [2000, 1],
        [10_000, 1],
      ]
    : [
        // Three rounds at 10,000 items: one whole-process run on a shared machine moves by ±20 %.
        [10_000, 3],
        [50_000, 1],
      ];
  const dir = tempDir("backfill");
  const walls = new Map<number, number>();
  const bin = join(REPO_ROOT, "bin/feed-enricher.js");
  const yardScript = join(REPO_ROOT, "test/bench/yardstick-parse.mjs");
  const runOurs = async (file: string) => {
    const project = benchProject(`  - id: backfill\n    file: ${file}\n`);
    const r = await runChild([process.execPath, bin, "run", "--config", project.configFile], { env: { LOG_LEVEL: "warn" }, timeoutMs: CHILD_TIMEOUT_MS });
    project.cleanup();
    if (r.timedOut) note(`backfill: run on ${file} was killed after ${fmtMs(CHILD_TIMEOUT_MS)} (BENCH_TIMEOUT_S); its wall time is a lower bound`);
    else if (r.code !== 0) note(`backfill: run exited with ${r.code}: ${r.stderr.split("\n").slice(0, 3).join(" ")}`);
    return r;
  };
  for (const [n, reps] of sizes) {
    const file = join(dir, `feed-${n}.xml`);
    writeFileSync(file, generateFeed({ format: "rss", items: n, seed: 3 }));
    const ours: number[] = [];
    let killed = false;
    const yard: number[] = [];
    const oursRss: number[] = [];
    const yardRss: number[] = [];
    const oursCpu: number[] = [];
    const yardCpu: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? ["yard", "ours"] : ["ours", "yard"];
      for (const who of order) {
        const r = who === "ours" ? await runOurs(file) : await runChild([process.execPath, yardScript, file]);
        if (r.timedOut) killed = true;
        (who === "ours" ? ours : yard).push(r.wallMs);
        (who === "ours" ? oursRss : yardRss).push(r.maxRssKb);
        (who === "ours" ? oursCpu : yardCpu).push(childCpuMs(r));
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wallTarget = n === 10_000 ? 2.5 : n === 50_000 ? 3.5 : undefined;
    const bound = killed ? " (killed at the time limit: lower bound)" : "";
    ratioRow(
      "backfill",
      `${n} items, cold store: node bin/feed-enricher.js run (wall)${bound}`,
      med(ours),
      med(yard),
      QUICK ? undefined : wallTarget,
      fmtMs,
      "rss-parser",
      killed,
    );
    if (killed) {
      // /usr/bin/time was killed too: no peak RSS for this size.
      walls.set(n, Number.NaN);
      continue;
    }
    ratioRow("backfill", `${n} items: CPU time (user + system)`, med(oursCpu), med(yardCpu), undefined, fmtMs, "rss-parser");
    ratioRow("memory", `${n} items: peak RSS`, med(oursRss), med(yardRss), n >= 10_000 ? 2.5 : undefined, fmtMb);
    walls.set(n, med(ours));
  }
  const a = walls.get(10_000);
  const b = walls.get(50_000);
  if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b))
    ratioRow("backfill", "growth 10,000 → 50,000 items (wall)", b, a, 5.5, fmtMs, "10,000 items");
  if (!QUICK) {
    const n = 100_000;
    const file = join(dir, `feed-${n}.xml`);
    writeFileSync(file, generateFeed({ format: "rss", items: n, seed: 3 }));
    const r = await runOurs(file);
    addRow({
      section: "memory",
      measure: `${n} items with Node's default heap`,
      ours: r.timedOut ? `killed after ${fmtMs(r.wallMs)} (time limit)` : `exit ${r.code}, ${fmtMs(r.wallMs)}, peak RSS ${fmtMb(r.maxRssKb)}`,
      yardstick: "",
      ratio: "",
      target: "completes",
      // Killed by the time limit says nothing about the heap: undetermined, not a failure.
      verdict: r.timedOut ? "skip" : r.code === 0 ? "PASS" : "FAIL",
    });
  }
  rmSync(dir, { recursive: true, force: true });
}

// ─── Peers ──────────────────────────────────────────────────────────────────
/** A Python 3 that has feedparser (Debian: python3-feedparser), or undefined. */
function pythonWithFeedparser(): string | undefined {
  for (const python of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(python, ["-c", "import feedparser"], { stdio: "ignore" });
    if (r.status === 0) return python;
  }
  return undefined;
}

/**
 * What users would otherwise run, on the backfill's file, one whole process
 * each, interleaved with rss-parser's: Python's feedparser (parse only), and
 * a naive pipeline (rss-parser, one regular expression per term of the same
 * taxonomy, `feed` for the output: test/bench/peer-naive-pipeline.mjs).
 * Informational rows: no target.
 */
async function peersSection(): Promise<void> {
  const n = QUICK ? 2000 : 10_000;
  const dir = tempDir("peers");
  const file = join(dir, `feed-${n}.xml`);
  const bytes = generateFeed({ format: "rss", items: n, seed: 3 });
  writeFileSync(file, bytes);
  const inputMb = bytes.length / 1e6;
  const python = pythonWithFeedparser();
  const project = benchProject(`  - id: backfill\n    file: ${file}\n`);
  const contenders: Array<[string, string[]]> = [
    ["rss-parser", [process.execPath, join(REPO_ROOT, "test/bench/yardstick-parse.mjs"), file]],
    ["ours", [process.execPath, join(REPO_ROOT, "bin/feed-enricher.js"), "run", "--config", project.configFile]],
    ["naive", [process.execPath, join(REPO_ROOT, "test/bench/peer-naive-pipeline.mjs"), file, TOPICS_FILE, join(dir, "naive-out")]],
  ];
  if (python) contenders.push(["feedparser", [python, join(REPO_ROOT, "test/bench/peer-feedparser.py"), file]]);
  else note("peers: Python feedparser is not installed (Debian: apt-get install python3-feedparser); its rows are left out");
  const runs = new Map<string, Awaited<ReturnType<typeof runChild>>>();
  for (const [name, args] of contenders) {
    const r = await runChild(args, { env: { LOG_LEVEL: "warn" }, timeoutMs: CHILD_TIMEOUT_MS });
    if (r.timedOut) note(`peers: ${name} was killed after ${fmtMs(CHILD_TIMEOUT_MS)} (BENCH_TIMEOUT_S); its wall time is a lower bound`);
    else if (r.code !== 0) note(`peers: ${name} exited with ${r.code}: ${r.stderr.split("\n").slice(0, 3).join(" ")}`);
    runs.set(name, r);
  }
  project.cleanup();
  const yard = runs.get("rss-parser")!;
  const ours = runs.get("ours")!;
  const label = (what: string) => `${n} items (${inputMb.toFixed(1)} MB): ${what}`;
  const times = (r: { maxRssKb: number }) => `${((r.maxRssKb * 1024) / bytes.length).toFixed(1)}× the file`;
  const feedparser = runs.get("feedparser");
  if (feedparser) {
    const version = /"version": "([^"]+)"/.exec(feedparser.stdout)?.[1] ?? "";
    ratioRow("peers", label(`Python feedparser ${version} \`feedparser.parse\`, whole process (wall)`), feedparser.wallMs, yard.wallMs, undefined);
    ratioRow("peers", label(`feed-enricher \`run\` beside Python feedparser (wall)`), ours.wallMs, feedparser.wallMs, undefined, fmtMs, "feedparser");
    ratioRow("peers", label(`Python feedparser: peak RSS, ${times(feedparser)}`), feedparser.maxRssKb, yard.maxRssKb, undefined, fmtMb);
  }
  const naive = runs.get("naive")!;
  const terms = /"terms":(\d+)/.exec(naive.stdout)?.[1] ?? "?";
  ratioRow(
    "peers",
    label(`naive pipeline (rss-parser, one regex per term of the taxonomy's ${terms}, \`feed\` for RSS, Atom and JSON of every item), whole process (wall)`),
    naive.wallMs,
    yard.wallMs,
    undefined,
  );
  ratioRow("peers", label(`feed-enricher \`run\` beside the naive pipeline (wall)`), ours.wallMs, naive.wallMs, undefined, fmtMs, "naive pipeline");
  ratioRow("peers", label(`naive pipeline: peak RSS, ${times(naive)}`), naive.maxRssKb, yard.maxRssKb, undefined, fmtMb);
  ratioRow("peers", label(`feed-enricher \`run\`: peak RSS, ${times(ours)}`), ours.maxRssKb, yard.maxRssKb, undefined, fmtMb);
  rmSync(dir, { recursive: true, force: true });
}

// ─── 7. Tagging throughput ──────────────────────────────────────────────────
async function tagSection(): Promise<void> {
  // Each input in a child process of its own: see test/bench/tag-throughput.ts.
  const measure = async (input: "generated" | "corpus" | "dev") => {
    const r = await runChild([process.execPath, "--import", "tsx", join(REPO_ROOT, "test/bench/tag-throughput.ts")], {
      env: { TAG_REPS: String(QUICK ? 3 : 7), TAG_INPUT: input },
      timeoutMs: CHILD_TIMEOUT_MS,
    });
    if (r.code !== 0) throw new Error(`tag-throughput.ts (${input}) failed: ${r.stderr.slice(-2000)}`);
    const m = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      topics: number;
      entries: number;
      tagged: number;
      bytes: number;
      tagMs: number;
      tokenizeMs: number;
    };
    return { ...m, mbps: m.bytes / 1e6 / (m.tagMs / 1000), tokenizeMbps: m.bytes / 1e6 / (m.tokenizeMs / 1000) };
  };
  // The target row is absolute, and on a shared machine one process can meet a CPU slowed by a
  // neighbour for its whole life (docs/benchmarks.md, "The machine's two CPUs"): three processes,
  // one after the other, and the median one counts, with its own tokenize figure beside it.
  const runs: Array<Awaited<ReturnType<typeof measure>>> = [];
  for (let i = 0; i < (QUICK ? 1 : 3); i++) runs.push(await measure("generated"));
  const generated = [...runs].sort((a, b) => a.mbps - b.mbps)[Math.floor(runs.length / 2)]!;
  const each = runs.length > 1 ? `, the median of ${runs.length} processes (${runs.map((r) => r.mbps.toFixed(1)).join(", ")} MB/s)` : "";
  addRow({
    section: "tagging",
    measure: `tagText, full bilingual taxonomy (${generated.topics} topics), ${(generated.bytes / 1e6).toFixed(1)} MB of text, ${generated.entries} entries (${generated.tagged} tagged), CPU time, in a process of its own${each}`,
    ours: `${generated.mbps.toFixed(1)} MB/s`,
    yardstick: `tokenize alone ${generated.tokenizeMbps.toFixed(1)} MB/s`,
    ratio: "",
    target: "≥ 100 MB/s",
    verdict: generated.mbps >= 100 ? "PASS" : "FAIL",
  });
  // Real text beside the generated stories: shorter items and a wider vocabulary, slower per
  // byte though with fewer matches (docs/benchmarks.md, "Tagging real text").
  const real: Array<["corpus" | "dev", string]> = [
    ["corpus", "every entry of the real feeds in test/fixtures/corpus"],
    ["dev", "the labelled news items of test/fixtures/tagging/dev.jsonl"],
  ];
  for (const [input, what] of real) {
    const m = await measure(input);
    addRow({
      section: "tagging",
      measure: `tagText on ${what}: ${(m.bytes / 1e6).toFixed(2)} MB of text, ${m.entries} entries (${m.tagged} tagged), CPU time, in a process of its own`,
      ours: `${m.mbps.toFixed(1)} MB/s`,
      yardstick: `tokenize alone ${m.tokenizeMbps.toFixed(1)} MB/s`,
      ratio: "",
      target: "",
      verdict: "info",
    });
  }
}

// ─── 8. Many sources over HTTP ──────────────────────────────────────────────
async function manySection(): Promise<void> {
  const count = MANY_SOURCES;
  const hosts = 16;
  const dataDir = tempDir("many");
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(dataDir, `m${i}.xml`);
    writeFileSync(file, generateFeed({ format: i % 3 === 2 ? "atom" : "rss", items: 50, seed: 1000 + i, sourceKey: `m${i}` }));
    files.push(file);
  }
  const server = await startFeedServer(dataDir, hosts);
  // Sources spread over 16 loopback ports: the cycle allows one request per host at a time.
  const yaml = Array.from({ length: count }, (_, i) => `  - id: m${i}\n    url: http://127.0.0.1:${server.ports[i % hosts]}/m${i}.xml\n    local: true\n`).join(
    "",
  );
  const project = benchProject(yaml);
  const yardArgs = [process.execPath, join(REPO_ROOT, "test/bench/yardstick-parse.mjs"), ...files];
  const yardBefore = await runChild(yardArgs);
  const ours = await runChild([process.execPath, join(REPO_ROOT, "bin/feed-enricher.js"), "run", "--config", project.configFile], {
    env: { LOG_LEVEL: "warn" },
    timeoutMs: CHILD_TIMEOUT_MS,
  });
  // rss-parser runs before and after ours, and the faster run counts (the stricter ratio): on a
  // shared machine one run of it was once half as slow again as the others.
  const yardAfter = await runChild(yardArgs);
  const yard = yardBefore.wallMs <= yardAfter.wallMs ? yardBefore : yardAfter;
  note(`many sources: rss-parser took ${fmtMs(yardBefore.wallMs)} before our run and ${fmtMs(yardAfter.wallMs)} after; the faster counts`);
  if (!ours.timedOut && ours.code !== 0) note(`many: run exited with ${ours.code}: ${ours.stdout.split("\n")[0]}`);
  const bound = ours.timedOut ? " (killed at the time limit: lower bound)" : "";
  ratioRow(
    "many sources",
    `${count} sources × 50 items over HTTP (16 loopback ports), one cold \`run\`, default concurrency: ${ours.timedOut ? "< " : ""}${(count / (ours.wallMs / 1000)).toFixed(1)} sources/s vs rss-parser ${(count / (yard.wallMs / 1000)).toFixed(1)}/s${bound}`,
    ours.wallMs,
    yard.wallMs,
    2.0,
    fmtMs,
    "rss-parser",
    ours.timedOut,
  );
  if (!ours.timedOut) {
    ratioRow("many sources", `${count} sources: CPU time (user + system)`, childCpuMs(ours), childCpuMs(yard), undefined, fmtMs, "rss-parser");
    ratioRow("memory", `${count} sources: peak RSS`, ours.maxRssKb, yard.maxRssKb, undefined, fmtMb);
  }
  project.cleanup();
  server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

// ─── 9. Serving ─────────────────────────────────────────────────────────────
async function load(url: string, etag?: string): Promise<{ rps: number; p99: number; ok: boolean }> {
  const duration = QUICK ? 3 : 8;
  const r = await autocannon({ url, connections: 32, duration, ...(etag ? { headers: { "if-none-match": etag } } : {}) });
  const ok = etag ? r["3xx"] > 0 && r["2xx"] === 0 : r["2xx"] > 0 && r.non2xx === 0;
  return { rps: r.requests.average, p99: r.latency.p99, ok };
}

async function serveSection(): Promise<void> {
  const dataDir = tempDir("serve-data");
  const file = join(dataDir, "feed.xml");
  writeFileSync(file, feedBytes("rss", 100));
  const port = await freePort();
  const project = benchProject(`  - id: serve\n    file: ${file}\n`, `server:\n  host: 127.0.0.1\n  port: ${port}\n`);
  const bin = join(REPO_ROOT, "bin/feed-enricher.js");
  const run = await runChild([process.execPath, bin, "run", "--config", project.configFile], { env: { LOG_LEVEL: "warn" } });
  if (run.code !== 0) note(`serve: preparing feeds failed (${run.stderr.split("\n")[0]})`);
  const feedFile = "all.rss";
  // mkdtemp makes 0700 folders; nginx workers run as an unprivileged user and must traverse them.
  for (const d of [project.root, project.feedsDir]) chmodSync(d, 0o755);

  // nginx on loopback with a temp config, serving the same folder.
  let nginx: ChildProcess | undefined;
  let nginxUrl: string | undefined;
  const nginxBin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
  if (nginxBin) {
    const nginxPort = await freePort();
    const prefix = join(project.root, "nginx");
    mkdirSync(join(prefix, "logs"), { recursive: true });
    writeFileSync(
      join(prefix, "nginx.conf"),
      `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; etag on;
  types { application/rss+xml rss; application/atom+xml atom; application/feed+json json; }
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${nginxPort}; root ${project.feedsDir}; }
}
`,
    );
    nginx = spawn(nginxBin, ["-p", prefix, "-c", join(prefix, "nginx.conf")], { stdio: "ignore" });
    nginxUrl = `http://127.0.0.1:${nginxPort}/${feedFile}`;
    if (!(await waitForHttp(nginxUrl, nginx, 5000))) {
      note("serve: nginx did not start; its column is empty");
      nginxUrl = undefined;
    }
  } else {
    note("serve: nginx is not installed (apt-get install nginx); its column is empty");
  }

  const ours = spawn(process.execPath, [bin, "serve", "--config", project.configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "warn" },
    stdio: "ignore",
  });
  let oursUrl: string | undefined;
  for (const candidate of [`http://127.0.0.1:${port}/${feedFile}`, `http://127.0.0.1:${port}/feeds/${feedFile}`]) {
    if (await waitForHttp(candidate, ours, 8000)) {
      const res = await fetch(candidate);
      await res.arrayBuffer();
      if (res.status === 200) {
        oursUrl = candidate;
        break;
      }
    }
  }
  if (!oursUrl) note("serve: `feed-enricher serve` is not available yet (it did not answer 200 for all.rss); only nginx was measured");

  const etagOf = async (url: string) => (await fetch(url)).headers.get("etag") ?? undefined;
  for (const path of ["200", "304"] as const) {
    const nginxResult = nginxUrl ? await load(nginxUrl, path === "304" ? await etagOf(nginxUrl) : undefined) : undefined;
    const oursResult = oursUrl ? await load(oursUrl, path === "304" ? await etagOf(oursUrl) : undefined) : undefined;
    const fmt = (r: { rps: number; p99: number; ok: boolean } | undefined) =>
      r ? `${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms${r.ok ? "" : " (unexpected statuses)"}` : "n/a";
    addRow({
      section: "serve",
      measure: `100-item all.rss, ${path} path, autocannon 32 connections`,
      ours: fmt(oursResult),
      yardstick: `${fmt(nginxResult)} (nginx)`,
      ratio: oursResult && nginxResult ? `${(oursResult.rps / nginxResult.rps).toFixed(2)}x req/s` : "",
      target: "",
      verdict: oursResult ? "info" : "skip",
    });
  }
  ours.kill();
  nginx?.kill();
  project.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}

// ─── main ───────────────────────────────────────────────────────────────────
// Tagging first: in full runs it read about a third slower after the
// sections that write stores and feeds (tokenize, timed beside it, too), and
// nothing it measures depends on them.
const SECTIONS: Array<[string, () => Promise<void>]> = [
  ["tag", tagSection],
  ["stages", stageSection],
  ["render", renderSection],
  ["cycle", cycleSection],
  ["growth", growthSection],
  ["unchanged", unchangedSection],
  ["many", manySection],
  ["backfill", backfillSection],
  ["peers", peersSection],
  ["serve", serveSection],
];

const started = performance.now();
const startLoad = loadavg()[0]!.toFixed(1);
const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${availableParallelism()} cores, Node ${process.version}, ${process.platform}`;
process.stdout.write(`feed-enricher bench (${QUICK ? "quick" : "full"}) on ${machine}; temp files in ${tmpdir()}\n`);
for (const [name, fn] of SECTIONS) {
  if (!enabled(name)) continue;
  const t = performance.now();
  try {
    await fn();
  } catch (error) {
    note(`${name}: section failed: ${(error as Error).stack ?? String(error)}`);
  }
  process.stdout.write(`-- ${name} took ${fmtMs(performance.now() - t)}\n`);
}
const totalMs = performance.now() - started;
// Other work on the machine shows in every figure; the ratios are less sensitive to it than absolute times.
note(`1-minute load average at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (at the start: ${startLoad})`);
const table = markdownTable();
process.stdout.write(`\n${table}\n${notes.map((n) => `- ${n}`).join("\n")}\nTotal ${fmtMs(totalMs)}\n`);

if (WRITE) {
  const env = ["BENCH_QUICK", "BENCH_ONLY", "BENCH_TIMEOUT_S", "BENCH_MANY"].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]} `);
  const command = `${env.join("")}npm run bench -- --write`;
  const doc = readFileSync(join(REPO_ROOT, "test/bench/BENCHMARKS.template.md"), "utf8")
    .replace("{{command}}", command)
    .replace("{{machine}}", machine)
    .replace("{{date}}", new Date().toISOString().slice(0, 16).replace("T", " "))
    .replace("{{duration}}", fmtMs(totalMs))
    .replace("{{table}}", table)
    .replace("{{notes}}", notes.length > 0 ? notes.map((n) => `- ${n}`).join("\n") : "- none");
  writeFileSync(join(REPO_ROOT, "BENCHMARKS.md"), doc);
  process.stdout.write("wrote BENCHMARKS.md\n");
}
