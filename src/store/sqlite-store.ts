import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Entry, OutputSelector, RefreshCommit, SourceState, Store, StoredEntryMeta } from "../model/index.js";
import { FeedEnricherError } from "../shared/errors.js";
import { MIGRATIONS } from "./migrations.js";

export class StoreError extends FeedEnricherError {
  constructor(code: "corrupt" | "locked" | "io", message: string, options?: { cause?: unknown }) {
    super("store", code, message, options);
  }
}

interface SourceRow {
  id: string;
  url: string | null;
  etag: string | null;
  last_modified: string | null;
  body_hash: string | null;
  last_fetch: string | null;
  last_success: string | null;
  consecutive_failures: number;
  last_error_code: string | null;
  last_error_message: string | null;
  next_due: string | null;
  min_interval_minutes: number | null;
}

function rowToState(r: SourceRow): SourceState {
  const s: SourceState = { sourceId: r.id, consecutiveFailures: r.consecutive_failures };
  if (r.url !== null) s.url = r.url;
  if (r.etag !== null) s.etag = r.etag;
  if (r.last_modified !== null) s.lastModified = r.last_modified;
  if (r.body_hash !== null) s.bodyHash = r.body_hash;
  if (r.last_fetch !== null) s.lastFetch = r.last_fetch;
  if (r.last_success !== null) s.lastSuccess = r.last_success;
  if (r.last_error_code !== null) s.lastErrorCode = r.last_error_code;
  if (r.last_error_message !== null) s.lastErrorMessage = r.last_error_message;
  if (r.next_due !== null) s.nextDue = r.next_due;
  if (r.min_interval_minutes !== null) s.minIntervalMinutes = r.min_interval_minutes;
  return s;
}

function sortDate(e: Entry): string {
  return e.published ?? e.firstSeen;
}

function corrupt(file: string, error: unknown): StoreError {
  return new StoreError(
    "corrupt",
    `${file} is damaged (${(error as Error).message}); move it aside (mv ${file} ${file}.broken) and the next run rebuilds it from the sources`,
    { cause: error },
  );
}

/** The embedded store: one SQLite file in WAL mode, migrated at open. */
export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    this.file = file;
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file, { timeout: 5000 });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("foreign_keys = ON");
      this.migrate();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") throw corrupt(file, error);
      if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
        throw new StoreError("locked", `${file} is locked by another process; stop the other feed-enricher or wait`, { cause: error });
      }
      throw new StoreError("io", `${file} could not be opened (${(error as Error).message})`, { cause: error });
    }
    this.stmts = {
      getSource: this.db.prepare<[string], SourceRow>("SELECT * FROM sources WHERE id = ?"),
      listSources: this.db.prepare<[], SourceRow>("SELECT * FROM sources ORDER BY id"),
      upsertSource: this.db.prepare(
        `INSERT INTO sources (id, url, etag, last_modified, body_hash, last_fetch, last_success, consecutive_failures, last_error_code, last_error_message, next_due, min_interval_minutes)
         VALUES (@id, @url, @etag, @last_modified, @body_hash, @last_fetch, @last_success, @consecutive_failures, @last_error_code, @last_error_message, @next_due, @min_interval_minutes)
         ON CONFLICT(id) DO UPDATE SET url=excluded.url, etag=excluded.etag, last_modified=excluded.last_modified, body_hash=excluded.body_hash,
           last_fetch=excluded.last_fetch, last_success=excluded.last_success, consecutive_failures=excluded.consecutive_failures,
           last_error_code=excluded.last_error_code, last_error_message=excluded.last_error_message, next_due=excluded.next_due,
           min_interval_minutes=excluded.min_interval_minutes`,
      ),
      entryMeta: this.db.prepare<
        [string],
        {
          id: string;
          content_hash: string;
          taxonomy_version: string | null;
          first_seen: string;
          published: string | null;
          updated: string | null;
          topics: string | null;
        }
      >(
        `SELECT e.id, e.content_hash, e.taxonomy_version, e.first_seen, e.published, e.updated,
           (SELECT group_concat(topic_id, ' ') FROM entry_topics t WHERE t.source_id = e.source_id AND t.entry_id = e.id) AS topics
         FROM entries e WHERE e.source_id = ?`,
      ),
      upsertEntry: this.db.prepare(
        `INSERT INTO entries (source_id, id, first_seen, published, updated, sort_date, content_hash, taxonomy_version, data)
         VALUES (@source_id, @id, @first_seen, @published, @updated, @sort_date, @content_hash, @taxonomy_version, @data)
         ON CONFLICT(source_id, id) DO UPDATE SET published=excluded.published, updated=excluded.updated, sort_date=excluded.sort_date,
           content_hash=excluded.content_hash, taxonomy_version=excluded.taxonomy_version, data=excluded.data`,
      ),
      deleteTopics: this.db.prepare("DELETE FROM entry_topics WHERE source_id = ? AND entry_id = ?"),
      insertTopic: this.db.prepare("INSERT OR IGNORE INTO entry_topics (source_id, entry_id, topic_id, sort_date) VALUES (?, ?, ?, ?)"),
      latestAll: this.db.prepare<[number], { data: string }>("SELECT data FROM entries ORDER BY sort_date DESC, id LIMIT ?"),
      latestSource: this.db.prepare<[string, number], { data: string }>("SELECT data FROM entries WHERE source_id = ? ORDER BY sort_date DESC, id LIMIT ?"),
      latestTopic: this.db.prepare<[string, number], { data: string }>(
        `SELECT e.data FROM entry_topics t JOIN entries e ON e.source_id = t.source_id AND e.id = t.entry_id
         WHERE t.topic_id = ? ORDER BY t.sort_date DESC, t.entry_id LIMIT ?`,
      ),
      countAll: this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM entries"),
      countSource: this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM entries WHERE source_id = ?"),
      countTopic: this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM entry_topics WHERE topic_id = ?"),
      all: this.db.prepare<[], { data: string }>("SELECT data FROM entries ORDER BY source_id, id"),
    };
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new StoreError("io", `${this.file} was written by a newer feed-enricher (schema ${version}); upgrade feed-enricher`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  getSourceState(sourceId: string): SourceState | undefined {
    const row = this.stmts.getSource.get(sourceId);
    return row === undefined ? undefined : rowToState(row);
  }

  listSourceStates(): SourceState[] {
    return this.stmts.listSources.all().map(rowToState);
  }

  saveSourceState(s: SourceState): void {
    this.stmts.upsertSource.run({
      id: s.sourceId,
      url: s.url ?? null,
      etag: s.etag ?? null,
      last_modified: s.lastModified ?? null,
      body_hash: s.bodyHash ?? null,
      last_fetch: s.lastFetch ?? null,
      last_success: s.lastSuccess ?? null,
      consecutive_failures: s.consecutiveFailures,
      last_error_code: s.lastErrorCode ?? null,
      last_error_message: s.lastErrorMessage ?? null,
      next_due: s.nextDue ?? null,
      min_interval_minutes: s.minIntervalMinutes ?? null,
    });
  }

  entryMeta(sourceId: string): Map<string, StoredEntryMeta> {
    const out = new Map<string, StoredEntryMeta>();
    for (const r of this.stmts.entryMeta.all(sourceId)) {
      const m: StoredEntryMeta = { id: r.id, contentHash: r.content_hash, firstSeen: r.first_seen, topicIds: r.topics === null ? [] : r.topics.split(" ") };
      if (r.taxonomy_version !== null) m.taxonomyVersion = r.taxonomy_version;
      if (r.published !== null) m.published = r.published;
      if (r.updated !== null) m.updated = r.updated;
      out.set(r.id, m);
    }
    return out;
  }

  private upsert(e: Entry): void {
    const date = sortDate(e);
    this.stmts.upsertEntry.run({
      source_id: e.sourceId,
      id: e.id,
      first_seen: e.firstSeen,
      published: e.published ?? null,
      updated: e.updated ?? null,
      sort_date: date,
      content_hash: e.contentHash,
      taxonomy_version: e.taxonomyVersion ?? null,
      data: JSON.stringify(e),
    });
    this.stmts.deleteTopics.run(e.sourceId, e.id);
    for (const t of e.topics) this.stmts.insertTopic.run(e.sourceId, e.id, t.id, date);
  }

  commit(refresh: RefreshCommit): void {
    this.db.transaction(() => {
      for (const e of refresh.upserts) this.upsert(e);
      this.saveSourceState(refresh.state);
    })();
  }

  latest(selector: OutputSelector, limit: number): Entry[] {
    let rows: Array<{ data: string }>;
    if (selector.kind === "source") rows = this.stmts.latestSource.all(selector.sourceId, limit);
    else if (selector.kind === "topic") rows = this.stmts.latestTopic.all(selector.topicId, limit);
    else rows = this.stmts.latestAll.all(limit);
    return rows.map((r) => JSON.parse(r.data) as Entry);
  }

  countEntries(selector: OutputSelector): number {
    if (selector.kind === "source") return this.stmts.countSource.get(selector.sourceId)?.n ?? 0;
    if (selector.kind === "topic") return this.stmts.countTopic.get(selector.topicId)?.n ?? 0;
    return this.stmts.countAll.get()?.n ?? 0;
  }

  *allEntries(): Iterable<Entry> {
    for (const r of this.stmts.all.iterate()) yield JSON.parse(r.data) as Entry;
  }

  close(): void {
    this.db.close();
  }
}
