import { decodeBytes } from "../decode/index.js";
import { type Matcher, tagEntry } from "../enrich/index.js";
import { detectHtmlPage, type FetchOptions, type FetchResult, fetchSource, notAFeedError, type Validators } from "../fetch/index.js";
import type { Entry, Source, SourceState, Store, StoredEntryMeta, Taxonomy } from "../model/index.js";
import { htmlToText, type NormalizeOptions, takeNormalizedEntries } from "../normalize/index.js";
import { parseFeed } from "../parse/index.js";
import { describeError } from "../shared/errors.js";
import { bodyFingerprint } from "../shared/hash.js";
import type { Logger } from "../shared/logger.js";
import type { PreparePool } from "./prepare-pool.js";

export interface RefreshDeps {
  store: Store;
  /** The topics: their version is part of every stored hash. */
  taxonomy: Taxonomy;
  /**
   * The taxonomy compiled for tagging. buildApp compiles it when it is first
   * read: a cycle where no feed changed never needs it.
   */
  matcher: Matcher;
  fetch: FetchOptions;
  parseTimeoutMs: number;
  trackingParams: string[];
  /** Longest wait between failed attempts. */
  maxBackoffMinutes: number;
  now: () => Date;
  logger: Logger;
}

export type RefreshResult =
  | { sourceId: string; status: "not-modified" | "unchanged"; durationMs: number; movedTo?: string }
  | {
      sourceId: string;
      status: "updated";
      durationMs: number;
      newEntries: number;
      updatedEntries: number;
      repairs: string[];
      movedTo?: string;
      minIntervalMinutes?: number;
    }
  | { sourceId: string; status: "failed"; durationMs: number; code: string; message: string; retryAfterSeconds?: number };

/** Same topic ids, in any order (an order change alone is no change). */
function sameTopics(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/** Exponential backoff after n consecutive failures, capped, in minutes. */
export function backoffMinutes(failures: number, capMinutes: number): number {
  return Math.min(capMinutes, 2 ** Math.min(failures, 20));
}

function freshState(source: Source): SourceState {
  return { sourceId: source.id, consecutiveFailures: 0, ...(source.url ? { url: source.url } : {}) };
}

/** A normalized entry, already tagged when `tagged` says so, else with its content's plain text at hand. */
interface Candidate {
  entry: Entry;
  tagged?: boolean;
  contentText?: () => string;
}

/**
 * The new and changed entries, tagged, one at a time as they are normalized;
 * records the id of every entry of the feed in `currentIds`.
 */
function* taggedUpserts(
  normalized: Iterable<Candidate>,
  stored: Map<string, StoredEntryMeta>,
  deps: RefreshDeps,
  nowIso: string,
  counts: { newEntries: number; updatedEntries: number },
  currentIds: string[],
): Generator<Entry> {
  const taxonomyVersion = deps.taxonomy.version;
  for (const { entry, tagged, contentText } of normalized) {
    currentIds.push(entry.id);
    const meta = stored.get(entry.id);
    if (meta && meta.contentHash === entry.contentHash && meta.taxonomyVersion === taxonomyVersion) continue;
    let e: Entry = { ...entry, firstSeen: meta?.firstSeen ?? entry.firstSeen };
    // contentText is htmlToText(contentHtml), the text retag also tags, collected while normalizing.
    // An entry tagged on the way (the prepare worker's chunks) was tagged from the same text.
    if (!tagged) e = tagEntry(deps.matcher, e, (contentText ?? (() => htmlToText(entry.contentHtml)))() || e.summary);
    if (meta) {
      const contentChanged = meta.contentHash !== entry.contentHash;
      const topicsChanged = !sameTopics(
        meta.topicIds,
        e.topics.map((t) => t.id),
      );
      if (!contentChanged && !topicsChanged) {
        // Only the taxonomy version moved: record it without touching `updated`.
        e = { ...e, ...(meta.updated ? { updated: meta.updated } : {}) };
      } else if (e.updated === undefined || e.updated === meta.updated) {
        e.updated = nowIso;
      }
      if (e.published === undefined && meta.published !== undefined) e.published = meta.published;
      if (contentChanged || topicsChanged) counts.updatedEntries++;
    } else {
      counts.newEntries++;
    }
    yield e;
  }
}

/**
 * One source, top to bottom: fetch → decode → parse → normalize → enrich →
 * store. Returns early when nothing changed (304, same bytes, same hashes).
 * Never throws for a source problem: the result says what went wrong, and the
 * last good entries stay in the store. With `prepare`, a large feed is
 * normalized and tagged on a second core as well (CycleOptions.prepare).
 */
export async function refreshSource(source: Source, deps: RefreshDeps, prepare?: PreparePool): Promise<RefreshResult> {
  const started = performance.now();
  const now = deps.now();
  const nowIso = now.toISOString();
  const previous = deps.store.getSourceState(source.id) ?? freshState(source);
  const elapsed = () => Math.round(performance.now() - started);
  // A source whose URL changed in the config starts over: old validators belong to the old URL.
  const sameUrl = previous.url === source.url;
  const validators: Validators = {};
  if (sameUrl && previous.etag) validators.etag = previous.etag;
  if (sameUrl && previous.lastModified) validators.lastModified = previous.lastModified;
  // The fingerprint of the last good fetch's bytes: a file is told "unchanged" by it (or by its
  // signature, kept as its etag) in fetchSource, an HTTP body by the comparison below.
  // The taxonomy version is part of the stored hash: same bytes under a changed taxonomy are re-tagged.
  // A hash stored in an older form never matches, so such a source is parsed once more, harmlessly.
  const hashSuffix = `:${deps.taxonomy.version}`;
  if (sameUrl && previous.lastErrorCode === undefined && previous.bodyHash?.endsWith(hashSuffix)) {
    validators.fingerprint = previous.bodyHash.slice(0, -hashSuffix.length);
  }
  const base: SourceState = { ...previous, lastFetch: nowIso };
  if (source.url) base.url = source.url;

  try {
    let fetched: FetchResult | undefined = await fetchSource(source, validators, deps.fetch);
    // A success clears the failure fields (rest, not `delete`: an object that
    // lost properties turns slow for every later read of it).
    const { lastErrorCode: _code, lastErrorMessage: _message, nextDue: _due, ...cleared } = base;
    const success: SourceState = cleared;
    success.lastSuccess = nowIso;
    success.consecutiveFailures = 0;
    // A move is usually found on a fetch that changes nothing, so it is reported whatever follows.
    const moved = fetched.movedTo ? { movedTo: fetched.movedTo } : {};
    if (fetched.movedTo)
      deps.logger.warn(
        { source: source.id, movedTo: fetched.movedTo },
        `fetch: ${source.id} moved permanently to ${fetched.movedTo}; update its url in the config`,
      );
    if (fetched.status === "not-modified") {
      deps.store.saveSourceState(success);
      return { sourceId: source.id, status: "not-modified", durationMs: elapsed(), ...moved };
    }
    // A file told unchanged by its signature or its fingerprint, before its bytes were copied.
    if (fetched.status === "unchanged") {
      // The signature of the same bytes, read again once they had settled: the next refresh need not read them.
      if (fetched.etag !== undefined) success.etag = fetched.etag;
      deps.store.saveSourceState(success);
      return { sourceId: source.id, status: "unchanged", durationMs: elapsed() };
    }
    if (fetched.etag) success.etag = fetched.etag;
    else delete success.etag;
    if (fetched.lastModified) success.lastModified = fetched.lastModified;
    else delete success.lastModified;
    // The same bytes as the last good fetch (the validator above says which); a file is told before this, in fetchSource.
    const fingerprint = fetched.fingerprint ?? bodyFingerprint(fetched.body);
    if (fingerprint === validators.fingerprint) {
      deps.store.saveSourceState(success);
      return { sourceId: source.id, status: "unchanged", durationMs: elapsed(), ...moved };
    }
    success.bodyHash = `${fingerprint}${hashSuffix}`;
    // A body this large holds a long feed: the worker that helps normalize it
    // starts loading while the body is decoded, and takes the first items as
    // soon as they are parsed (the feed is parsed in parts).
    const longFeed = prepare?.prewarm(fetched.body.length) ? prepare : undefined;

    // An HTML page where the feed should be: say so, and name the feeds it advertises, before parsing.
    const page = detectHtmlPage(fetched.body, fetched.contentType, fetched.url);
    if (page) throw notAFeedError(fetched.url, page);
    const feedUrl = fetched.url;
    const maxAgeSeconds = fetched.maxAgeSeconds;
    const normalizeOptions: NormalizeOptions = {
      sourceId: source.id,
      feedUrl,
      trackingParams: deps.trackingParams,
      boilerplate: source.boilerplate,
      ...(source.language ? { defaultLanguage: source.language } : {}),
      now: nowIso,
    };
    const stored = deps.store.entryMeta(source.id);
    const parts = longFeed?.partsFor(normalizeOptions, stored);
    try {
      // The bytes are let go once decoded and the text once parsed: a backfill
      // of thousands of items should not hold them beside the parsed items.
      let text: string | undefined = decodeBytes(fetched.body, fetched.contentType).text;
      fetched = undefined;
      const feed = await parseFeed(text, { timeoutMs: deps.parseTimeoutMs, ...(parts ? { parts } : {}) });
      text = undefined;
      const early = parts?.early;
      const repairs = feed.repairs;
      const ttlMinutes = feed.ttlMinutes;

      // A large feed is normalized and tagged in chunks on two threads, in step
      // with the upserts below; a short one by the worker, if it runs, while this
      // thread serves other sources; else here, as the upserts take the entries.
      const chunked = early === undefined && prepare?.wants(feed.items.length) ? prepare : undefined;
      const whole = early !== undefined || chunked ? undefined : prepare?.entriesAsync(feed, normalizeOptions, stored, deps.matcher);
      const normalized: Iterable<Candidate> = early
        ? early.entries(feed, deps.matcher)
        : chunked
          ? chunked.entries(feed, normalizeOptions, stored, deps.matcher)
          : whole
            ? await whole
            : takeNormalizedEntries(feed, normalizeOptions);
      const counts = { newEntries: 0, updatedEntries: 0 };
      if (ttlMinutes !== undefined) success.minIntervalMinutes = ttlMinutes;
      if (maxAgeSeconds !== undefined) success.minIntervalMinutes = Math.max(success.minIntervalMinutes ?? 0, maxAgeSeconds / 60);
      // Every entry is normalized, tagged and written in turn, inside the
      // store's transaction, and let go: memory stays flat in the number of
      // items instead of holding every stage's copy of every entry. The ids of
      // the current feed are complete once the upserts have been taken.
      const currentIds: string[] = [];
      deps.store.commit({ state: success, upserts: taggedUpserts(normalized, stored, deps, nowIso, counts, currentIds), currentIds });
      if (repairs.length > 0) deps.logger.warn({ source: source.id, repairs }, `parse: ${source.id} was not well-formed and was repaired`);
      return {
        sourceId: source.id,
        status: "updated",
        durationMs: elapsed(),
        newEntries: counts.newEntries,
        updatedEntries: counts.updatedEntries,
        repairs,
        ...moved,
        ...(success.minIntervalMinutes !== undefined ? { minIntervalMinutes: success.minIntervalMinutes } : {}),
      };
    } finally {
      // A refresh that failed after the first parts were handed out: the worker
      // drops them. After a commit the feed is already closed, and this does nothing.
      parts?.discard();
    }
  } catch (error) {
    const { code, message } = describeError(error);
    const failures = previous.consecutiveFailures + 1;
    const retryAfterSeconds = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    const waitMinutes = Math.max(backoffMinutes(failures, deps.maxBackoffMinutes), (retryAfterSeconds ?? 0) / 60);
    const failed: SourceState = {
      ...base,
      consecutiveFailures: failures,
      lastErrorCode: code,
      lastErrorMessage: `${source.id}: ${message}`,
      nextDue: new Date(now.getTime() + waitMinutes * 60_000).toISOString(),
    };
    try {
      deps.store.saveSourceState(failed);
    } catch (storeError) {
      deps.logger.error({ source: source.id, err: storeError }, "store: could not record the failure");
    }
    if (code === "internal") deps.logger.error({ source: source.id, err: error }, `refresh: ${source.id} hit an unexpected error`);
    return {
      sourceId: source.id,
      status: "failed",
      durationMs: elapsed(),
      code,
      message: `${source.id}: ${message}`,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }
}
