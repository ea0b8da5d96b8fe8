// A/B of the store, decode and 304 paths: src/ of a git revision (AB_BASE,
// default HEAD) against the working tree, in one process, interleaved, CPU
// time medians (bench-kit's interleaved with cpu: true).
//
//   node --import tsx test/bench/store-path-ab.ts                 every part
//   AB_ONLY=304,store,decode node --import tsx test/bench/store-path-ab.ts
//   AB_BASE=43762ca AB_REPS=15 ...                                 another revision, more repetitions
//   AB_ITEMS=2000                                                 items of the store / decode feeds
//
// 304: refreshSource of one source against nginx on 127.0.0.1 (pooled
// connection), each tree with its own app and store, plus the parts of the
// new one (getSourceState, saveSourceState, fetchSource). Needs nginx.
// store: commit() of the same tagged entries into a fresh store, old and new.
// The stored rows are compared first (every column of every table).
// decode: decodeBytes of generated feeds (ASCII and non-ASCII); texts compared first.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import Database from "better-sqlite3";
import { loadConfig } from "../../src/config/index.js";
import type { Entry, Source } from "../../src/model/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { benchProject, interleaved, REPO_ROOT, startNginxOrigin, tempDir } from "./bench-kit.js";
import { generateFeed } from "./generate-feed.js";

const REPS = Number(process.env.AB_REPS ?? 9);
const ONLY = process.env.AB_ONLY?.split(",") ?? ["304", "store", "decode"];
const ITEMS = Number(process.env.AB_ITEMS ?? 2000);
const logger = silentLogger();

type AppModule = typeof import("../../src/cli/app.js");
type RefreshModule = typeof import("../../src/refresh/index.js");
type StoreModule = typeof import("../../src/store/index.js");
type DecodeModule = typeof import("../../src/decode/index.js");
type FetchModule = typeof import("../../src/fetch/index.js");
interface Tree {
  app: AppModule;
  refresh: RefreshModule;
  store: StoreModule;
  decode: DecodeModule;
  fetch: FetchModule;
}

async function loadTree(dir: string): Promise<Tree> {
  const at = (p: string) => import(pathToFileURL(join(dir, p)).href);
  return {
    app: (await at("src/cli/app.ts")) as AppModule,
    refresh: (await at("src/refresh/index.ts")) as RefreshModule,
    store: (await at("src/store/index.ts")) as StoreModule,
    decode: (await at("src/decode/index.ts")) as DecodeModule,
    fetch: (await at("src/fetch/index.ts")) as FetchModule,
  };
}

/** src/ of `rev` unpacked into a temp folder whose node_modules links to this checkout's. */
async function loadOldTree(rev: string): Promise<Tree> {
  const dir = mkdtempSync(join(tmpdir(), "store-path-ab-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const tar = execFileSync("git", ["-C", REPO_ROOT, "archive", rev, "src", "config", "package.json"], { maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(join(dir, "old.tar"), tar);
  execFileSync("tar", ["-xf", "old.tar"], { cwd: dir });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  return loadTree(dir);
}

const oldTree = await loadOldTree(process.env.AB_BASE ?? "HEAD");
const newTree = await loadTree(REPO_ROOT);

function report(title: string, med: Record<string, number>): void {
  console.log(`\n${title} (CPU ms, medians of ${REPS})`);
  for (const [k, v] of Object.entries(med)) console.log(`  ${k.padEnd(28)} ${v.toFixed(3)}`);
}

/** nginx as the 304 origin (the bench's own setup). */
async function startNginx(dir: string): Promise<{ port: number; stop(): void }> {
  const nginx = await startNginxOrigin(dir);
  if (nginx === undefined) throw new Error("nginx is not installed or did not start");
  return nginx;
}

async function part304(): Promise<void> {
  const dataDir = tempDir("ab-304");
  writeFileSync(join(dataDir, "feed.xml"), generateFeed({ format: "rss", items: 100, seed: 1 }));
  const nginx = await startNginx(dataDir);
  const yaml = `  - id: nginx-304\n    url: http://127.0.0.1:${nginx.port}/feed.xml\n    local: true\n`;
  const setup = async (tree: Tree) => {
    const project = benchProject(yaml);
    const app = tree.app.buildApp(loadConfig(project.configFile), logger);
    const source = app.config.sources[0] as Source;
    const first = await tree.refresh.refreshSource(source, app.deps);
    if (first.status !== "updated") throw new Error(`304 setup: first refresh was ${first.status}`);
    return { project, app, source };
  };
  const a = await setup(oldTree);
  const b = await setup(newTree);
  const statuses = new Set<string>();
  const state = b.app.store.getSourceState(b.source.id)!;
  const validators = { ...(state.etag ? { etag: state.etag } : {}), ...(state.lastModified ? { lastModified: state.lastModified } : {}) };
  const med = await interleaved(
    REPS * 3,
    {
      old: async () => statuses.add(`old:${(await oldTree.refresh.refreshSource(a.source, a.app.deps)).status}`),
      new: async () => statuses.add(`new:${(await newTree.refresh.refreshSource(b.source, b.app.deps)).status}`),
      "new getSourceState": () => b.app.store.getSourceState(b.source.id),
      "new saveSourceState": () => b.app.store.saveSourceState({ ...state, lastFetch: new Date().toISOString() }),
      "new fetchSource": async () => statuses.add(`fetch:${(await newTree.fetch.fetchSource(b.source, validators, b.app.deps.fetch)).status}`),
    },
    { cpu: true, settleMs: 5 },
  );
  report(`304 from nginx, pooled (statuses: ${[...statuses].join(", ")})`, med);
  for (const s of [a, b]) {
    s.app.close();
    s.project.cleanup();
  }
  nginx.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** Entries as a refresh hands them to the store: normalized and tagged by the working tree. */
async function taggedEntries(items: number): Promise<Entry[]> {
  const { parseFeed } = await import("../../src/parse/index.js");
  const { normalizeFeedWithText } = await import("../../src/normalize/index.js");
  const { compileMatcher, loadTaxonomy, tagEntry } = await import("../../src/enrich/index.js");
  const { TOPICS_FILE } = await import("./bench-kit.js");
  const matcher = compileMatcher(loadTaxonomy(TOPICS_FILE, { scheme: "http://127.0.0.1:8080/topics/" }));
  const text = newTree.decode.decodeBytes(generateFeed({ format: "rss", items, seed: 3 })).text;
  const feed = await parseFeed(text, { timeoutMs: 600_000 });
  const normalized = normalizeFeedWithText(feed, {
    sourceId: "s1",
    feedUrl: "http://127.0.0.1/feed.xml",
    trackingParams: [],
    boilerplate: [],
    now: "2026-11-21T00:00:00.000Z",
  });
  return normalized.map(({ entry, contentText }) => tagEntry(matcher, entry, contentText() || entry.summary));
}

function dumpTables(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown> = {};
    for (const t of ["sources", "entries", "entry_topics", "pending_outputs"])
      out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY ${t === "pending_outputs" ? "1" : "1, 2"}`).all();
    return out;
  } finally {
    db.close();
  }
}

async function partStore(): Promise<void> {
  const entries = await taggedEntries(ITEMS);
  const dir = tempDir("ab-store");
  let n = 0;
  const commitInto = (tree: Tree, label: string) => {
    const file = join(dir, `${label}-${n++}.db`);
    const store = new tree.store.SqliteStore(file);
    const ids = entries.map((e) => e.id);
    store.commit({ state: { sourceId: "s1", consecutiveFailures: 0, lastFetch: "2026-11-21T00:00:00.000Z" }, upserts: entries, currentIds: ids });
    // Second pass: the same ids changed (an update of every entry).
    store.commit({
      state: { sourceId: "s1", consecutiveFailures: 0, lastFetch: "2026-11-21T00:01:00.000Z" },
      upserts: entries.slice(0, 50).map((e) => ({ ...e, contentHash: `${e.contentHash}x`, topics: e.topics.slice(1) })),
      currentIds: ids,
    });
    store.close();
    return file;
  };
  const fa = commitInto(oldTree, "old");
  const fb = commitInto(newTree, "new");
  if (!isDeepStrictEqual(dumpTables(fa), dumpTables(fb))) {
    console.error("store: the old and new trees stored different rows");
    process.exitCode = 1;
    return;
  }
  console.log(`store: same rows (${entries.length} entries)`);
  const cold = (tree: Tree, label: string) => () => {
    const file = join(dir, `${label}-${n++}.db`);
    const store = new tree.store.SqliteStore(file);
    store.commit({ state: { sourceId: "s1", consecutiveFailures: 0 }, upserts: entries, currentIds: entries.map((e) => e.id) });
    store.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  };
  // As a refresh commits: each id looked up in entryMeta inside the commit, just before it is written.
  const coldRefresh = (tree: Tree, label: string) => () => {
    const file = join(dir, `${label}-${n++}.db`);
    const store = new tree.store.SqliteStore(file);
    const meta = store.entryMeta("s1");
    function* upserts() {
      for (const e of entries) if (meta.get(e.id) === undefined) yield e;
    }
    store.commit({ state: { sourceId: "s1", consecutiveFailures: 0 }, upserts: upserts(), currentIds: entries.map((e) => e.id) });
    store.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  };
  const med = await interleaved(
    REPS,
    { old: cold(oldTree, "old"), new: cold(newTree, "new"), "old, looked up": coldRefresh(oldTree, "old"), "new, looked up": coldRefresh(newTree, "new") },
    { cpu: true },
  );
  report(`store: cold commit of ${entries.length} entries (with close)`, med);
  rmSync(dir, { recursive: true, force: true });
}

async function partDecode(): Promise<void> {
  const inputs: Array<[string, Buffer]> = [
    ["rss utf-8", generateFeed({ format: "rss", items: ITEMS, seed: 1 })],
    ["atom utf-8", generateFeed({ format: "atom", items: ITEMS, seed: 2 })],
  ];
  const ascii = Buffer.from(inputs[0]![1].toString("utf8").replace(/[^\x00-\x7f]/g, "?"));
  inputs.push(["rss ascii", ascii]);
  for (const [label, bytes] of inputs) {
    const x = oldTree.decode.decodeBytes(bytes);
    const y = newTree.decode.decodeBytes(bytes);
    if (!isDeepStrictEqual(x, y)) {
      console.error(`decode: ${label} differs`);
      process.exitCode = 1;
      return;
    }
    const med = await interleaved(REPS, { old: () => oldTree.decode.decodeBytes(bytes), new: () => newTree.decode.decodeBytes(bytes) }, { cpu: true });
    report(`decode: ${label}, ${(bytes.length / 1e6).toFixed(1)} MB`, med);
  }
}

if (ONLY.includes("304")) await part304();
if (ONLY.includes("store")) await partStore();
if (ONLY.includes("decode")) await partDecode();
