import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { Matcher } from "../enrich/index.js";
import type { Entry, RawFeed, RawItem, StoredEntryMeta, Taxonomy } from "../model/index.js";
import { createDuplicateFilter, createTextNormalizer, type NormalizeOptions } from "../normalize/index.js";
import type { Logger } from "../shared/logger.js";
import { type PreparedItem, prepareItems } from "./prepare-entries.js";

export interface PrepareWorkerData {
  taxonomy: Taxonomy;
  /** Requests in, replies out. */
  port: MessagePort;
  /** One Int32 the worker bumps after every reply (Atomics.wait wakes on it). */
  signal: SharedArrayBuffer;
}

export type PrepareRequest =
  | { type: "feed"; key: number; feed: RawFeed; options: NormalizeOptions; known: Array<[string, string]> }
  | { type: "chunk"; key: number; chunk: number; items: RawItem[] }
  | { type: "end"; key: number };

export type PrepareReply = { type: "ready" } | { type: "chunk"; key: number; chunk: number; items?: PreparedItem[]; error?: string };

/** An entry of the feed, first of its story, in item order; tagged when `tagged` says so. */
export interface PreparedEntry {
  entry: Entry;
  tagged: boolean;
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
 * streams entries into it to keep memory flat): the main thread blocks with
 * Atomics.wait and takes replies with receiveMessageOnPort, never through
 * the event loop. A chunk the worker could not prepare is prepared on the
 * main thread; a worker that dies or stalls is given up with a warning and
 * the main thread prepares the rest, so no refresh is lost.
 */
export class PreparePool {
  readonly #taxonomy: Taxonomy;
  readonly #script: URL;
  readonly #minItems: number;
  readonly #chunkItems: number;
  readonly #stallMs: number;
  readonly #logger: Logger;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #signal = new Int32Array(new SharedArrayBuffer(4));
  #state: "idle" | "starting" | "ready" | "broken" | "closed" = "idle";
  #key = 0;
  /** Set by expectSources: short feeds go to the worker too. */
  #manySources = false;
  /** Who takes the replies about each feed in flight. */
  readonly #handlers = new Map<number, (reply: PrepareReply & { type: "chunk" }) => void>();
  /** Whole-feed requests (entriesAsync) waiting for the worker: each falls back to the main thread when the worker fails. */
  readonly #waiting = new Map<number, () => void>();

  constructor(taxonomy: Taxonomy, options: PreparePoolOptions) {
    this.#taxonomy = taxonomy;
    this.#script = options.script ?? new URL("./prepare-worker.js", import.meta.url);
    this.#minItems = options.minItems ?? MIN_ITEMS;
    this.#chunkItems = options.chunkItems ?? CHUNK_ITEMS;
    this.#stallMs = options.stallMs ?? STALL_MS;
    this.#logger = options.logger;
  }

  /** Whether the worker thread was started (it may have stopped since). */
  get started(): boolean {
    return this.#state !== "idle";
  }

  /** Whether a feed of this many items is prepared with the worker's help. */
  wants(items: number): boolean {
    return items >= this.#minItems && this.#state !== "broken" && this.#state !== "closed";
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

  /** Starts the worker when a feed body this large is about to be parsed: its start overlaps the parse. */
  prewarm(bodyBytes: number): void {
    if (bodyBytes >= PREWARM_BYTES) this.start();
  }

  /** Starts the worker thread if it is not running (it loads its modules and compiles its matcher meanwhile). */
  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "starting";
    try {
      const { port1, port2 } = new MessageChannel();
      const data: PrepareWorkerData = { taxonomy: this.#taxonomy, port: port2, signal: this.#signal.buffer as SharedArrayBuffer };
      const worker = new Worker(this.#script, { workerData: data, transferList: [port2] });
      // Between two cycles of a service the worker idles: it must not keep the process alive.
      worker.unref();
      // Between two feeds, replies come through the event loop (entriesAsync); inside a transaction, through receiveMessageOnPort.
      port1.on("message", (reply: PrepareReply) => this.#dispatch(reply));
      port1.unref();
      worker.on("error", (error) => this.#fail(error));
      worker.on("exit", (code) => this.#fail(new Error(`it exited with code ${code}`)));
      this.#worker = worker;
      this.#port = port1;
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Starts the worker and resolves once it takes chunks (true) or has failed (false). */
  async whenReady(): Promise<boolean> {
    this.start();
    while (this.#state === "starting") {
      this.#drain();
      if (this.#state === "starting") await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.#state === "ready";
  }

  /** Stops the worker; the pool prepares nothing more. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#state = "closed";
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    for (const fallBack of [...this.#waiting.values()]) fallBack();
    await worker?.terminate();
  }

  #fail(error: unknown): void {
    if (this.#state === "broken" || this.#state === "closed") return;
    this.#state = "broken";
    this.#logger.warn(
      { err: error },
      `refresh: the worker thread that normalizes and tags feeds stopped (${error instanceof Error ? error.message : String(error)}); the main thread does it alone`,
    );
    void this.#worker?.terminate().catch(() => undefined);
    this.#worker = undefined;
    for (const fallBack of [...this.#waiting.values()]) fallBack();
  }

  #dispatch(reply: PrepareReply): void {
    if (reply.type === "ready") {
      if (this.#state === "starting") this.#state = "ready";
    } else {
      // Replies about a feed already finished (given up, or its refresh failed) have no taker.
      this.#handlers.get(reply.key)?.(reply);
    }
  }

  /** Takes the next reply waiting on the port, if there is one, without the event loop. */
  #receiveOne(): boolean {
    if (this.#port === undefined) return false;
    const received = receiveMessageOnPort(this.#port) as { message: PrepareReply } | undefined;
    if (received === undefined) return false;
    this.#dispatch(received.message);
    return true;
  }

  /** Takes every reply waiting on the port now, without the event loop; returns how many. */
  #drain(): number {
    let n = 0;
    for (;;) {
      if (this.#port === undefined) return n;
      const received = receiveMessageOnPort(this.#port) as { message: PrepareReply } | undefined;
      if (received === undefined) return n;
      n++;
      this.#dispatch(received.message);
    }
  }

  #post(request: PrepareRequest): boolean {
    try {
      this.#port!.postMessage(request);
      return true;
    } catch {
      // A value that cannot be copied (none is expected from the parser): the main thread prepares that chunk.
      return false;
    }
  }

  /**
   * The feed's entries normalized and tagged, the same story kept once, in
   * item order: what takeNormalizedEntries and tagEntry give on the main
   * thread alone. Takes the items out of the feed; each chunk of raw items is
   * let go once its entries are taken. `known` entries (stored with this
   * content under this taxonomy) are not tagged.
   */
  *entries(feed: RawFeed, options: NormalizeOptions, stored: ReadonlyMap<string, StoredEntryMeta>, matcher: Matcher): Generator<PreparedEntry> {
    const isFirst = createDuplicateFilter(feed);
    const items: Array<RawItem | undefined> = feed.items;
    feed.items = [];
    const normalize = createTextNormalizer(feed, options);
    const known = knownHashes(stored, matcher);
    this.start();
    const key = ++this.#key;
    const size = this.#chunkItems;
    const count = Math.ceil(items.length / size);
    const slice = (c: number) => items.slice(c * size, (c + 1) * size) as RawItem[];
    const inline = (c: number) => prepareItems(normalize, matcher, known, slice(c));
    /** Chunks sent to the worker and not answered. */
    const atWorker = new Set<number>();
    /** Prepared chunks not yet taken; null: the worker could not prepare it. */
    const ready = new Map<number, PreparedItem[] | null>();
    let announced = false;
    let byWorker = 0;
    let waitedMs = 0;
    const started = performance.now();
    /** The first chunk neither thread has taken on. */
    let next = 0;
    const maxAhead = items.length < LONGER_FEED_ITEMS ? MAX_AHEAD_SHORTER : MAX_AHEAD;
    this.#handlers.set(key, (reply) => {
      atWorker.delete(reply.chunk);
      ready.set(reply.chunk, reply.items ?? null);
      if (reply.items !== undefined) byWorker++;
    });
    try {
      for (let c = 0; c < count; c++) {
        // A chunk nobody has taken on is the main thread's, prepared now; the worker takes the ones after it.
        const mine = next === c;
        if (mine) next++;
        if (this.#state === "starting") this.#drain();
        while (this.#state === "ready" && atWorker.size < WORKER_DEPTH && next < count) {
          if (!announced) announced = this.#post({ type: "feed", key, feed, options, known: [...known] });
          if (!announced || !this.#post({ type: "chunk", key, chunk: next, items: slice(next) })) break;
          atWorker.add(next++);
        }
        let prepared: PreparedItem[] | undefined = mine ? inline(c) : undefined;
        let lastHeard = performance.now();
        while (prepared === undefined) {
          const done = ready.get(c);
          if (done !== undefined || ready.has(c)) {
            ready.delete(c);
            prepared = done ?? inline(c);
          } else if (!atWorker.has(c) || this.#state !== "ready") {
            // The worker is gone: what it held is prepared here.
            prepared = inline(c);
          } else if (this.#receiveOne()) {
            // Replies are taken one at a time, when needed: one waiting in the
            // port is bytes outside the heap, one taken is objects that would
            // outlive a scavenge or two and go to the old generation.
            lastHeard = performance.now();
          } else if (next < count && ready.size < maxAhead) {
            // While the worker prepares chunk c, the main thread prepares a later one.
            ready.set(next, inline(next));
            next++;
          } else {
            const seen = Atomics.load(this.#signal, 0);
            if (this.#receiveOne()) {
              lastHeard = performance.now();
              continue;
            }
            const w0 = performance.now();
            Atomics.wait(this.#signal, 0, seen, Math.min(WAIT_SLICE_MS, this.#stallMs));
            waitedMs += performance.now() - w0;
            if (performance.now() - lastHeard > this.#stallMs) this.#fail(new Error(`no answer for ${this.#stallMs} ms`));
          }
        }
        items.fill(undefined, c * size, (c + 1) * size);
        for (const p of prepared) if (p.entry !== undefined && isFirst(p.itemLink, p.entry)) yield { entry: p.entry, tagged: p.tagged };
      }
    } finally {
      this.#handlers.delete(key);
      if (announced && this.#state === "ready") this.#post({ type: "end", key });
      this.#logger.debug(
        {
          source: options.sourceId,
          items: items.length,
          chunks: count,
          byWorker,
          waitedMs: Math.round(waitedMs),
          durationMs: Math.round(performance.now() - started),
        },
        `refresh: ${options.sourceId}: ${byWorker} of ${count} chunk(s) normalized and tagged by the worker thread`,
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
    if (this.#manySources && this.#state === "idle") this.start();
    if (this.#state !== "ready") return undefined;
    const isFirst = createDuplicateFilter(feed);
    const items = feed.items;
    feed.items = [];
    const known = knownHashes(stored, matcher);
    const key = ++this.#key;
    const prepared = new Promise<PreparedItem[]>((resolve, reject) => {
      // Also what keeps the process alive meanwhile: the worker and its port do not.
      const timer = setTimeout(() => this.#fail(new Error(`no answer for ${this.#stallMs} ms`)), this.#stallMs);
      let settled = false;
      const finish = (done: PreparedItem[] | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#handlers.delete(key);
        this.#waiting.delete(key);
        try {
          resolve(done ?? prepareItems(createTextNormalizer(feed, options), matcher, known, items));
        } catch (error) {
          // An item that breaks normalize here breaks it without the worker too: the refresh reports it for this source.
          reject(error);
        }
      };
      // Called while the pool fails, possibly inside another feed's transaction: the fallback runs after it.
      this.#waiting.set(key, () => setImmediate(() => finish(undefined)));
      this.#handlers.set(key, (reply) => finish(reply.items));
      if (this.#post({ type: "feed", key, feed, options, known: [...known] }) && this.#post({ type: "chunk", key, chunk: 0, items })) {
        this.#post({ type: "end", key });
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
function knownHashes(stored: ReadonlyMap<string, StoredEntryMeta>, matcher: Matcher): Map<string, string> {
  const known = new Map<string, string>();
  for (const [id, meta] of stored) if (meta.taxonomyVersion === matcher.taxonomy.version) known.set(id, meta.contentHash);
  return known;
}

/**
 * The pool a refresh cycle uses, or undefined, and every feed is prepared on
 * the main thread: one core, FEED_ENRICHER_PREPARE_WORKER=0, or no worker
 * file beside this module (run from the TypeScript sources: the worker runs
 * from the bundle bin/feed-enricher.js builds).
 */
export function openPreparePool(matcher: Matcher, logger: Logger): PreparePool | undefined {
  if (process.env.FEED_ENRICHER_PREPARE_WORKER === "0" || availableParallelism() < 2) return undefined;
  const script = new URL("./prepare-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(script))) return undefined;
  return new PreparePool(matcher.taxonomy, { script, logger });
}
