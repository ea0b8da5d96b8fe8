import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Matcher } from "../enrich/index.js";
import type { Entry, RawFeed, RawItem, StoredEntryMeta, Taxonomy } from "../model/index.js";
import { createDuplicateFilter, createTextNormalizer, type NormalizeOptions } from "../normalize/index.js";
import type { ItemsByParts } from "../parse/index.js";
import type { Logger } from "../shared/logger.js";
import { type PreparedItem, prepareItems } from "./prepare-entries.js";
import { PrepareThread } from "./prepare-thread.js";

/** An entry of the feed, first of its story, in item order; tagged when `tagged` says so. */
export interface PreparedEntry {
  entry: Entry;
  tagged: boolean;
}

/** A long feed whose chunks go to the worker while it is still being parsed (PreparePool.begin). */
export interface EarlyFeed {
  /** The next items of the feed, in order, as the parse hands them out. */
  add(items: RawItem[]): void;
  /** The parsed feed's entries, as PreparePool.entries gives them; the feed's items are the ones added. */
  entries(feed: RawFeed, matcher: Matcher): Generator<PreparedEntry>;
  /** The items added so far are void (the feed is parsed again whole). */
  discard(): void;
}

/** A long feed's parts on their way to the worker (PreparePool.partsFor). */
export interface LongFeedParts extends ItemsByParts {
  /** The feed begun from the parts handed out so far; undefined if none was (the feed was parsed whole). */
  readonly early: EarlyFeed | undefined;
}

/** One feed's chunks: which the worker holds, which are ready, which come next. */
interface FeedRun {
  key: number;
  /** The feed's own fields (no items), for the worker's normalizer. */
  head: RawFeed;
  options: NormalizeOptions;
  known: Map<string, string>;
  items: Array<RawItem | undefined>;
  /** True while the parse still hands out items: only complete chunks are sent. */
  arriving: boolean;
  /** The first chunk neither thread has taken on. */
  next: number;
  /** Chunks sent to the worker and not answered. */
  atWorker: Set<number>;
  /** The signal when the feed was opened: replies since then are counted by it while held in the port. */
  signalBase: number;
  /** Prepared chunks not yet taken; null: the worker could not prepare it. */
  ready: Map<number, PreparedItem[] | null>;
  announced: boolean;
  byWorker: number;
  /** Chunks sent while the feed was still being parsed. */
  beforeParsed: number;
}

export interface PreparePoolOptions {
  /** The worker's entry file; by default prepare-worker.js beside this module (the bundle's). */
  script?: URL;
  /** Feeds with fewer items are prepared on the main thread alone. */
  minItems?: number;
  /** Items per message to the worker. */
  chunkItems?: number;
  /** A worker silent for this long is given up (milliseconds). */
  stallMs?: number;
  /** A feed body at least this large is a long feed: the worker starts before its parse, which goes in parts (default PREWARM_BYTES). */
  longFeedBytes?: number;
  /** Items per part of a long feed's parse (default: the parse stage's). */
  partItems?: number;
  logger: Logger;
}

/**
 * Below this many items the worker does not pay: its start (≈ 1–3 s of CPU
 * on the other core: modules, matcher, cold code) and the copies cost more
 * than the main thread saves (≈ 0.2 ms an item; 2,000 items saved 0.4 s of
 * main-thread CPU and cost 2.4–3.8 s of total CPU).
 */
const MIN_ITEMS = 2000;
/**
 * A feed body at least this large is taken for a long feed (news items run
 * 1–10 kB each): the worker starts before the parse. Smaller feeds of many
 * items start it when they reach normalize.
 */
const PREWARM_BYTES = 4 * 1024 * 1024;
/** A cycle of at least this many sources starts the worker for their feeds, however short (50 items each: ≈ 0.7 s of main-thread CPU saved). */
const MANY_SOURCES = 64;
/** Items per chunk: large enough that a message costs little beside the work, small enough that a few chunks in flight hold little. */
const CHUNK_ITEMS = 128;
/** Chunks queued at the worker, so it never waits for the main thread between two. */
const WORKER_DEPTH = 3;
/**
 * Chunks queued at the worker while a long feed is parsed in parts: the main
 * thread tops the queue up once a part (512 items, 4 chunks) is read, and
 * the worker prepares about two chunks in that time.
 */
const EARLY_DEPTH = 6;
/**
 * Chunks sent while a long feed is still being parsed, at most: their
 * entries wait in the port until the parse is done (about 20 kB each), and
 * on a feed of 100,000 items the worker would otherwise hold a quarter of
 * them, a gigabyte more at the peak. 48 chunks cover the parse of 10,000.
 */
const EARLY_MAX_CHUNKS = 48;
/**
 * Chunks the main thread prepares ahead while it waits for the worker, at
 * most: entries held past a scavenge or two are promoted to the old
 * generation, and on a feed of 100,000 items every mark-compact walks
 * gigabytes. Below LONGER_FEED_ITEMS that costs little, and a second chunk
 * ahead spares the main thread most of its waits (10,000 items: 0.1 s of
 * waiting instead of 0.7 s, 0.3–0.4 s less wall time).
 */
const MAX_AHEAD = 1;
const MAX_AHEAD_SHORTER = 2;
const LONGER_FEED_ITEMS = 20_000;
/** A worker that answers nothing for this long is taken for dead (a crash cannot be seen from inside a transaction). */
const STALL_MS = 15_000;
const WAIT_SLICE_MS = 250;

/**
 * Normalizes and tags feeds on a worker thread beside the main thread. A
 * short feed, in a cycle of many sources, goes to the worker whole
 * (entriesAsync) while the main thread serves other sources. A large feed's
 * items are prepared on both threads (entries): the worker takes
 * chunks of raw items ahead, and while it works, the main thread prepares
 * later chunks itself; the chunks are taken in item order, so the entries,
 * their topics and the store's rows are what the main thread alone produces.
 * Everything happens inside the store's synchronous transaction (the refresh
 * streams entries into it to keep memory flat): the main thread blocks on
 * the worker's signal and takes replies from the port, never through the
 * event loop (PrepareThread holds the worker, its port and its signal; this
 * class decides which chunk goes where). A chunk the worker could not prepare is prepared on the
 * main thread; a worker that dies or stalls is given up with a warning and
 * the main thread prepares the rest, so no refresh is lost.
 */
export class PreparePool {
  readonly #taxonomy: Taxonomy;
  readonly #thread: PrepareThread;
  readonly #minItems: number;
  readonly #chunkItems: number;
  readonly #stallMs: number;
  readonly #longFeedBytes: number;
  /** Items per part of a long feed's parse; undefined: the parse stage's own. */
  readonly partItems: number | undefined;
  readonly #logger: Logger;
  #key = 0;
  /** Set by expectSources: short feeds go to the worker too. */
  #manySources = false;
  /** Feeds still being parsed (begin): the worker's start tops them up. */
  readonly #arriving = new Set<FeedRun>();

  constructor(taxonomy: Taxonomy, options: PreparePoolOptions) {
    this.#taxonomy = taxonomy;
    const script = options.script ?? new URL("./prepare-worker.js", import.meta.url);
    this.#thread = new PrepareThread(taxonomy, script, options.logger, () => {
      for (const run of this.#arriving) this.#topUp(run);
    });
    this.#minItems = options.minItems ?? MIN_ITEMS;
    this.#chunkItems = options.chunkItems ?? CHUNK_ITEMS;
    this.#stallMs = options.stallMs ?? STALL_MS;
    this.#longFeedBytes = options.longFeedBytes ?? PREWARM_BYTES;
    this.partItems = options.partItems;
    this.#logger = options.logger;
  }

  /** Whether the worker thread was started (it may have stopped since). */
  get started(): boolean {
    return this.#thread.state !== "idle";
  }

  /** Whether the worker can still take work (not given up, not closed). */
  get #usable(): boolean {
    const state = this.#thread.state;
    return state !== "broken" && state !== "closed";
  }

  /** Whether a feed of this many items is prepared with the worker's help. */
  wants(items: number): boolean {
    return items >= this.#minItems && this.#usable;
  }

  /**
   * A cycle of this many sources: their feeds, however short, are normalized
   * and tagged by the worker (entriesAsync) while the main thread fetches,
   * parses and stores the others. The worker starts with the first feed that
   * changed, not here: a scheduled cycle where every source answers 304 or
   * the same bytes would pay its start (about a second of CPU) for nothing.
   */
  expectSources(sources: number): void {
    if (sources >= MANY_SOURCES) this.#manySources = true;
  }

  /**
   * Starts the worker when a feed body this large is about to be parsed (its
   * start overlaps the decode and the parse); true when it did, or it runs:
   * the feed is then parsed in parts, handed to begin() as they are read.
   */
  prewarm(bodyBytes: number): boolean {
    if (bodyBytes < this.#longFeedBytes || !this.#usable) return false;
    this.start();
    const state = this.#thread.state;
    return state === "starting" || state === "ready";
  }

  /** Starts the worker thread if it is not running (it loads its modules and compiles its matcher meanwhile). */
  start(): void {
    this.#thread.start();
  }

  /** Starts the worker and resolves once it takes chunks (true) or has failed (false). */
  whenReady(): Promise<boolean> {
    return this.#thread.whenReady();
  }

  /** Stops the worker; the pool prepares nothing more. */
  close(): Promise<void> {
    return this.#thread.close();
  }

  /**
   * The feed's entries normalized and tagged, the same story kept once, in
   * item order: what takeNormalizedEntries and tagEntry give on the main
   * thread alone. Takes the items out of the feed; each chunk of raw items is
   * let go once its entries are taken. `known` entries (stored with this
   * content under this taxonomy) are not tagged.
   */
  *entries(feed: RawFeed, options: NormalizeOptions, stored: ReadonlyMap<string, StoredEntryMeta>, matcher: Matcher): Generator<PreparedEntry> {
    this.start();
    yield* this.#take(this.#open({ ...feed, items: [] }, options, stored), feed, matcher);
  }

  /**
   * Starts on a long feed while it is still being parsed (parseFeed's
   * `parts`): each chunk of items goes to the worker as soon as it is
   * complete, EARLY_DEPTH ahead, at most EARLY_MAX_CHUNKS before the parse
   * ends. The main thread is parsing meanwhile, so the worker is the only
   * one preparing. `entries` then goes on from where the worker is, as
   * PreparePool.entries would; `discard` lets everything go.
   */
  begin(head: RawFeed, options: NormalizeOptions, stored: ReadonlyMap<string, StoredEntryMeta>): EarlyFeed {
    this.start();
    const run = this.#open({ ...head, items: [] }, options, stored);
    run.arriving = true;
    this.#arriving.add(run);
    // Its replies stay in the port until the parse is done, unless a short feed waits for one of its own.
    const holds = !this.#thread.awaited;
    if (holds) this.#thread.hold();
    let released = !holds;
    const release = () => {
      if (!released) this.#thread.release();
      released = true;
      this.#arriving.delete(run);
      run.arriving = false;
    };
    return {
      add: (items) => {
        for (const item of items) run.items.push(item);
        this.#topUp(run);
      },
      entries: (feed, matcher) => {
        release();
        return this.#take(run, feed, matcher);
      },
      discard: () => {
        release();
        this.#close(run);
      },
    };
  }

  /**
   * What a long feed's parse hands its parts to (parseFeed's `parts`): the
   * first part begins the feed here (begin), every part's items are added.
   */
  partsFor(options: NormalizeOptions, stored: ReadonlyMap<string, StoredEntryMeta>): LongFeedParts {
    let early: EarlyFeed | undefined;
    return {
      ...(this.partItems !== undefined ? { partItems: this.partItems } : {}),
      items: (head, items) => {
        early ??= this.begin(head, options, stored);
        early.add(items);
      },
      discard: () => {
        early?.discard();
        early = undefined;
      },
      get early() {
        return early;
      },
    };
  }

  /** A feed's chunking state; its replies are taken from here on. */
  #open(head: RawFeed, options: NormalizeOptions, stored: ReadonlyMap<string, StoredEntryMeta>): FeedRun {
    const run: FeedRun = {
      key: ++this.#key,
      head,
      options,
      known: knownHashes(stored, this.#taxonomy.version),
      items: [],
      arriving: false,
      next: 0,
      atWorker: new Set(),
      signalBase: this.#thread.replies(),
      ready: new Map(),
      announced: false,
      byWorker: 0,
      beforeParsed: 0,
    };
    this.#thread.listen(run.key, (reply) => {
      run.atWorker.delete(reply.chunk);
      run.ready.set(reply.chunk, reply.items ?? null);
      if (reply.items !== undefined) run.byWorker++;
      // A reply taken while the feed is still being parsed (through the event
      // loop, when its replies are not held in the port) frees a place at the worker.
      if (run.arriving) this.#topUp(run);
    });
    return run;
  }

  /** Chunks whose items have all arrived. */
  #complete(run: FeedRun): number {
    const size = this.#chunkItems;
    return run.arriving ? Math.floor(run.items.length / size) : Math.ceil(run.items.length / size);
  }

  /**
   * Sends the worker the next complete chunks, until it holds WORKER_DEPTH of
   * them. While replies are held in the port, what it still holds is told by
   * the signal (one bump per reply, any feed's: an estimate on the safe side),
   * and a deeper queue keeps it busy between two parts.
   */
  #topUp(run: FeedRun): void {
    if (this.#thread.state === "starting") this.#thread.drain();
    const complete = this.#complete(run);
    const held = run.arriving && this.#thread.holding;
    const answered = () => (held ? this.#thread.replies() - run.signalBase : 0);
    const depth = held ? EARLY_DEPTH : WORKER_DEPTH;
    while (
      this.#thread.state === "ready" &&
      run.atWorker.size - answered() < depth &&
      run.next < complete &&
      !(run.arriving && run.beforeParsed >= EARLY_MAX_CHUNKS)
    ) {
      if (!run.announced) run.announced = this.#thread.post({ type: "feed", key: run.key, feed: run.head, options: run.options, known: [...run.known] });
      if (!run.announced || !this.#thread.post({ type: "chunk", key: run.key, chunk: run.next, items: this.#slice(run, run.next) })) break;
      run.atWorker.add(run.next++);
      if (run.arriving) run.beforeParsed++;
    }
  }

  #slice(run: FeedRun, c: number): RawItem[] {
    return run.items.slice(c * this.#chunkItems, (c + 1) * this.#chunkItems) as RawItem[];
  }

  /** Lets the feed go (again, harmlessly): its replies are dropped, the worker forgets it. */
  #close(run: FeedRun): void {
    if (!this.#thread.listens(run.key)) return;
    this.#thread.forget(run.key);
    if (run.announced && this.#thread.state === "ready") this.#thread.post({ type: "end", key: run.key });
  }

  /** The chunk loop of entries(): every chunk taken in order, from the worker or prepared here. */
  *#take(run: FeedRun, feed: RawFeed, matcher: Matcher): Generator<PreparedEntry> {
    // The parsed feed's list is the one that counts (parts hand out these same items, in this order).
    run.items = feed.items;
    const isFirst = createDuplicateFilter(feed);
    const items = run.items;
    feed.items = [];
    const normalize = createTextNormalizer(feed, run.options);
    const known = run.known;
    const count = this.#complete(run);
    const inline = (c: number) => prepareItems(normalize, matcher, known, this.#slice(run, c));
    const { atWorker, ready } = run;
    let waitedMs = 0;
    const started = performance.now();
    const maxAhead = items.length < LONGER_FEED_ITEMS ? MAX_AHEAD_SHORTER : MAX_AHEAD;
    try {
      for (let c = 0; c < count; c++) {
        // A chunk nobody has taken on is the main thread's, prepared now; the worker takes the ones after it.
        const mine = run.next === c;
        if (mine) run.next++;
        this.#topUp(run);
        let prepared: PreparedItem[] | undefined = mine ? inline(c) : undefined;
        let lastHeard = performance.now();
        while (prepared === undefined) {
          const done = ready.get(c);
          if (done !== undefined || ready.has(c)) {
            ready.delete(c);
            prepared = done ?? inline(c);
          } else if (!atWorker.has(c) || this.#thread.state !== "ready") {
            // The worker is gone: what it held is prepared here.
            prepared = inline(c);
          } else if (this.#thread.receiveOne()) {
            // Replies are taken one at a time, when needed: one waiting in the
            // port is bytes outside the heap, one taken is objects that would
            // outlive a scavenge or two and go to the old generation.
            lastHeard = performance.now();
          } else if (run.next < count && ready.size < maxAhead) {
            // While the worker prepares chunk c, the main thread prepares a later one.
            ready.set(run.next, inline(run.next));
            run.next++;
          } else {
            const seen = this.#thread.replies();
            if (this.#thread.receiveOne()) {
              lastHeard = performance.now();
              continue;
            }
            const w0 = performance.now();
            this.#thread.waitForReply(seen, Math.min(WAIT_SLICE_MS, this.#stallMs));
            waitedMs += performance.now() - w0;
            if (performance.now() - lastHeard > this.#stallMs) this.#thread.fail(new Error(`no answer for ${this.#stallMs} ms`));
          }
        }
        items.fill(undefined, c * this.#chunkItems, (c + 1) * this.#chunkItems);
        for (const p of prepared) if (p.entry !== undefined && isFirst(p.itemLink, p.entry)) yield { entry: p.entry, tagged: p.tagged };
      }
    } finally {
      this.#close(run);
      this.#logger.debug(
        {
          source: run.options.sourceId,
          items: items.length,
          chunks: count,
          byWorker: run.byWorker,
          beforeParsed: run.beforeParsed,
          waitedMs: Math.round(waitedMs),
          durationMs: Math.round(performance.now() - started),
        },
        `refresh: ${run.options.sourceId}: ${run.byWorker} of ${count} chunk(s) normalized and tagged by the worker thread`,
      );
    }
  }

  /**
   * A whole feed normalized and tagged by the worker while the main thread
   * serves other sources: what entries() gives, as an array (a short feed,
   * so memory is no concern). Undefined when the worker is not running: the
   * caller prepares the feed itself. A feed the worker could not prepare (an
   * error, a worker that died or went silent) is prepared on the main thread.
   */
  entriesAsync(feed: RawFeed, options: NormalizeOptions, stored: ReadonlyMap<string, StoredEntryMeta>, matcher: Matcher): Promise<PreparedEntry[]> | undefined {
    // The first changed feed of a many-source cycle starts the worker and is prepared here meanwhile.
    if (this.#manySources && this.#thread.state === "idle") this.start();
    // While a long feed's parse holds the replies in the port, a short feed is prepared here.
    if (this.#thread.state !== "ready" || this.#thread.holding) return undefined;
    const isFirst = createDuplicateFilter(feed);
    const items = feed.items;
    feed.items = [];
    const known = knownHashes(stored, matcher.taxonomy.version);
    const key = ++this.#key;
    const prepared = new Promise<PreparedItem[]>((resolve, reject) => {
      // Also what keeps the process alive meanwhile: the worker and its port do not.
      const timer = setTimeout(() => this.#thread.fail(new Error(`no answer for ${this.#stallMs} ms`)), this.#stallMs);
      let settled = false;
      const finish = (done: PreparedItem[] | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#thread.forget(key);
        try {
          resolve(done ?? prepareItems(createTextNormalizer(feed, options), matcher, known, items));
        } catch (error) {
          // An item that breaks normalize here breaks it without the worker too: the refresh reports it for this source.
          reject(error);
        }
      };
      // Called while the pool fails, possibly inside another feed's transaction: the fallback runs after it.
      this.#thread.await(key, () => setImmediate(() => finish(undefined)));
      this.#thread.listen(key, (reply) => finish(reply.items));
      if (this.#thread.post({ type: "feed", key, feed, options, known: [...known] }) && this.#thread.post({ type: "chunk", key, chunk: 0, items })) {
        this.#thread.post({ type: "end", key });
      } else {
        finish(undefined);
      }
    });
    return prepared.then((done) => {
      const out: PreparedEntry[] = [];
      for (const p of done) if (p.entry !== undefined && isFirst(p.itemLink, p.entry)) out.push({ entry: p.entry, tagged: p.tagged });
      return out;
    });
  }
}

/** The content hash of each stored entry tagged under the matcher's taxonomy: those the refresh will not tag again. */
function knownHashes(stored: ReadonlyMap<string, StoredEntryMeta>, taxonomyVersion: string): Map<string, string> {
  const known = new Map<string, string>();
  for (const [id, meta] of stored) if (meta.taxonomyVersion === taxonomyVersion) known.set(id, meta.contentHash);
  return known;
}

/**
 * The pool a refresh cycle uses, or undefined, and every feed is prepared on
 * the main thread: one core, FEED_ENRICHER_PREPARE_WORKER=0, or no worker
 * file beside this module (run from the TypeScript sources: the worker runs
 * from the bundle bin/feed-enricher.js builds).
 */
export function openPreparePool(taxonomy: Taxonomy, logger: Logger): PreparePool | undefined {
  if (process.env.FEED_ENRICHER_PREPARE_WORKER === "0" || availableParallelism() < 2) return undefined;
  const script = new URL("./prepare-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(script))) return undefined;
  return new PreparePool(taxonomy, { script, logger });
}
