import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entry, SourceState } from "../../src/model/index.js";
import { SqliteStore, StoreError } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { entry, state } from "./store-entries.js";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fe-store-"));
  file = join(dir, "runtime", "feed-enricher.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("SqliteStore", () => {
  it("creates the database in WAL mode at the latest schema version", () => {
    const store = new SqliteStore(file);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it("migrates a database of the first schema version and keeps its data", () => {
    const db = new Database(join(dir, "v1.db"));
    db.exec(MIGRATIONS[0]!);
    db.pragma("user_version = 1");
    db.prepare("INSERT INTO sources (id, consecutive_failures, etag) VALUES ('a', 0, '\"x\"')").run();
    db.close();
    const store = new SqliteStore(join(dir, "v1.db"));
    expect(store.getSourceState("a")?.etag).toBe('"x"');
    store.commit({ state: state("a"), upserts: [entry("a", 1)], currentIds: [entry("a", 1).id] });
    expect(store.countEntries({ kind: "source", sourceId: "a" })).toBe(1);
    store.close();
  });

  it("upgrades a store of schema 3 (content HTML inside the entry's JSON): old rows read as they were, new rows round-trip", () => {
    const path = join(dir, "v3.db");
    const db = new Database(path);
    for (const step of MIGRATIONS.slice(0, 3)) db.exec(step);
    db.pragma("user_version = 3");
    const before = entry("a", 1, ["sport"]);
    before.contentHtml = '<p>Body with "quotes",\nnewlines, é and — 😀</p>';
    db.prepare(
      `INSERT INTO entries (source_id, id, first_seen, published, updated, sort_date, content_hash, taxonomy_version, data)
       VALUES (?, ?, ?, ?, NULL, ?, ?, NULL, ?)`,
    ).run("a", before.id, before.firstSeen, before.published, before.published, before.contentHash, JSON.stringify(before));
    db.prepare("INSERT INTO entry_topics (source_id, entry_id, topic_id, sort_date) VALUES ('a', ?, 'sport', ?)").run(before.id, before.published);
    db.close();

    const store = new SqliteStore(path);
    const [read] = store.latest({ kind: "topic", topicId: "sport" }, 10);
    // Same object, same key order: anything serializing it again gets the same bytes.
    expect(JSON.stringify(read)).toBe(JSON.stringify(before));
    const changed = { ...before, contentHash: "hash-changed", contentHtml: "<p>New body</p>" };
    const added = entry("a", 2, ["sport"]);
    store.commit({ state: state("a"), upserts: [changed, added] });
    expect(store.latest({ kind: "source", sourceId: "a" }, 10).map((e) => JSON.stringify(e))).toEqual([JSON.stringify(added), JSON.stringify(changed)]);
    expect(store.allEntries().map((e) => e.contentHtml)).toEqual(["<p>New body</p>", "<p>Body 2</p>"]);
    store.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    const row = raw.prepare("SELECT data, content_html FROM entries WHERE id = ?").get(changed.id) as { data: string; content_html: string };
    expect(row.content_html).toBe("<p>New body</p>");
    expect(JSON.parse(row.data).contentHtml).toBe("");
    raw.close();
  });

  it("refuses a database written by a newer version", () => {
    const db = new Database(join(dir, "new.db"));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new SqliteStore(join(dir, "new.db"))).toThrow(expect.objectContaining({ code: "newer-schema" }));
  });

  it("records the outputs each change touches, old topics included, in the same transaction", () => {
    const store = new SqliteStore(file);
    store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport"]), entry("a", 2, ["military", "border"])] });
    expect(store.pendingOutputs()).toEqual([
      { kind: "all" },
      { kind: "source", sourceId: "a" },
      { kind: "topic", topicId: "border" },
      { kind: "topic", topicId: "military" },
      { kind: "topic", topicId: "sport" },
    ]);
    store.clearPending(store.pendingOutputs());
    expect(store.pendingOutputs()).toEqual([]);
    // Re-tagged from sport to culture: both topic outputs must be re-rendered.
    store.saveEntries([entry("a", 1, ["culture"])]);
    expect(store.pendingOutputs()).toEqual([
      { kind: "all" },
      { kind: "source", sourceId: "a" },
      { kind: "topic", topicId: "culture" },
      { kind: "topic", topicId: "sport" },
    ]);
    expect(store.latest({ kind: "topic", topicId: "sport" }, 10)).toEqual([]);
    store.close();
  });

  it("keeps each entry's topic rows equal to its topics, dated like the entry, whatever changed", () => {
    const store = new SqliteStore(file);
    const rows = () => {
      const db = new Database(file, { readonly: true });
      const all = db.prepare("SELECT entry_id, topic_id, sort_date FROM entry_topics ORDER BY entry_id, topic_id").all();
      db.close();
      return all;
    };
    const id = entry("a", 1).id;
    store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport", "culture"], "2026-01-05T00:00:00.000Z")] });
    expect(rows()).toEqual([
      { entry_id: id, topic_id: "culture", sort_date: "2026-01-05T00:00:00.000Z" },
      { entry_id: id, topic_id: "sport", sort_date: "2026-01-05T00:00:00.000Z" },
    ]);
    // One topic kept, one dropped, one added; the date moved: the kept row is re-dated.
    store.clearPending(store.pendingOutputs());
    store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport", "military"], "2026-01-07T00:00:00.000Z")] });
    expect(rows()).toEqual([
      { entry_id: id, topic_id: "military", sort_date: "2026-01-07T00:00:00.000Z" },
      { entry_id: id, topic_id: "sport", sort_date: "2026-01-07T00:00:00.000Z" },
    ]);
    expect(store.pendingOutputs().map((o) => (o.kind === "topic" ? o.topicId : o.kind))).toEqual(["all", "source", "culture", "military", "sport"]);
    // Same topics, same date: the rows stay as they are.
    store.commit({ state: state("a"), upserts: [{ ...entry("a", 1, ["military", "sport"], "2026-01-07T00:00:00.000Z"), contentHash: "changed" }] });
    expect(rows()).toEqual([
      { entry_id: id, topic_id: "military", sort_date: "2026-01-07T00:00:00.000Z" },
      { entry_id: id, topic_id: "sport", sort_date: "2026-01-07T00:00:00.000Z" },
    ]);
    store.commit({ state: state("a"), upserts: [entry("a", 1, [], "2026-01-07T00:00:00.000Z")] });
    expect(rows()).toEqual([]);
    expect(store.latest({ kind: "topic", topicId: "sport" }, 10)).toEqual([]);
    store.close();
  });

  describe("entryMeta", () => {
    it("answers by id, and with everything when asked for its size or contents", () => {
      const store = new SqliteStore(file);
      store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport", "culture"]), entry("a", 2)] });
      store.commit({ state: state("b"), upserts: [entry("b", 3)] });
      const meta = store.entryMeta("a");
      expect(meta.get(entry("a", 1).id)).toEqual({
        id: entry("a", 1).id,
        contentHash: "hash-1",
        firstSeen: "2026-01-01T00:00:00.000Z",
        published: entry("a", 1).published,
        topicIds: expect.arrayContaining(["sport", "culture"]),
      });
      expect(meta.get(entry("a", 1).id)?.topicIds).toHaveLength(2);
      expect(meta.get(entry("b", 3).id)).toBeUndefined();
      expect(meta.has(entry("a", 2).id)).toBe(true);
      expect(meta.has("nope")).toBe(false);
      expect(meta.size).toBe(2);
      expect([...meta.keys()].sort()).toEqual([entry("a", 1).id, entry("a", 2).id]);
      expect(() => meta.set("x", meta.get(entry("a", 2).id)!)).toThrow(TypeError);
      store.close();
    });

    it("reads each id when first asked and remembers it, as a refresh asks before committing that entry", () => {
      const store = new SqliteStore(file);
      store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport"]), entry("a", 2)] });
      const meta = store.entryMeta("a");
      expect(meta.get(entry("a", 1).id)).toMatchObject({ contentHash: "hash-1", topicIds: ["sport"] });
      expect(meta.get(entry("a", 5).id)).toBeUndefined();
      store.commit({ state: state("a"), upserts: [{ ...entry("a", 1, ["culture"]), contentHash: "hash-new" }, entry("a", 5)] });
      // Asked before the commit: the version read then.
      expect(meta.get(entry("a", 1).id)).toMatchObject({ contentHash: "hash-1", topicIds: ["sport"] });
      expect(meta.has(entry("a", 5).id)).toBe(false);
      // A lookup taken now sees the commit.
      expect(store.entryMeta("a").get(entry("a", 1).id)).toMatchObject({ contentHash: "hash-new", topicIds: ["culture"] });
      expect(store.entryMeta("a").size).toBe(3);
      store.close();
    });

    /** The topic rows of one entry, sorted. */
    const topicRows = (id: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare("SELECT topic_id FROM entry_topics WHERE entry_id = ? ORDER BY topic_id").all(id) as Array<{ topic_id: string }>).map(
          (r) => r.topic_id,
        );
      } finally {
        db.close();
      }
    };

    /** The upserts as a refresh produces them: each id looked up inside the commit, just before it is written. */
    function* lookedUp(meta: Map<string, unknown>, entries: Entry[], seen: Array<unknown>) {
      for (const e of entries) {
        seen.push(meta.get(e.id));
        yield e;
      }
    }

    it("writes an entry given twice in one commit of an empty source as the second says, topic rows included", () => {
      const store = new SqliteStore(file);
      const seen: unknown[] = [];
      const first = entry("a", 1, ["sport", "culture"]);
      const second = { ...entry("a", 1, ["politics"]), contentHash: "hash-second" };
      store.commit({ state: state("a"), upserts: lookedUp(store.entryMeta("a"), [first, entry("a", 2, ["sport"]), second], seen) });
      expect(seen).toEqual([undefined, undefined, undefined]);
      expect(topicRows(first.id)).toEqual(["politics"]);
      expect(topicRows(entry("a", 2).id)).toEqual(["sport"]);
      expect(store.entryMeta("a").get(first.id)).toMatchObject({ contentHash: "hash-second", topicIds: ["politics"] });
      store.close();
    });

    it("finds an entry stored before the commit, and one of another source, while writing new ones", () => {
      const store = new SqliteStore(file);
      store.commit({ state: state("a"), upserts: [entry("a", 1, ["sport", "culture"])] });
      store.commit({ state: state("b"), upserts: [entry("b", 1, ["sport"])] });
      // A lookup taken before a later commit and asked inside it sees the rows as they are then.
      const meta = store.entryMeta("a");
      store.commit({ state: state("a"), upserts: [entry("a", 3, ["sport"])] });
      const seen: unknown[] = [];
      const changed = { ...entry("a", 1, ["culture"]), contentHash: "hash-changed" };
      store.commit({ state: state("a"), upserts: lookedUp(meta, [entry("a", 2, ["sport"]), changed, entry("a", 3, ["politics"])], seen) });
      expect(seen[0]).toBeUndefined();
      expect(seen[1]).toMatchObject({ contentHash: "hash-1", topicIds: expect.arrayContaining(["sport", "culture"]) });
      expect(seen[2]).toMatchObject({ contentHash: "hash-3", topicIds: ["sport"] });
      expect(topicRows(changed.id)).toEqual(["culture"]);
      expect(topicRows(entry("a", 3).id)).toEqual(["politics"]);
      expect(topicRows(entry("b", 1).id)).toEqual(["sport"]);
      // Source b was never empty: a commit of it into which a's lookups reach still reads its rows.
      store.saveEntries([entry("b", 1, ["culture"])]);
      expect(topicRows(entry("b", 1).id)).toEqual(["culture"]);
      store.close();
    });
  });

  it("returns the latest N per output, newest first, across sources", () => {
    const store = new SqliteStore(file);
    store.commit({ state: state("a"), upserts: [1, 3, 5].map((n) => entry("a", n, ["sport"])) });
    store.commit({ state: state("b"), upserts: [2, 4, 6].map((n) => entry("b", n, n === 6 ? [] : ["sport"])) });
    expect(store.latest({ kind: "all" }, 4).map((e) => e.title)).toEqual(["Story 6", "Story 5", "Story 4", "Story 3"]);
    expect(store.latest({ kind: "source", sourceId: "b" }, 10).map((e) => e.title)).toEqual(["Story 6", "Story 4", "Story 2"]);
    expect(store.latest({ kind: "topic", topicId: "sport" }, 3).map((e) => e.title)).toEqual(["Story 5", "Story 4", "Story 3"]);
    expect(store.countEntries({ kind: "topic", topicId: "sport" })).toBe(5);
    store.close();
  });

  it("answers latest() by walking an index, without scanning or sorting the table", () => {
    const store = new SqliteStore(file);
    // Enough rows that the planner's choice is the one a big store gets.
    store.commit({ state: state("a"), upserts: Array.from({ length: 300 }, (_, n) => entry(n % 2 ? "a" : "b", n, n % 3 ? ["sport"] : [])) });
    store.close();
    const db = new Database(file);
    db.exec("ANALYZE");
    db.close();
    const analyzed = new SqliteStore(file);
    const plans = [
      analyzed.explainLatest({ kind: "all" }),
      analyzed.explainLatest({ kind: "source", sourceId: "a" }),
      analyzed.explainLatest({ kind: "topic", topicId: "sport" }),
    ];
    analyzed.close();
    for (const plan of plans) {
      const text = plan.join("\n");
      expect(text).toMatch(/USING (COVERING )?INDEX|USING PRIMARY KEY/);
      expect(text).not.toContain("TEMP B-TREE");
      expect(text).not.toMatch(/^SCAN (entries|e|t)$/m);
    }
  });

  describe("retention", () => {
    it("keeps the newest N of a source and never an entry of the current feed", () => {
      const store = new SqliteStore(file);
      const old = [1, 2, 3, 4, 5, 6].map((n) => entry("a", n, ["sport"]));
      // The current feed holds the two oldest stories.
      store.commit({ state: state("a"), upserts: old, currentIds: [old[0]!.id, old[1]!.id] });
      store.clearPending(store.pendingOutputs());
      const result = store.prune("a", { maxEntriesPerSource: 3 }, new Date("2026-02-01T00:00:00Z"));
      expect(result.removed).toBe(1);
      expect(store.latest({ kind: "source", sourceId: "a" }, 10).map((e) => e.title)).toEqual(["Story 6", "Story 5", "Story 4", "Story 2", "Story 1"]);
      expect(result.outputs).toEqual([{ kind: "all" }, { kind: "source", sourceId: "a" }, { kind: "topic", topicId: "sport" }]);
      expect(store.pendingOutputs()).toEqual(result.outputs);
      expect(store.countEntries({ kind: "topic", topicId: "sport" })).toBe(5);
      store.close();
    });

    it("drops entries older than maxAgeDays unless they are in the current feed", () => {
      const store = new SqliteStore(file);
      const entries = [
        entry("a", 1, [], "2025-01-01T00:00:00.000Z"),
        entry("a", 2, [], "2025-01-02T00:00:00.000Z"),
        entry("a", 3, [], "2026-01-30T00:00:00.000Z"),
      ];
      store.commit({ state: state("a"), upserts: entries, currentIds: [entries[1]!.id] });
      const result = store.prune("a", { maxAgeDays: 30, maxEntriesPerSource: 1000 }, new Date("2026-02-01T00:00:00Z"));
      expect(result.removed).toBe(1);
      expect(
        store
          .latest({ kind: "all" }, 10)
          .map((e) => e.title)
          .sort(),
      ).toEqual(["Story 2", "Story 3"]);
      // Another source is never touched.
      expect(store.prune("b", { maxAgeDays: 1 }, new Date("2026-02-01T00:00:00Z")).removed).toBe(0);
      store.close();
    });
  });

  describe("source states", () => {
    const fresh = (): SourceState => ({
      sourceId: "a",
      url: "https://news.example.org/feed",
      etag: '"v1"',
      lastModified: "Mon, 02 Nov 2026 10:00:00 GMT",
      bodyHash: "h1",
      lastFetch: "2026-11-02T10:00:00.000Z",
      lastSuccess: "2026-11-02T10:00:00.000Z",
      consecutiveFailures: 0,
      minIntervalMinutes: 30,
    });
    /** What another connection (another process) reads from the file. */
    const onDisk = (sourceId: string) => {
      const other = new SqliteStore(file);
      try {
        return other.getSourceState(sourceId);
      } finally {
        other.close();
      }
    };

    it("writes a refresh that moved only its timestamps to the file, and later changes to any field", () => {
      const store = new SqliteStore(file);
      store.saveSourceState(fresh());
      const touched = { ...fresh(), lastFetch: "2026-11-02T11:00:00.000Z", lastSuccess: "2026-11-02T11:00:00.000Z" };
      store.saveSourceState(touched);
      expect(onDisk("a")).toEqual(touched);
      expect(store.getSourceState("a")).toEqual(touched);
      // Every other field still reaches the file, whichever one moves.
      const changes: Array<Partial<SourceState>> = [
        { etag: '"v2"' },
        { lastModified: "Tue, 03 Nov 2026 10:00:00 GMT" },
        { bodyHash: "h2" },
        { url: "https://news.example.org/moved" },
        { consecutiveFailures: 2, lastErrorCode: "timeout", lastErrorMessage: "a: slow", nextDue: "2026-11-02T12:00:00.000Z" },
        { minIntervalMinutes: 60 },
      ];
      for (const change of changes) {
        const next = { ...touched, ...change };
        store.saveSourceState(next);
        expect(onDisk("a")).toEqual(next);
        store.saveSourceState(touched);
        expect(onDisk("a")).toEqual(touched);
      }
      store.close();
    });

    it("hands out copies: a caller that changes the state it read changes nothing stored", () => {
      const store = new SqliteStore(file);
      store.saveSourceState(fresh());
      const read = store.getSourceState("a")!;
      read.etag = '"mutated"';
      read.consecutiveFailures = 9;
      expect(store.getSourceState("a")).toEqual(fresh());
      store.close();
    });

    it("keeps the stored state when a commit fails halfway", () => {
      const store = new SqliteStore(file);
      store.saveSourceState(fresh());
      function* failing(): Generator<Entry> {
        yield entry("a", 1);
        throw new Error("normalize blew up");
      }
      const next = { ...fresh(), etag: '"v2"', bodyHash: "h2" };
      expect(() => store.commit({ state: next, upserts: failing(), currentIds: [] })).toThrow("normalize blew up");
      expect(store.getSourceState("a")).toEqual(fresh());
      expect(onDisk("a")).toEqual(fresh());
      store.commit({ state: next, upserts: [entry("a", 1)], currentIds: [entry("a", 1).id] });
      expect(store.getSourceState("a")).toEqual(next);
      expect(onDisk("a")).toEqual(next);
      store.close();
    });

    it("forgets a source whose entries and state were dropped after its grace period", () => {
      const store = new SqliteStore(file);
      store.saveSourceState(fresh());
      store.saveSourceState({ ...fresh(), sourceId: "b" });
      store.reconcileSources(["b"], 7, new Date("2026-11-01T00:00:00Z"));
      expect(store.getSourceState("a")).toEqual(fresh());
      store.reconcileSources(["b"], 7, new Date("2026-11-20T00:00:00Z"));
      expect(store.getSourceState("a")).toBeUndefined();
      expect(onDisk("a")).toBeUndefined();
      store.close();
    });
  });

  describe("page size", () => {
    const pragmas = (f: string) => {
      const db = new Database(f, { readonly: true });
      try {
        return { pageSize: db.pragma("page_size", { simple: true }), autocheckpoint: db.pragma("wal_autocheckpoint", { simple: true }) };
      } finally {
        db.close();
      }
    };

    it("creates a new file with 32 KB pages and checkpoints the WAL every 16 MB", () => {
      const store = new SqliteStore(file);
      store.commit({ state: state("a"), upserts: [entry("a", 1)] });
      expect(pragmas(file).pageSize).toBe(32_768);
      // wal_autocheckpoint is per connection: read the store's own.
      expect((store as unknown as { db: Database.Database }).db.pragma("wal_autocheckpoint", { simple: true })).toBe(512);
      store.close();
    });

    it("keeps the 4 KB pages of a file made before, with its rows, and scales the checkpoint to them", () => {
      const old = new Database(join(dir, "old.db"));
      old.pragma("page_size = 4096");
      old.pragma("journal_mode = WAL");
      old.close();
      const before = new SqliteStore(join(dir, "old.db"));
      before.commit({ state: state("a"), upserts: [entry("a", 1), entry("a", 2)] });
      before.close();
      const store = new SqliteStore(join(dir, "old.db"));
      expect(pragmas(join(dir, "old.db")).pageSize).toBe(4096);
      expect((store as unknown as { db: Database.Database }).db.pragma("wal_autocheckpoint", { simple: true })).toBe(4096);
      expect(store.latest({ kind: "all" }, 10).map((e) => e.id)).toEqual([entry("a", 2).id, entry("a", 1).id]);
      store.close();
    });
  });

  describe("a damaged database file", () => {
    it("is reported as corrupt, naming the file and how to recover", () => {
      const store = new SqliteStore(file);
      store.commit({ state: state("a"), upserts: [entry("a", 1)] });
      store.close();
      writeFileSync(file, Buffer.alloc(64 * 1024, "garbage! "));
      let error: unknown;
      try {
        new SqliteStore(file).close();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: "corrupt" });
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(/move it aside/);
      expect((error as Error).message).toContain(`mv ${file} ${file}.broken`);
    });

    it("fails a query with the same coded error when a page in the middle is damaged", () => {
      const store = new SqliteStore(file);
      store.commit({ state: state("a"), upserts: Array.from({ length: 400 }, (_, n) => entry("a", n)) });
      store.close();
      // Keep the 100-byte header and the first page (the schema); overwrite the data pages.
      const db = new Database(file);
      db.pragma("wal_checkpoint(TRUNCATE)");
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      db.close();
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(pageSize * 3);
      bytes.fill(0x5a, pageSize * 2);
      writeFileSync(file, bytes);
      let error: unknown;
      try {
        const damaged = new SqliteStore(file);
        try {
          damaged.latest({ kind: "all" }, 1000);
          damaged.integrityCheck();
        } finally {
          damaged.close();
        }
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: "corrupt" });
      expect((error as Error).message).toContain(file);
    });
  });
});
