import type { Entry } from "./entry.js";
import type { SourceState } from "./source.js";

/** What the store keeps per entry besides the entry itself. */
export interface StoredEntryMeta {
  id: string;
  contentHash: string;
  taxonomyVersion?: string;
  firstSeen: string;
  published?: string;
  updated?: string;
  /** Topics the stored version carries (a re-tag that drops one must re-render that topic). */
  topicIds: string[];
}

/** Which entries an output holds. */
export type OutputSelector = { kind: "all" } | { kind: "topic"; topicId: string } | { kind: "source"; sourceId: string };

/** One source's refresh, written as a single unit (a transaction in SQL stores, or a savepoint inside a write group's). */
export interface RefreshCommit {
  state: SourceState;
  /**
   * New or changed entries. An iterable, so a caller can produce them while
   * the store writes them (a backfill never holds them all at once).
   */
  upserts: Iterable<Entry>;
  /**
   * Ids of every entry in the feed as just parsed: retention never prunes
   * them. Read once every upsert has been taken (a caller filling it while
   * producing the upserts has it complete by then).
   */
  currentIds?: string[];
}

/** How long the store keeps entries that left their source's feed. */
export interface RetentionPolicy {
  /** Entries older than this (published, else first seen) are pruned. */
  maxAgeDays?: number;
  /** Only the newest N entries of each source are kept. */
  maxEntriesPerSource?: number;
}

export interface PruneResult {
  removed: number;
  /** Outputs that held a pruned entry (already recorded as pending). */
  outputs: OutputSelector[];
}

/** A source the store has entries for but the config no longer lists. */
export interface RemovedSource {
  sourceId: string;
  /** When a run first found it missing from the config (ISO 8601). */
  removedSince: string;
  /** Entries still stored (hidden from all.* and the topic feeds). */
  entries: number;
}

export interface SourceReconcileResult {
  /** Found missing from the config by this call: their entries are hidden from now on. */
  hidden: RemovedSource[];
  /** Back in the config while still stored: their entries are shown again, ids and history intact. */
  restored: string[];
  /** Missing for longer than the grace period: their entries and state were deleted. */
  dropped: RemovedSource[];
  /** Outputs that gained or lost entries (already recorded as pending). */
  outputs: OutputSelector[];
}

/**
 * Where the service remembers sources and entries. SQLite is the embedded
 * implementation; the interface keeps the door open for a shared database.
 */
export interface Store {
  getSourceState(sourceId: string): SourceState | undefined;
  listSourceStates(): SourceState[];
  saveSourceState(state: SourceState): void;
  /** Metadata of the source's stored entries, keyed by entry id. */
  entryMeta(sourceId: string): Map<string, StoredEntryMeta>;
  commit(refresh: RefreshCommit): void;
  /** Newest first (published, else first seen), at most `limit`. */
  latest(selector: OutputSelector, limit: number): Entry[];
  countEntries(selector: OutputSelector): number;
  /**
   * How many entries the output shows, at most `limit`: a feed that spans
   * sources shows one entry per id (latest), so ids two sources share count once.
   */
  countShown(selector: OutputSelector, limit: number): number;
  /** Every stored entry, for re-tagging. */
  allEntries(): Iterable<Entry>;
  /** Replaces stored entries (re-tagging) in one transaction; marks their outputs pending. */
  saveEntries(entries: Entry[]): void;
  /**
   * Applies the retention policy to one source, never touching the ids of its
   * current feed; marks the outputs that lost an entry pending.
   */
  prune(sourceId: string, policy: RetentionPolicy, now: Date): PruneResult;
  /**
   * Compares the stored sources with the ids the config lists (enabled or
   * not): a stored source missing from it is hidden (its entries leave all.*
   * and the topic feeds, nothing is deleted), one that is back is shown
   * again, and one missing for `graceDays` or more since it was first found
   * missing is deleted with its entries. An empty list changes nothing.
   */
  reconcileSources(configuredIds: string[], graceDays: number, now: Date): SourceReconcileResult;
  /** Stored sources the config no longer lists, oldest removal first. */
  removedSources(): RemovedSource[];
  /**
   * Outputs whose entries changed since they were last rendered. Every change
   * (commit, saveEntries, prune) records them in the same transaction.
   */
  pendingOutputs(): OutputSelector[];
  /** Called once an output's files are written. */
  clearPending(selectors: OutputSelector[]): void;
  /**
   * From here until endWriteGroup, the per-source writes of a cycle (commit,
   * saveSourceState, prune) are gathered into shared transactions, each one
   * still its own unit inside (a savepoint): a cycle of many sources then
   * commits, and rewrites the index pages they share, once per batch instead
   * of once per source. A crash loses at most the batch not yet committed;
   * its sources kept their old validators, so the next run fetches them again.
   */
  beginWriteGroup(): void;
  /**
   * Commits the gathered writes once enough have gathered or enough time has
   * passed (always, with `force`); true when it committed. Call it between
   * two writes, never inside one. A commit that fails is rolled back and
   * throws a StoreError whose `sourceIds` names the sources whose writes
   * were lost.
   */
  flushWriteGroup(force?: boolean): boolean;
  /** Commits what is gathered (as flushWriteGroup(true)) and goes back to one transaction per write. */
  endWriteGroup(): void;
  close(): void;
}
