import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entry, SourceState } from "../../src/model/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";

function entry(sourceId: string, n: number, topics: string[]): Entry {
  return {
    id: `https://news.example.org/${sourceId}/${n}`,
    sourceId,
    title: `${sourceId} ${n}`,
    firstSeen: "2026-01-01T00:00:00.000Z",
    published: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
    authors: [],
    summary: "",
    contentHtml: "<p>x</p>",
    categories: [],
    enclosures: [],
    wordCount: 1,
    readingTimeMin: 1,
    topics: topics.map((id) => ({ id, label: id, iptcCode: "medtop:1", iptcLabel: id, iptcAncestors: [], score: 3, matches: [] })),
    entities: [],
    contentHash: `hash-${sourceId}-${n}`,
  };
}

const state = (sourceId: string): SourceState => ({ sourceId, consecutiveFailures: 0, lastSuccess: "2026-01-02T00:00:00.000Z" });
const DAY_MS = 86_400_000;
const T0 = new Date("2026-03-01T00:00:00.000Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY_MS);

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fe-removed-"));
  store = new SqliteStore(join(dir, "feed-enricher.db"));
  store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport"]), entry("a", 3, [])] });
  store.commit({ state: state("b"), upserts: [entry("b", 2, ["sport", "military"]), entry("b", 4, ["border"])] });
  store.clearPending(store.pendingOutputs());
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const titles = (entries: Entry[]) => entries.map((e) => e.title);

describe("SqliteStore.reconcileSources", () => {
  it("hides a source the config no longer lists from all and topic outputs, counts included, and marks exactly those outputs", () => {
    const result = store.reconcileSources(["a"], 7, at(0));
    expect(result.hidden).toEqual([{ sourceId: "b", removedSince: at(0).toISOString(), entries: 2 }]);
    expect(result.dropped).toEqual([]);
    expect(result.outputs).toEqual([
      { kind: "all" },
      { kind: "topic", topicId: "border" },
      { kind: "topic", topicId: "military" },
      { kind: "topic", topicId: "sport" },
    ]);
    expect(store.pendingOutputs()).toEqual(result.outputs);
    expect(titles(store.latest({ kind: "all" }, 10))).toEqual(["a 3", "a 1"]);
    expect(titles(store.latest({ kind: "topic", topicId: "sport" }, 10))).toEqual(["a 1"]);
    expect(store.latest({ kind: "topic", topicId: "border" }, 10)).toEqual([]);
    expect(store.countEntries({ kind: "all" })).toBe(2);
    expect(store.countEntries({ kind: "topic", topicId: "sport" })).toBe(1);
    // Kept, and still readable per source.
    expect(store.countEntries({ kind: "source", sourceId: "b" })).toBe(2);
    expect(store.removedSources()).toEqual([{ sourceId: "b", removedSince: at(0).toISOString(), entries: 2 }]);
  });

  it("a second call inside the grace period changes nothing and keeps the first removal date", () => {
    store.reconcileSources(["a"], 7, at(0));
    store.clearPending(store.pendingOutputs());
    const again = store.reconcileSources(["a"], 7, at(6.99));
    expect(again).toEqual({ hidden: [], restored: [], dropped: [], outputs: [] });
    expect(store.pendingOutputs()).toEqual([]);
    expect(store.removedSources()[0]?.removedSince).toBe(at(0).toISOString());
  });

  it("deletes the source, its entries and its topics once the grace period has passed, leaving the others alone", () => {
    store.reconcileSources(["a"], 7, at(0));
    store.clearPending(store.pendingOutputs());
    const result = store.reconcileSources(["a"], 7, at(7));
    expect(result.dropped).toEqual([{ sourceId: "b", removedSince: at(0).toISOString(), entries: 2 }]);
    // The entries were already out of every output: nothing to re-render.
    expect(result.outputs).toEqual([]);
    expect(store.pendingOutputs()).toEqual([]);
    expect(store.countEntries({ kind: "source", sourceId: "b" })).toBe(0);
    expect(store.countEntries({ kind: "topic", topicId: "border" })).toBe(0);
    expect(store.getSourceState("b")).toBeUndefined();
    expect(store.removedSources()).toEqual([]);
    expect(titles(store.latest({ kind: "all" }, 10))).toEqual(["a 3", "a 1"]);
    expect(store.entryMeta("a").size).toBe(2);
  });

  it("shows a source listed again, with the same entries, and marks its outputs", () => {
    const before = store.latest({ kind: "all" }, 10);
    store.reconcileSources(["a"], 7, at(0));
    store.clearPending(store.pendingOutputs());
    const result = store.reconcileSources(["b", "a"], 7, at(3));
    expect(result.restored).toEqual(["b"]);
    expect(result.outputs).toEqual([
      { kind: "all" },
      { kind: "source", sourceId: "b" },
      { kind: "topic", topicId: "border" },
      { kind: "topic", topicId: "military" },
      { kind: "topic", topicId: "sport" },
    ]);
    expect(store.latest({ kind: "all" }, 10)).toEqual(before);
    expect(store.removedSources()).toEqual([]);
    // Its clock is reset: far later it is still there.
    expect(store.reconcileSources(["a", "b"], 7, at(100)).dropped).toEqual([]);
    expect(store.countEntries({ kind: "source", sourceId: "b" })).toBe(2);
  });

  it("an empty list of configured sources changes nothing", () => {
    expect(store.reconcileSources([], 0, at(0))).toEqual({ hidden: [], restored: [], dropped: [], outputs: [] });
    expect(store.removedSources()).toEqual([]);
    expect(store.countEntries({ kind: "all" })).toBe(4);
  });

  it("hidden sources keep latest() on its index", () => {
    store.reconcileSources(["a"], 7, at(0));
    for (const selector of [{ kind: "all" as const }, { kind: "topic" as const, topicId: "sport" }]) {
      const text = store.explainLatest(selector).join("\n");
      expect(text).toMatch(/USING (COVERING )?INDEX|USING PRIMARY KEY/);
      expect(text).not.toContain("TEMP B-TREE");
    }
  });
});

describe("schema 3", () => {
  it("migrates a schema-2 database forward and keeps its sources listed", () => {
    const file = join(dir, "v2.db");
    const db = new Database(file);
    db.exec(MIGRATIONS[0]!);
    db.exec(MIGRATIONS[1]!);
    db.pragma("user_version = 2");
    db.prepare("INSERT INTO sources (id, consecutive_failures) VALUES ('old', 0)").run();
    db.close();
    const migrated = new SqliteStore(file);
    try {
      expect(migrated.removedSources()).toEqual([]);
      expect(migrated.reconcileSources(["old"], 7, at(0))).toEqual({ hidden: [], restored: [], dropped: [], outputs: [] });
      expect(migrated.reconcileSources(["other"], 7, at(0)).hidden.map((s) => s.sourceId)).toEqual(["old"]);
    } finally {
      migrated.close();
    }
  });
});
