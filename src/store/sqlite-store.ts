import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type {
  Entry,
  OutputSelector,
  PruneResult,
  RefreshCommit,
  RemovedSource,
  RetentionPolicy,
  SourceReconcileResult,
  SourceState,
  Store,
  StoredEntryMeta,
} from "../model/index.js";
import { FeedEnricherError } from "../shared/errors.js";
import { MIGRATIONS } from "./migrations.js";

export type StoreErrorCode = "corrupt" | "locked" | "disk-full" | "newer-schema" | "io";

export class StoreError extends FeedEnricherError {
  /** The sources whose writes a failed group commit rolled back (flushWriteGroup). */
  sourceIds?: string[];
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super("store", code, message, options);
  }
}

export interface SqliteStoreOptions {
  /** How long a statement waits for another connection's write lock before failing with `locked`. */
  busyTimeoutMs?: number;
}

/**
 * A sources row as an array in SOURCE_COLUMNS order: statements in raw mode
 * hand back arrays, which cost about half what rows as objects do (every
 * refresh, a 304 included, reads its source's row first).
 */
type SourceRow = [
  id: string,
  url: string | null,
  etag: string | null,
  last_modified: string | null,
  body_hash: string | null,
  last_fetch: string | null,
  last_success: string | null,
  consecutive_failures: number,
  last_error_code: string | null,
  last_error_message: string | null,
  next_due: string | null,
  min_interval_minutes: number | null,
];

const SOURCE_COLUMNS =
  "id, url, etag, last_modified, body_hash, last_fetch, last_success, consecutive_failures, last_error_code, last_error_message, next_due, min_interval_minutes";

function rowToState(r: SourceRow): SourceState {
  const [id, url, etag, lastModified, bodyHash, lastFetch, lastSuccess, consecutiveFailures, lastErrorCode, lastErrorMessage, nextDue, minIntervalMinutes] = r;
  const s: SourceState = { sourceId: id, consecutiveFailures };
  if (url !== null) s.url = url;
  if (etag !== null) s.etag = etag;
  if (lastModified !== null) s.lastModified = lastModified;
  if (bodyHash !== null) s.bodyHash = bodyHash;
  if (lastFetch !== null) s.lastFetch = lastFetch;
  if (lastSuccess !== null) s.lastSuccess = lastSuccess;
  if (lastErrorCode !== null) s.lastErrorCode = lastErrorCode;
  if (lastErrorMessage !== null) s.lastErrorMessage = lastErrorMessage;
  if (nextDue !== null) s.nextDue = nextDue;
  if (minIntervalMinutes !== null) s.minIntervalMinutes = minIntervalMinutes;
  return s;
}

/**
 * Every field of a source state, and whether a refresh that found nothing new
 * may move it: the record is exhaustive, so a field added to SourceState
 * must be listed here before this compiles.
 */
const MOVES_ON_TOUCH = {
  sourceId: false,
  url: false,
  etag: false,
  lastModified: false,
  bodyHash: false,
  lastFetch: true,
  lastSuccess: true,
  consecutiveFailures: false,
  lastErrorCode: false,
  lastErrorMessage: false,
  nextDue: false,
  minIntervalMinutes: false,
} satisfies Record<keyof SourceState, boolean>;
const FIXED_ON_TOUCH = (Object.keys(MOVES_ON_TOUCH) as Array<keyof SourceState>).filter((k) => !MOVES_ON_TOUCH[k]);

/** Whether `next` differs from `prev` in lastFetch and lastSuccess at most. */
function onlyTimesMoved(prev: SourceState, next: SourceState): boolean {
  for (const k of FIXED_ON_TOUCH) if (prev[k] !== next[k]) return false;
  return true;
}

interface MetaRow {
  id: string;
  content_hash: string;
  taxonomy_version: string | null;
  first_seen: string;
  published: string | null;
  updated: string | null;
  topics: string | null;
}

const META_COLUMNS = `e.id, e.content_hash, e.taxonomy_version, e.first_seen, e.published, e.updated,
  (SELECT group_concat(topic_id, ' ') FROM entry_topics t WHERE t.source_id = e.source_id AND t.entry_id = e.id) AS topics`;

function metaOf(r: MetaRow): StoredEntryMeta {
  const m: StoredEntryMeta = { id: r.id, contentHash: r.content_hash, firstSeen: r.first_seen, topicIds: r.topics === null ? [] : r.topics.split(" ") };
  if (r.taxonomy_version !== null) m.taxonomyVersion = r.taxonomy_version;
  if (r.published !== null) m.published = r.published;
  if (r.updated !== null) m.updated = r.updated;
  return m;
}

/**
 * A Map of one source's stored entry metadata that reads it on demand: `get`
 * and `has` one id at a time (remembered, absent ids too), everything else
 * after reading all of it once. Changing it is refused: it mirrors the store.
 */
export class EntryMetaLookup extends Map<string, StoredEntryMeta> {
  private readonly one: (id: string) => StoredEntryMeta | undefined;
  private readonly every: () => StoredEntryMeta[];
  /** Ids looked up and not stored (a Map cannot hold "absent"). */
  private readonly absent = new Set<string>();
  private complete = false;

  constructor(one: (id: string) => StoredEntryMeta | undefined, every: () => StoredEntryMeta[]) {
    super();
    this.one = one;
    this.every = every;
  }

  override get(id: string): StoredEntryMeta | undefined {
    const known = super.get(id);
    if (known !== undefined || this.complete || this.absent.has(id)) return known;
    const meta = this.one(id);
    if (meta === undefined) this.absent.add(id);
    else super.set(id, meta);
    return meta;
  }

  override has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  override get size(): number {
    this.loadAll();
    return super.size;
  }

  override entries(): MapIterator<[string, StoredEntryMeta]> {
    this.loadAll();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.loadAll();
    return super.keys();
  }

  override values(): MapIterator<StoredEntryMeta> {
    this.loadAll();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, StoredEntryMeta]> {
    return this.entries();
  }

  override forEach(fn: (value: StoredEntryMeta, key: string, map: Map<string, StoredEntryMeta>) => void, thisArg?: unknown): void {
    this.loadAll();
    super.forEach(fn, thisArg);
  }

  override set(_id: string, _meta: StoredEntryMeta): this {
    throw new TypeError("store: entryMeta is read-only");
  }

  override delete(_id: string): boolean {
    throw new TypeError("store: entryMeta is read-only");
  }

  override clear(): void {
    throw new TypeError("store: entryMeta is read-only");
  }

  private loadAll(): void {
    if (this.complete) return;
    // Entries already read keep the value read first; the rest are added.
    for (const meta of this.every()) if (super.get(meta.id) === undefined && !this.absent.has(meta.id)) super.set(meta.id, meta);
    this.complete = true;
  }
}

interface EntryRow {
  data: string;
  /** NULL in rows written before schema 4, whose `data` holds the HTML. */
  content_html: string | null;
}

/** A row of an output's query: its entry id too, so outputs that span sources keep one entry per id. */
interface LatestRow extends EntryRow {
  id: string;
}

function entryOf(r: EntryRow): Entry {
  const e = JSON.parse(r.data) as Entry;
  if (r.content_html !== null) e.contentHtml = r.content_html;
  return e;
}

/** The first row of each id, in order, at most `limit` of them (the rows themselves when no id repeats). */
function firstOfEachId(rows: LatestRow[], limit: number): LatestRow[] {
  const seen = new Set<string>();
  const out: LatestRow[] = [];
  for (const row of rows) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    out.push(row);
    if (out.length === limit) break;
  }
  return out.length === rows.length ? rows : out;
}

function sortDate(e: Entry): string {
  return e.published ?? e.firstSeen;
}

/** `all`, `source:ID`, `topic:ID`: the key an output is recorded under in pending_outputs. */
export function outputKey(selector: OutputSelector): string {
  if (selector.kind === "source") return `source:${selector.sourceId}`;
  if (selector.kind === "topic") return `topic:${selector.topicId}`;
  return "all";
}

function selectorOf(key: string): OutputSelector | undefined {
  if (key === "all") return { kind: "all" };
  if (key.startsWith("source:")) return { kind: "source", sourceId: key.slice(7) };
  if (key.startsWith("topic:")) return { kind: "topic", topicId: key.slice(6) };
  return undefined;
}

/**
 * Turns SQLite's result codes (extended codes such as SQLITE_IOERR_WRITE
 * included, https://sqlite.org/rescode.html) into coded errors that say what
 * to do.
 */
export function storeErrorFrom(file: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: string }).code ?? "";
  const detail = (error as Error).message;
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return new StoreError(
      "corrupt",
      `${file} is damaged (${detail}); stop feed-enricher, move it aside with its -wal and -shm files ` +
        `(mv ${file} ${file}.broken) and the next run rebuilds the store from the sources; the published feeds stay as they are`,
      { cause: error },
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StoreError(
      "locked",
      `${file} is locked by another connection (${detail}); close the other program writing to it (sqlite3 shell, backup tool) and run again`,
      { cause: error },
    );
  }
  if (code === "SQLITE_FULL") {
    return new StoreError("disk-full", `${file}: the disk is full; free space and run again (nothing was half-written)`, { cause: error });
  }
  return new StoreError("io", `${file} could not be read or written (${code || detail}); check the file and its folder, then run again`, {
    cause: error,
  });
}

/** The page size of a new store file (see the constructor). */
const PAGE_SIZE = 32_768;
/** How large the WAL may grow before a commit checkpoints it. */
const WAL_CHECKPOINT_BYTES = 16 * 1024 * 1024;
/**
 * A write group (beginWriteGroup) commits after this many writes or this
 * long, whichever comes first. Each commit writes every page it changed to
 * the WAL, 32 KB each: a source's 50 new entries land on pages of the date
 * and topic indexes that every other source's entries share, so 1,000
 * sources committed one by one wrote about 80 pages (2.6 MB) each and
 * checkpointed every fifth commit. test/bench/commit-batches.ts, 1,000
 * sources × 50 entries: 8.6 s and 4.3 GB written one by one, 4.3 s and
 * 1.1 GB in batches of 32 (smaller batches gained less, larger ones nothing).
 */
const GROUP_WRITES = 32;
const GROUP_MS = 1000;

/**
 * Sources removed from the config and waiting out their grace period: their
 * entries stay stored but leave all.* and the topic feeds. A list of a few ids,
 * computed once per query, so the queries below still walk their index.
 */
const HIDDEN_SOURCES = "(SELECT id FROM sources WHERE removed_since IS NOT NULL)";

/**
 * Each query walks an index in output order and stops after LIMIT rows:
 * render cost depends on maxItems, not on how many entries are stored.
 */
const LATEST_SQL = {
  all: `SELECT id, data, content_html FROM entries WHERE source_id NOT IN ${HIDDEN_SOURCES} ORDER BY sort_date DESC, id LIMIT ?`,
  source: "SELECT id, data, content_html FROM entries WHERE source_id = ? ORDER BY sort_date DESC, id LIMIT ?",
  topic: `SELECT e.id, e.data, e.content_html FROM entry_topics t JOIN entries e ON e.source_id = t.source_id AND e.id = t.entry_id
          WHERE t.topic_id = ? AND t.source_id NOT IN ${HIDDEN_SOURCES} ORDER BY t.sort_date DESC, t.entry_id LIMIT ?`,
} as const;

interface WriteKnowledge {
  /** Sources looked at in this transaction, and whether each had no entry at all then. */
  sourceEmpty: Map<string, boolean>;
  /** `source\0id` of entries looked up and not found in this transaction. */
  absent: Set<string>;
  /** `source\0id` of entries written by this transaction. */
  written: Set<string>;
}

/** The embedded store: one SQLite file in WAL mode, migrated at open. */
export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly stmts;
  /**
   * What the write transaction in progress (commit, saveEntries) knows about
   * rows it has not written: nothing else writes while it runs (the write
   * lock, and a snapshot that cannot move under a transaction that writes),
   * so an entry found missing stays missing until the transaction itself
   * writes it. Such an entry needs neither its metadata nor its old topic
   * rows read: in a cold backfill that is two of the five statements per
   * entry. Undefined outside a write transaction, where nothing is assumed.
   */
  private tx: WriteKnowledge | undefined;
  /**
   * The source states this connection wrote and committed. feed-enricher has
   * one writer at a time (the instance lock), so they are what the file
   * holds, and a refresh reads its source's state from here: every refresh,
   * a 304 included, starts with that read. A state written inside an outer
   * transaction, or a failed write, is forgotten instead (the outer one may
   * still roll back). Readers that never write (serve, sources) read the file.
   */
  private readonly written = new Map<string, SourceState>();
  /**
   * The write group in progress (beginWriteGroup): whether its transaction is
   * open, since when, how many writes it holds, the sources they were for and
   * the states written (remembered in `written` once committed).
   */
  private group: { open: boolean; since: number; writes: number; sources: Set<string>; states: Map<string, SourceState> } | undefined;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.file = file;
    try {
      if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (error) {
      throw storeErrorFrom(file, error);
    }
    try {
      // 32 KB pages for a new file (SQLite ignores this for an existing one,
      // which keeps the page size it was created with). An entry row is about
      // 6 KB, mostly its HTML: with 4 KB pages every row spills into a chain
      // of overflow pages, and a 10,000-item backfill committed in 17-38 %
      // less time with 32 KB pages. Reading the latest 100 entries got faster
      // too; a narrow UPDATE (the 304 path) costs about 0.02 ms more, for a
      // WAL frame of 32 KB. 64 KB was faster still on a backfill but writes
      // 64 KB to the WAL for every source a cycle only touches.
      this.db.pragma(`page_size = ${PAGE_SIZE}`);
      // WAL: readers (serve, sources) never block the writer, and a killed
      // writer leaves only uncommitted frames that SQLite ignores on reopen.
      this.db.pragma("journal_mode = WAL");
      // NORMAL in WAL mode is durable against process crashes; only a power
      // loss can drop the last commits, never corrupt (https://sqlite.org/pragma.html#pragma_synchronous).
      this.db.pragma("synchronous = NORMAL");
      // 32 MB of page cache (default 2 MB): a backfill of thousands of entries stays in memory until commit.
      this.db.pragma("cache_size = -32000");
      // Checkpoint the WAL into the database every 16 MB instead of SQLite's
      // 1000 pages (4 MB with 4 KB pages): a cycle of many sources commits one
      // transaction each, and every checkpoint copies the pages those commits
      // rewrote again and again (index pages above all) and syncs twice. 1,000
      // commits of 50 entries spent about 20 % less time committing; the WAL
      // file stays near 16 MB. The pragma counts pages, so it follows the
      // file's own page size (4 KB in files made before 32 KB pages).
      const pageSize = this.db.pragma("page_size", { simple: true }) as number;
      this.db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_CHECKPOINT_BYTES / pageSize)}`);
      this.migrate();
    } catch (error) {
      this.db.close();
      throw storeErrorFrom(file, error);
    }
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      // Not `*`: current_ids is the JSON list of the feed's ids (tens of KB for a big feed),
      // which every refresh, the unchanged ones included, would otherwise read and copy.
      getSource: db.prepare<[string], SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM sources WHERE id = ?`).raw(true),
      listSources: db.prepare<[], SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM sources ORDER BY id`).raw(true),
      upsertSource: db.prepare<
        [
          string,
          string | null,
          string | null,
          string | null,
          string | null,
          string | null,
          string | null,
          number,
          string | null,
          string | null,
          string | null,
          number | null,
        ]
      >(
        `INSERT INTO sources (id, url, etag, last_modified, body_hash, last_fetch, last_success, consecutive_failures, last_error_code, last_error_message, next_due, min_interval_minutes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET url=excluded.url, etag=excluded.etag, last_modified=excluded.last_modified, body_hash=excluded.body_hash,
           last_fetch=excluded.last_fetch, last_success=excluded.last_success, consecutive_failures=excluded.consecutive_failures,
           last_error_code=excluded.last_error_code, last_error_message=excluded.last_error_message, next_due=excluded.next_due,
           min_interval_minutes=excluded.min_interval_minutes`,
      ),
      touchSource: db.prepare<[string | null, string | null, string]>("UPDATE sources SET last_fetch = ?, last_success = ? WHERE id = ?"),
      setCurrentIds: db.prepare<[string, string]>("UPDATE sources SET current_ids = ? WHERE id = ?"),
      entryMeta: db.prepare<[string], MetaRow>(`SELECT ${META_COLUMNS} FROM entries e WHERE e.source_id = ?`),
      // Whether a source has any entry: a cold backfill then needs no lookup by id at all.
      anyEntry: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM entries WHERE source_id = ? LIMIT 1"),
      // One entry by primary key: what a refresh asks for each id of the feed it parsed.
      entryMetaById: db.prepare<[string, string], MetaRow>(`SELECT ${META_COLUMNS} FROM entries e WHERE e.source_id = ? AND e.id = ?`),
      // Positional parameters: binding from an object looks each name up per row.
      upsertEntry: db.prepare<[string, string, string, string | null, string | null, string, string, string | null, string, string | null]>(
        `INSERT INTO entries (source_id, id, first_seen, published, updated, sort_date, content_hash, taxonomy_version, data, content_html)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(source_id, id) DO UPDATE SET published=excluded.published, updated=excluded.updated, sort_date=excluded.sort_date,
           content_hash=excluded.content_hash, taxonomy_version=excluded.taxonomy_version, data=excluded.data, content_html=excluded.content_html`,
      ),
      entryTopics: db.prepare<[string, string], { topic_id: string }>("SELECT topic_id FROM entry_topics WHERE source_id = ? AND entry_id = ?"),
      entryTopicRows: db.prepare<[string, string], { topic_id: string; sort_date: string }>(
        "SELECT topic_id, sort_date FROM entry_topics WHERE source_id = ? AND entry_id = ?",
      ),
      deleteTopic: db.prepare<[string, string, string]>("DELETE FROM entry_topics WHERE source_id = ? AND entry_id = ? AND topic_id = ?"),
      updateTopicDate: db.prepare<[string, string, string, string]>(
        "UPDATE entry_topics SET sort_date = ? WHERE source_id = ? AND entry_id = ? AND topic_id = ?",
      ),
      deleteTopics: db.prepare<[string, string]>("DELETE FROM entry_topics WHERE source_id = ? AND entry_id = ?"),
      deleteEntry: db.prepare<[string, string]>("DELETE FROM entries WHERE source_id = ? AND id = ?"),
      insertTopic: db.prepare<[string, string, string, string]>(
        "INSERT OR IGNORE INTO entry_topics (source_id, entry_id, topic_id, sort_date) VALUES (?, ?, ?, ?)",
      ),
      latestAll: db.prepare<[number], LatestRow>(LATEST_SQL.all),
      latestSource: db.prepare<[string, number], LatestRow>(LATEST_SQL.source),
      latestTopic: db.prepare<[string, number], LatestRow>(LATEST_SQL.topic),
      // Counts subtract the hidden sources' rows: the plain count stays a covering
      // index read, and the hidden part is read by source (`+topic_id` keeps the
      // planner on the (source_id, entry_id, topic_id) key, covering too).
      countAll: db.prepare<[], { n: number }>(
        `SELECT (SELECT count(*) FROM entries) - (SELECT count(*) FROM entries WHERE source_id IN ${HIDDEN_SOURCES}) AS n`,
      ),
      countSource: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM entries WHERE source_id = ?"),
      // Distinct ids, up to the limit: the DISTINCT stops reading once it has that many.
      shownAll: db.prepare<[{ limit: number }], { n: number }>(
        `SELECT count(*) AS n FROM (SELECT DISTINCT id FROM entries WHERE source_id NOT IN ${HIDDEN_SOURCES} LIMIT @limit)`,
      ),
      shownTopic: db.prepare<[{ topic: string; limit: number }], { n: number }>(
        `SELECT count(*) AS n FROM (SELECT DISTINCT entry_id FROM entry_topics WHERE topic_id = @topic AND source_id NOT IN ${HIDDEN_SOURCES} LIMIT @limit)`,
      ),
      countTopic: db.prepare<[{ topic: string }], { n: number }>(
        `SELECT (SELECT count(*) FROM entry_topics WHERE topic_id = @topic)
              - (SELECT count(*) FROM entry_topics WHERE source_id IN ${HIDDEN_SOURCES} AND +topic_id = @topic) AS n`,
      ),
      all: db.prepare<[], EntryRow>("SELECT data, content_html FROM entries ORDER BY source_id, id"),
      // Retention: entries of the source that are not in its current feed and
      // either older than the cutoff or past the newest N.
      prunable: db.prepare<[{ source: string; cutoff: string; keep: number }], { id: string }>(
        `SELECT id FROM entries
         WHERE source_id = @source
           AND id NOT IN (SELECT value FROM json_each(coalesce((SELECT current_ids FROM sources WHERE id = @source), '[]')))
           AND (sort_date < @cutoff
                OR id NOT IN (SELECT id FROM entries WHERE source_id = @source ORDER BY sort_date DESC, id LIMIT @keep))`,
      ),
      // Cheap index-only checks so a run where retention has nothing to do costs next to nothing.
      anyOlder: db.prepare<[string, string], { one: number }>("SELECT 1 AS one FROM entries WHERE source_id = ? AND sort_date < ? LIMIT 1"),
      removedSources: db.prepare<[], { id: string; removed_since: string; entries: number }>(
        `SELECT s.id, s.removed_since, (SELECT count(*) FROM entries e WHERE e.source_id = s.id) AS entries
         FROM sources s WHERE s.removed_since IS NOT NULL ORDER BY s.removed_since, s.id`,
      ),
      storedSourceIds: db.prepare<[], { id: string; removed_since: string | null }>("SELECT id, removed_since FROM sources ORDER BY id"),
      setRemovedSince: db.prepare<[string | null, string]>("UPDATE sources SET removed_since = ? WHERE id = ?"),
      sourceTopics: db.prepare<[string], { topic_id: string }>("SELECT DISTINCT topic_id FROM entry_topics WHERE source_id = ? ORDER BY topic_id"),
      dropTopics: db.prepare<[string]>("DELETE FROM entry_topics WHERE source_id = ?"),
      dropEntries: db.prepare<[string]>("DELETE FROM entries WHERE source_id = ?"),
      dropSource: db.prepare<[string]>("DELETE FROM sources WHERE id = ?"),
      markPending: db.prepare<[string]>("INSERT OR IGNORE INTO pending_outputs (output) VALUES (?)"),
      listPending: db.prepare<[], { output: string }>("SELECT output FROM pending_outputs ORDER BY output"),
      clearPending: db.prepare<[string]>("DELETE FROM pending_outputs WHERE output = ?"),
    };
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new StoreError(
        "newer-schema",
        `${this.file} was written by a newer feed-enricher (schema ${version}, this one knows ${MIGRATIONS.length}); upgrade feed-enricher`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** Runs a database call and turns SQLite failures into coded StoreErrors. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if ((error as { code?: unknown }).code === undefined || !String((error as { code: unknown }).code).startsWith("SQLITE_")) throw error;
      throw storeErrorFrom(this.file, error);
    }
  }

  getSourceState(sourceId: string): SourceState | undefined {
    const known = this.written.get(sourceId);
    if (known !== undefined) return { ...known };
    const row = this.guard(() => this.stmts.getSource.get(sourceId));
    return row === undefined ? undefined : rowToState(row);
  }

  listSourceStates(): SourceState[] {
    return this.guard(() => this.stmts.listSources.all()).map(rowToState);
  }

  saveSourceState(s: SourceState): void {
    const before = this.written.get(s.sourceId);
    this.written.delete(s.sourceId);
    this.joinGroup(s.sourceId);
    this.guard(() => {
      // A conditional GET that found nothing new (the common refresh) moves
      // only the two timestamps: one narrow UPDATE instead of the whole row's upsert.
      if (before !== undefined && onlyTimesMoved(before, s)) this.stmts.touchSource.run(s.lastFetch ?? null, s.lastSuccess ?? null, s.sourceId);
      else this.writeSourceState(s);
    });
    this.remember(s);
  }

  /** Keeps a state this connection has committed (see `written`); one written in a group waits for the group's commit. */
  private remember(s: SourceState): void {
    if (!this.db.inTransaction) this.written.set(s.sourceId, { ...s });
    else if (this.group?.open) this.group.states.set(s.sourceId, { ...s });
  }

  beginWriteGroup(): void {
    if (this.group === undefined) this.group = { open: false, since: 0, writes: 0, sources: new Set(), states: new Map() };
  }

  /** Opens the group's transaction before a write that belongs to it, and counts the write. */
  private joinGroup(sourceId: string): void {
    const group = this.group;
    if (group === undefined) return;
    if (!group.open) {
      // Not inside any other transaction: a write group is only driven between refreshes.
      if (this.db.inTransaction) return;
      // IMMEDIATE: the write lock now, not at the first write (a deferred one could find the snapshot stale).
      this.guard(() => this.db.exec("BEGIN IMMEDIATE"));
      group.open = true;
      group.since = performance.now();
      group.writes = 0;
      group.sources.clear();
      group.states.clear();
    }
    group.writes++;
    group.sources.add(sourceId);
  }

  flushWriteGroup(force = false): boolean {
    const group = this.group;
    if (group === undefined || !group.open) return false;
    if (!force && group.writes < GROUP_WRITES && performance.now() - group.since < GROUP_MS) return false;
    group.open = false;
    try {
      this.guard(() => this.db.exec("COMMIT"));
    } catch (error) {
      try {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
      } catch {
        // SQLite rolled it back itself (an I/O error or a full disk does): the commit's own error is the one to tell.
      }
      group.states.clear();
      if (error instanceof StoreError) error.sourceIds = [...group.sources];
      throw error;
    }
    for (const [id, state] of group.states) this.written.set(id, state);
    group.states.clear();
    return true;
  }

  endWriteGroup(): void {
    try {
      this.flushWriteGroup(true);
    } finally {
      this.group = undefined;
    }
  }

  private writeSourceState(s: SourceState): void {
    this.stmts.upsertSource.run(
      s.sourceId,
      s.url ?? null,
      s.etag ?? null,
      s.lastModified ?? null,
      s.bodyHash ?? null,
      s.lastFetch ?? null,
      s.lastSuccess ?? null,
      s.consecutiveFailures,
      s.lastErrorCode ?? null,
      s.lastErrorMessage ?? null,
      s.nextDue ?? null,
      s.minIntervalMinutes ?? null,
    );
  }

  /**
   * The source's stored entry metadata, read lazily: `get`/`has` look one id
   * up by primary key (a refresh asks only for the ids of the feed it parsed,
   * so its cost follows the feed, not the hundreds of entries retention
   * keeps); anything that needs them all (`size`, iteration) reads them all
   * once. Each id is read when first asked and remembered: a refresh asks for
   * an id before it commits that entry, inside the same transaction, so it
   * sees the stored version; an id first asked after a commit changed it
   * gives the new version.
   */
  entryMeta(sourceId: string): Map<string, StoredEntryMeta> {
    return new EntryMetaLookup(
      (id) => {
        const tx = this.tx;
        const row = this.guard(() =>
          tx !== undefined && this.knownAbsent(tx, sourceId, `${sourceId}\0${id}`) ? undefined : this.stmts.entryMetaById.get(sourceId, id),
        );
        if (row === undefined) {
          tx?.absent.add(`${sourceId}\0${id}`);
          return undefined;
        }
        return metaOf(row);
      },
      () => this.guard(() => this.stmts.entryMeta.all(sourceId)).map(metaOf),
    );
  }

  /**
   * Writes one entry and records every output it was or now is in as pending.
   * Its topic rows are compared with the stored ones: only rows that
   * differ are deleted, inserted or re-dated (a new entry has none to look at
   * twice; a changed entry usually keeps its topics).
   */
  private upsert(e: Entry, pending: Set<string>, tx: WriteKnowledge): void {
    const date = sortDate(e);
    const key = `${e.sourceId}\0${e.id}`;
    const old = this.knownAbsent(tx, e.sourceId, key) ? [] : this.stmts.entryTopicRows.all(e.sourceId, e.id);
    tx.written.add(key);
    const html = typeof e.contentHtml === "string" ? e.contentHtml : undefined;
    this.stmts.upsertEntry.run(
      e.sourceId,
      e.id,
      e.firstSeen,
      e.published ?? null,
      e.updated ?? null,
      date,
      e.contentHash,
      e.taxonomyVersion ?? null,
      // The HTML goes to its own column unescaped; the placeholder keeps the key's place in the object read back.
      html === undefined ? JSON.stringify(e) : JSON.stringify({ ...e, contentHtml: "" }),
      html ?? null,
    );
    for (const r of old) {
      pending.add(`topic:${r.topic_id}`);
      if (!e.topics.some((t) => t.id === r.topic_id)) this.stmts.deleteTopic.run(e.sourceId, e.id, r.topic_id);
    }
    for (const t of e.topics) {
      const was = old.find((r) => r.topic_id === t.id);
      if (was === undefined) this.stmts.insertTopic.run(e.sourceId, e.id, t.id, date);
      else if (was.sort_date !== date) this.stmts.updateTopicDate.run(date, e.sourceId, e.id, t.id);
      pending.add(`topic:${t.id}`);
    }
    pending.add("all");
    pending.add(`source:${e.sourceId}`);
  }

  /**
   * True when the transaction knows the entry has no row: its source had no
   * entry when the transaction first looked, or a lookup in it found none,
   * and the transaction has not written it since. Entries and their topic
   * rows are written and deleted together, so no entry row means no topic rows.
   */
  private knownAbsent(tx: WriteKnowledge, sourceId: string, key: string): boolean {
    if (tx.written.has(key)) return false;
    let empty = tx.sourceEmpty.get(sourceId);
    if (empty === undefined) {
      empty = this.stmts.anyEntry.get(sourceId) === undefined;
      tx.sourceEmpty.set(sourceId, empty);
    }
    return empty || tx.absent.has(key);
  }

  /** Runs `fn` as one write transaction; a nested one (a savepoint) shares the outer one's knowledge. */
  private writeTransaction(fn: (tx: WriteKnowledge) => void): void {
    this.guard(() =>
      this.db.transaction(() => {
        const outer = this.tx;
        const tx: WriteKnowledge = outer ?? { sourceEmpty: new Map(), absent: new Set(), written: new Set() };
        this.tx = tx;
        try {
          fn(tx);
        } finally {
          this.tx = outer;
        }
      })(),
    );
  }

  private markPending(keys: Iterable<string>): void {
    for (const k of keys) this.stmts.markPending.run(k);
  }

  commit(refresh: RefreshCommit): void {
    this.written.delete(refresh.state.sourceId);
    this.joinGroup(refresh.state.sourceId);
    this.writeTransaction((tx) => {
      const pending = new Set<string>();
      for (const e of refresh.upserts) this.upsert(e, pending, tx);
      this.writeSourceState(refresh.state);
      if (refresh.currentIds !== undefined) this.stmts.setCurrentIds.run(JSON.stringify(refresh.currentIds), refresh.state.sourceId);
      this.markPending(pending);
    });
    this.remember(refresh.state);
  }

  saveEntries(entries: Entry[]): void {
    this.writeTransaction((tx) => {
      const pending = new Set<string>();
      for (const e of entries) this.upsert(e, pending, tx);
      this.markPending(pending);
    });
  }

  prune(sourceId: string, policy: RetentionPolicy, now: Date): PruneResult {
    if (policy.maxAgeDays === undefined && policy.maxEntriesPerSource === undefined) return { removed: 0, outputs: [] };
    const cutoff = policy.maxAgeDays === undefined ? "" : new Date(now.getTime() - policy.maxAgeDays * 86_400_000).toISOString();
    // LIMIT -1 is SQLite's "no limit".
    const keep = policy.maxEntriesPerSource ?? -1;
    this.joinGroup(sourceId);
    return this.guard(() =>
      this.db.transaction(() => {
        const tooMany = keep >= 0 && (this.stmts.countSource.get(sourceId)?.n ?? 0) > keep;
        const tooOld = cutoff !== "" && this.stmts.anyOlder.get(sourceId, cutoff) !== undefined;
        if (!tooMany && !tooOld) return { removed: 0, outputs: [] };
        const ids = this.stmts.prunable.all({ source: sourceId, cutoff, keep }).map((r) => r.id);
        if (ids.length === 0) return { removed: 0, outputs: [] };
        const pending = new Set<string>(["all", `source:${sourceId}`]);
        for (const id of ids) {
          for (const r of this.stmts.entryTopics.all(sourceId, id)) pending.add(`topic:${r.topic_id}`);
          this.stmts.deleteTopics.run(sourceId, id);
          this.stmts.deleteEntry.run(sourceId, id);
        }
        this.markPending(pending);
        return { removed: ids.length, outputs: [...pending].sort().map((k) => selectorOf(k)!) };
      })(),
    );
  }

  reconcileSources(configuredIds: string[], graceDays: number, now: Date): SourceReconcileResult {
    const result: SourceReconcileResult = { hidden: [], restored: [], dropped: [], outputs: [] };
    // An empty list is never a real config (it needs one source): refuse to read it as "every source was removed".
    if (configuredIds.length === 0) return result;
    const configured = new Set(configuredIds);
    // Sources may be dropped below: their remembered states go with them.
    this.written.clear();
    const nowIso = now.toISOString();
    const cutoff = new Date(now.getTime() - graceDays * 86_400_000).toISOString();
    return this.guard(() =>
      this.db.transaction(() => {
        const pending = new Set<string>();
        // all.* and the topic feeds gain or lose every entry of a source that is hidden or shown again.
        const touch = (id: string) => {
          pending.add("all");
          for (const r of this.stmts.sourceTopics.all(id)) pending.add(`topic:${r.topic_id}`);
        };
        for (const row of this.stmts.storedSourceIds.all()) {
          const listed = configured.has(row.id);
          if (listed && row.removed_since !== null) {
            this.stmts.setRemovedSince.run(null, row.id);
            touch(row.id);
            pending.add(`source:${row.id}`);
            result.restored.push(row.id);
          } else if (!listed && row.removed_since === null) {
            this.stmts.setRemovedSince.run(nowIso, row.id);
            touch(row.id);
            result.hidden.push({ sourceId: row.id, removedSince: nowIso, entries: this.stmts.countSource.get(row.id)?.n ?? 0 });
          }
        }
        // Deleting a hidden source's entries changes no output (they were already left out), so nothing is marked.
        for (const r of this.stmts.removedSources.all()) {
          if (r.removed_since > cutoff) continue;
          this.stmts.dropTopics.run(r.id);
          this.stmts.dropEntries.run(r.id);
          this.stmts.dropSource.run(r.id);
          this.stmts.clearPending.run(`source:${r.id}`);
          result.dropped.push({ sourceId: r.id, removedSince: r.removed_since, entries: r.entries });
        }
        this.markPending(pending);
        result.outputs = [...pending].sort().map((k) => selectorOf(k)!);
        return result;
      })(),
    );
  }

  removedSources(): RemovedSource[] {
    return this.guard(() => this.stmts.removedSources.all()).map((r) => ({ sourceId: r.id, removedSince: r.removed_since, entries: r.entries }));
  }

  pendingOutputs(): OutputSelector[] {
    return this.guard(() => this.stmts.listPending.all())
      .map((r) => selectorOf(r.output))
      .filter((s): s is OutputSelector => s !== undefined);
  }

  clearPending(selectors: OutputSelector[]): void {
    this.guard(() =>
      this.db.transaction(() => {
        for (const s of selectors) this.stmts.clearPending.run(outputKey(s));
      })(),
    );
  }

  /**
   * The output's newest `limit` entries, newest first. An output that spans
   * sources (all, a topic) holds one entry per id, the newest: a site's "top
   * stories" and "world" feeds carry one story under one guid, and a feed
   * with two items of one id shows one of them in every reader (and fails
   * validation). Within one source ids are unique already.
   */
  latest(selector: OutputSelector, limit: number): Entry[] {
    const rows = this.guard(() => {
      if (selector.kind === "source") return this.stmts.latestSource.all(selector.sourceId, limit);
      const query = (n: number) => (selector.kind === "topic" ? this.stmts.latestTopic.all(selector.topicId, n) : this.stmts.latestAll.all(n));
      // One query as before when no id repeats; a repeat asks for more rows until `limit` distinct ones or the end.
      for (let asked = limit; ; asked *= 2) {
        const got = query(asked);
        const distinct = firstOfEachId(got, limit);
        if (distinct.length >= limit || got.length < asked) return distinct;
      }
    });
    return rows.map(entryOf);
  }

  countEntries(selector: OutputSelector): number {
    return this.guard(() => {
      if (selector.kind === "source") return this.stmts.countSource.get(selector.sourceId)?.n ?? 0;
      if (selector.kind === "topic") return this.stmts.countTopic.get({ topic: selector.topicId })?.n ?? 0;
      return this.stmts.countAll.get()?.n ?? 0;
    });
  }

  countShown(selector: OutputSelector, limit: number): number {
    return this.guard(() => {
      if (selector.kind === "source") return Math.min(this.stmts.countSource.get(selector.sourceId)?.n ?? 0, limit);
      if (selector.kind === "topic") return this.stmts.shownTopic.get({ topic: selector.topicId, limit })?.n ?? 0;
      return this.stmts.shownAll.get({ limit })?.n ?? 0;
    });
  }

  /** Every stored entry, read at once (a caller may write while it walks them). */
  allEntries(): Entry[] {
    return this.guard(() => this.stmts.all.all()).map(entryOf);
  }

  /** PRAGMA integrity_check: "ok" or the problems SQLite found. */
  integrityCheck(): string[] {
    return this.guard(() => this.db.pragma("integrity_check") as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
  }

  /** EXPLAIN QUERY PLAN of the query behind latest(selector): tests check it walks an index. */
  explainLatest(selector: OutputSelector): string[] {
    const [sql, params] =
      selector.kind === "source"
        ? [LATEST_SQL.source, [selector.sourceId, 100]]
        : selector.kind === "topic"
          ? [LATEST_SQL.topic, [selector.topicId, 100]]
          : [LATEST_SQL.all, [100]];
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  }

  close(): void {
    try {
      // A group left open by a caller that stopped early: what it gathered is committed, not dropped.
      if (this.group !== undefined && this.db.open) this.endWriteGroup();
    } finally {
      if (this.db.open) this.db.close();
    }
  }
}
