import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/cli/app.js";
import type { Entry } from "../../src/model/index.js";
import { openWriteGroup } from "../../src/refresh/index.js";
import { SqliteStore, StoreError } from "../../src/store/index.js";
import { entry, state } from "./store-entries.js";
import { type StoreProject, storeProject } from "./store-project.js";

/**
 * Makes every commit of a transaction that wrote source `id`'s row fail, as a
 * full disk would: a temporary trigger leaves a deferred foreign key dangling,
 * which SQLite checks at COMMIT and refuses (the transaction stays open).
 */
function poisonCommitsOf(db: Database.Database, id: string): void {
  db.pragma("foreign_keys = ON");
  db.exec(`CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TEMP TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TEMP TRIGGER poison_insert AFTER INSERT ON main.sources WHEN NEW.id = '${id}' BEGIN INSERT INTO child VALUES (99); END;
    CREATE TEMP TRIGGER poison_update AFTER UPDATE ON main.sources WHEN NEW.id = '${id}' BEGIN INSERT INTO child VALUES (99); END;`);
}

/** The store's own connection: only to inject a failure SQLite itself reports. */
const connectionOf = (store: unknown) => (store as { db: Database.Database }).db;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fe-group-"));
  file = join(dir, "feed-enricher.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What another process reading the file sees: committed rows only. */
function committed(): { sources: string[]; entries: number } {
  const db = new Database(file, { readonly: true });
  try {
    const sources = (db.prepare("SELECT id FROM sources ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);
    const entries = (db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n;
    return { sources, entries };
  } finally {
    db.close();
  }
}

describe("write groups (many sources' refreshes in shared transactions)", () => {
  it("gathers the writes until they are due, then commits them together", () => {
    const store = new SqliteStore(file);
    store.beginWriteGroup();
    store.commit({ state: state("a"), upserts: [entry("a", 1), entry("a", 2)], currentIds: [] });
    store.commit({ state: state("b"), upserts: [entry("b", 1)], currentIds: [] });
    store.saveSourceState(state("c"));
    // The connection that wrote sees its writes; another one sees none yet.
    expect(store.countEntries({ kind: "all" })).toBe(3);
    expect(committed()).toEqual({ sources: [], entries: 0 });
    // Three writes, just now: not due.
    store.flushWriteGroup();
    expect(committed()).toEqual({ sources: [], entries: 0 });
    store.flushWriteGroup(true);
    expect(committed()).toEqual({ sources: ["a", "b", "c"], entries: 3 });
    // The next write opens the next batch.
    store.saveSourceState(state("d"));
    expect(committed().sources).toEqual(["a", "b", "c"]);
    store.endWriteGroup();
    expect(committed().sources).toEqual(["a", "b", "c", "d"]);
    // Outside a group every write is its own transaction again.
    store.saveSourceState(state("e"));
    expect(committed().sources).toContain("e");
    store.close();
  });

  it("commits a batch by itself once 32 writes have gathered", () => {
    const store = new SqliteStore(file);
    store.beginWriteGroup();
    for (let i = 0; i < 31; i++) store.saveSourceState(state(`s${String(i).padStart(2, "0")}`));
    store.flushWriteGroup();
    expect(committed().sources).toHaveLength(0);
    store.saveSourceState(state("s31"));
    store.flushWriteGroup();
    expect(committed().sources).toHaveLength(32);
    store.endWriteGroup();
    store.close();
  });

  it("keeps each source its own unit: a refresh that fails inside a batch loses only its own writes", () => {
    const store = new SqliteStore(file);
    store.beginWriteGroup();
    store.commit({ state: state("a"), upserts: [entry("a", 1)], currentIds: [] });
    function* failing(): Generator<Entry> {
      yield entry("b", 1);
      throw new Error("normalize broke on item 2");
    }
    expect(() => store.commit({ state: state("b"), upserts: failing(), currentIds: [] })).toThrow(/item 2/);
    store.commit({ state: state("c"), upserts: [entry("c", 1)], currentIds: [] });
    store.endWriteGroup();
    expect(committed()).toEqual({ sources: ["a", "c"], entries: 2 });
    store.close();
  });

  it("rolls back a batch whose commit fails, names its sources, and forgets the states it held", () => {
    const store = new SqliteStore(file);
    store.saveSourceState(state("a", "2026-01-01T00:00:00.000Z"));
    poisonCommitsOf(connectionOf(store), "b");
    store.beginWriteGroup();
    store.saveSourceState(state("a", "2026-02-01T00:00:00.000Z"));
    store.commit({ state: state("b"), upserts: [entry("b", 1)], currentIds: [] });
    let thrown: unknown;
    try {
      store.flushWriteGroup(true);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).sourceIds?.sort()).toEqual(["a", "b"]);
    // Nothing of the batch reached the file, and the store does not believe otherwise.
    expect(committed()).toEqual({ sources: ["a"], entries: 0 });
    expect(store.getSourceState("a")?.lastSuccess).toBe("2026-01-01T00:00:00.000Z");
    expect(store.getSourceState("b")).toBeUndefined();
    // The next batch commits as usual.
    store.commit({ state: state("c"), upserts: [entry("c", 1)], currentIds: [] });
    store.endWriteGroup();
    expect(committed()).toEqual({ sources: ["a", "c"], entries: 1 });
    store.close();
  });

  it("openWriteGroup hands a failed batch to its listener, goes on with the next, and ends the group whatever happened", () => {
    const store = new SqliteStore(file);
    poisonCommitsOf(connectionOf(store), "b");
    const heard: string[] = [];
    const group = openWriteGroup(store, {
      committed: () => heard.push("committed"),
      failed: (error) => heard.push(`failed: ${(error as StoreError).sourceIds?.join(",")}`),
    });
    store.commit({ state: state("a"), upserts: [entry("a", 1)], currentIds: [] });
    // Not due yet: nothing committed, nothing heard.
    group.flush();
    expect(heard).toEqual([]);
    expect(committed().entries).toBe(0);
    store.commit({ state: state("b"), upserts: [entry("b", 1)], currentIds: [] });
    // The last flush commits what is left; its failure is heard, not thrown.
    expect(() => group.close()).not.toThrow();
    expect(heard).toEqual(["failed: a,b"]);
    expect(committed()).toEqual({ sources: [], entries: 0 });
    // The group is over: a write now is its own transaction, committed at once.
    store.commit({ state: state("c"), upserts: [entry("c", 1)], currentIds: [] });
    expect(committed()).toEqual({ sources: ["c"], entries: 1 });

    const again = openWriteGroup(store, { committed: () => heard.push("committed"), failed: () => heard.push("failed") });
    store.commit({ state: state("d"), upserts: [entry("d", 1)], currentIds: [] });
    again.close();
    expect(heard).toEqual(["failed: a,b", "committed"]);
    expect(committed().sources).toEqual(["c", "d"]);
    store.close();
  });

  it("gathers retention's deletions too, and says which flush committed them", () => {
    const store = new SqliteStore(file);
    store.commit({ state: state("a"), upserts: [1, 2, 3, 4, 5].map((n) => entry("a", n)), currentIds: [] });
    store.beginWriteGroup();
    expect(store.prune("a", { maxEntriesPerSource: 2 }, new Date("2026-02-01T00:00:00Z")).removed).toBe(3);
    expect(store.countEntries({ kind: "source", sourceId: "a" })).toBe(2);
    expect(committed().entries).toBe(5);
    expect(store.flushWriteGroup()).toBe(false);
    expect(store.flushWriteGroup(true)).toBe(true);
    expect(committed().entries).toBe(2);
    // Nothing gathered since: nothing to commit.
    expect(store.flushWriteGroup(true)).toBe(false);
    store.endWriteGroup();
    store.close();
  });

  it("commits an open batch when the store is closed, and closes the file even when that commit fails", () => {
    const store = new SqliteStore(file);
    store.beginWriteGroup();
    store.commit({ state: state("a"), upserts: [entry("a", 1)], currentIds: [] });
    store.close();
    expect(committed()).toEqual({ sources: ["a"], entries: 1 });

    const refused = new SqliteStore(file);
    poisonCommitsOf(connectionOf(refused), "b");
    refused.beginWriteGroup();
    refused.commit({ state: state("b"), upserts: [entry("b", 1)], currentIds: [] });
    expect(() => refused.close()).toThrow(StoreError);
    expect(connectionOf(refused).open).toBe(false);
    expect(committed()).toEqual({ sources: ["a"], entries: 1 });
  });
});

describe("a refresh cycle's batches", () => {
  let project: StoreProject | undefined;
  afterEach(() => project?.cleanup());

  it("reports every source of a batch whose commit failed, and fetches them again on the next run", async () => {
    project = storeProject(["alpha", "beta", "gamma"]);
    const poison = (app: App) => poisonCommitsOf(connectionOf(app.deps.store), "beta");
    const first = await project.run({ tune: poison });
    // The three refreshes shared one batch: its commit failed, so all three are failed, with the store's error.
    expect(first.results.map((r) => r.status)).toEqual(["failed", "failed", "failed"]);
    for (const r of first.results) {
      expect(r).toMatchObject({ code: "io" });
      expect(r.status === "failed" && r.message).toMatch(new RegExp(`^${r.sourceId}: .*feed-enricher\\.db could not be read or written`));
    }
    const db = new Database(project.dbFile, { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n).toBe(0);
    db.close();
    // Nothing was kept of them, validators included: the next run refreshes them all.
    const second = await project.run();
    expect(second.results.map((r) => r.status)).toEqual(["updated", "updated", "updated"]);
    expect(second.results.map((r) => (r.status === "updated" ? r.newEntries : 0))).toEqual([10, 10, 10]);
  });
});
