import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Entry, TopicMatch } from "../../src/model/index.js";
import { type OutputPlan, type PublishOptions, publishOutputs, publishOutputsAsync } from "../../src/refresh/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { readTree } from "../helpers/read-tree.js";

function topic(id: string): TopicMatch {
  return { id, label: id, iptcCode: "medtop:20000771", iptcLabel: "immigration", iptcAncestors: ["medtop:11000000"], score: 2, matches: [] };
}

function entries(): Entry[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `https://example.com/s${i % 3}/${i}`,
    sourceId: `s${i % 3}`,
    title: `Story ${i} & more`,
    link: `https://example.com/s${i % 3}/${i}`,
    published: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    firstSeen: "2026-02-01T00:00:00.000Z",
    authors: i % 2 ? ["Ana Pérez"] : [],
    summary: `Summary ${i}`,
    contentHtml: `<p>Body ${i}</p>`,
    categories: [],
    enclosures: [],
    wordCount: 2,
    readingTimeMin: 1,
    topics: i % 4 === 0 ? [topic("immigration")] : i % 4 === 1 ? [topic("border")] : [],
    entities: [],
    contentHash: `h${i}`,
  }));
}

const PLANS: OutputPlan[] = [
  { selector: { kind: "all" }, path: "all", title: "All", description: "d", group: "All" },
  ...["immigration", "border"].map(
    (t): OutputPlan => ({ selector: { kind: "topic", topicId: t }, path: `topics/${t}`, title: t, description: "d", group: "Topics" }),
  ),
  ...["s0", "s1", "s2"].map(
    (s): OutputPlan => ({ selector: { kind: "source", sourceId: s }, path: `sources/${s}`, title: s, description: "d", group: "Sources" }),
  ),
];

describe("publishOutputsAsync", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function project() {
    const root = mkdtempSync(join(tmpdir(), "fe-publish-async-"));
    dirs.push(root);
    const store = new SqliteStore(join(root, "store.db"));
    store.saveEntries(entries());
    const options: PublishOptions = {
      feedsDir: join(root, "feeds"),
      baseUrl: "http://127.0.0.1:8080/",
      formats: ["rss", "atom", "json"],
      maxItems: 5,
      topicScheme: "http://127.0.0.1:8080/topics/",
      siteTitle: "t",
    };
    return { store, options };
  }

  it("writes the same files and reports the same changes, in plan order, as publishOutputs, and clears what it wrote from pending", async () => {
    const sync = project();
    const async = project();
    let syncAll: Entry[] | undefined;
    let asyncAll: Entry[] | undefined;
    const a = publishOutputs(sync.store, PLANS, sync.options, (all) => {
      syncAll = all;
      return ["derived"];
    });
    const b = await publishOutputsAsync(async.store, PLANS, async.options, (all) => {
      asyncAll = all;
      return ["derived"];
    });
    expect(b.changedFiles.map((f) => relative(async.options.feedsDir, f))).toEqual(a.changedFiles.map((f) => relative(sync.options.feedsDir, f)));
    expect(b.changedFiles).toHaveLength(PLANS.length * 3 + 1);
    expect(b.changedFiles.at(-1)).toBe("derived");
    expect(asyncAll?.map((e) => e.id)).toEqual(syncAll?.map((e) => e.id));
    expect(readTree(async.options.feedsDir)).toEqual(readTree(sync.options.feedsDir));
    expect(async.store.pendingOutputs()).toEqual([]);
    // Nothing changed: nothing is written again.
    expect((await publishOutputsAsync(async.store, PLANS, async.options)).changedFiles).toEqual([]);
    sync.store.close();
    async.store.close();
  });

  it("renders the outputs another renderer claimed and never wrote (a worker that died) and reports no error", async () => {
    const sync = project();
    const async = project();
    const a = publishOutputs(sync.store, PLANS, sync.options);
    let counter = 0;
    const claimNext = () => counter++;
    // The other renderer takes the first two outputs, then dies without writing them.
    claimNext();
    claimNext();
    const b = await publishOutputsAsync(async.store, PLANS, async.options, undefined, {
      claimNext,
      others: Promise.resolve({ changed: [], written: [], renamedIn: [], error: new Error("the render worker exited with 1") }),
    });
    expect(b.changedFiles.map((f) => relative(async.options.feedsDir, f))).toEqual(a.changedFiles.map((f) => relative(sync.options.feedsDir, f)));
    expect(readTree(async.options.feedsDir)).toEqual(readTree(sync.options.feedsDir));
    expect(async.store.pendingOutputs()).toEqual([]);
    sync.store.close();
    async.store.close();
  });

  it("stops the other renderer without waiting for it when this thread claimed every output", async () => {
    const { store, options } = project();
    let counter = 0;
    let released = 0;
    // A worker that has not started yet: it has claimed nothing and would reply only once up.
    const b = await publishOutputsAsync(store, PLANS, options, undefined, {
      claimNext: () => counter++,
      others: new Promise(() => {}),
      release: () => {
        released++;
      },
    });
    expect(released).toBe(1);
    expect(b.renderedElsewhere).toBe(0);
    expect(b.changedFiles).toHaveLength(PLANS.length * 3);
    expect(store.pendingOutputs()).toEqual([]);
    store.close();
  });

  it("waits for the other renderer's share when it claimed outputs, and never stops it", async () => {
    const { store, options } = project();
    let counter = 0;
    const claimNext = () => counter++;
    // The other renderer took output 0 and wrote it (its files are not on disk here: only its report is read).
    claimNext();
    const b = await publishOutputsAsync(store, PLANS, options, undefined, {
      claimNext,
      others: Promise.resolve({ changed: [[0, ["all.rss"]]], written: [0], renamedIn: [] }),
      release: () => {
        throw new Error("released a renderer that held an output");
      },
    });
    expect(b.renderedElsewhere).toBe(1);
    expect(b.changedFiles[0]).toBe("all.rss");
    store.close();
  });

  it("on a failed write throws the coded error, keeps the unwritten outputs pending, and renders no further output", async () => {
    const p = project();
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(p.options.feedsDir, { recursive: true });
    writeFileSync(join(p.options.feedsDir, "topics"), "a file where the folder should be");
    const error = await publishOutputsAsync(p.store, PLANS, p.options).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("not-writable");
    const pending = p.store.pendingOutputs();
    expect(pending).toContainEqual({ kind: "topic", topicId: "immigration" });
    expect(pending).not.toContainEqual({ kind: "all" });
    // No temp file is left behind.
    expect([...readTree(p.options.feedsDir).keys()].filter((k) => k.endsWith(".tmp"))).toEqual([]);
    p.store.close();
  });
});
