import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { RawFeed, RawItem, Taxonomy } from "../model/index.js";
import type { NormalizeOptions } from "../normalize/index.js";
import type { Logger } from "../shared/logger.js";
import type { PreparedItem } from "./prepare-entries.js";

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

export type ChunkReply = { type: "chunk"; key: number; chunk: number; items?: PreparedItem[]; error?: string };
export type PrepareReply = { type: "ready" } | ChunkReply;

export type ThreadState = "idle" | "starting" | "ready" | "broken" | "closed";

/**
 * The prepare worker thread and the port to it: its start, its failure, and
 * how replies reach whoever waits for them. Replies come two ways. Between
 * two feeds they come through the event loop. Inside the store's synchronous
 * transaction the main thread blocks with Atomics.wait on the shared signal
 * and takes them with receiveMessageOnPort. Which feed a reply is about, and
 * what to do with it, is the PreparePool's business: it registers a handler
 * per feed key.
 */
export class PrepareThread {
  readonly #taxonomy: Taxonomy;
  readonly #script: URL;
  readonly #logger: Logger;
  /** Called when the worker reports ready (the pool sends feeds still being parsed their first chunks). */
  readonly #onReady: () => void;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  readonly #signal = new Int32Array(new SharedArrayBuffer(4));
  #state: ThreadState = "idle";
  /** Who takes the replies about each feed in flight. */
  readonly #handlers = new Map<number, (reply: ChunkReply) => void>();
  /** Requests that wait for a reply through the event loop: each falls back to the main thread when the worker fails. */
  readonly #waiting = new Map<number, () => void>();
  /** Replies taken through the event loop (between two feeds). */
  readonly #onReply = (reply: PrepareReply) => this.#dispatch(reply);
  /** Long feeds being parsed that hold the replies in the port (hold). */
  #holding = 0;

  constructor(taxonomy: Taxonomy, script: URL, logger: Logger, onReady: () => void) {
    this.#taxonomy = taxonomy;
    this.#script = script;
    this.#logger = logger;
    this.#onReady = onReady;
  }

  get state(): ThreadState {
    return this.#state;
  }

  /** Whether a long feed's parse holds the replies in the port. */
  get holding(): boolean {
    return this.#holding > 0;
  }

  /** Whether a request waits for a reply through the event loop. */
  get awaited(): boolean {
    return this.#waiting.size > 0;
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
      // Between two feeds, replies come through the event loop; inside a transaction, through receiveMessageOnPort.
      port1.on("message", this.#onReply);
      port1.unref();
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => this.fail(new Error(`it exited with code ${code}`)));
      this.#worker = worker;
      this.#port = port1;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Starts the worker and resolves once it takes chunks (true) or has failed (false). */
  async whenReady(): Promise<boolean> {
    this.start();
    while (this.#state === "starting") {
      this.drain();
      if (this.#state === "starting") await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.#state === "ready";
  }

  /** Stops the worker; every request still waiting falls back to the main thread. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#state = "closed";
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    for (const fallBack of [...this.#waiting.values()]) fallBack();
    await worker?.terminate();
  }

  /** Gives the worker up (it crashed, exited or went silent): the main thread prepares everything from here on. */
  fail(error: unknown): void {
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

  /** The replies about feed `key` go to `handler` until forget(key). */
  listen(key: number, handler: (reply: ChunkReply) => void): void {
    this.#handlers.set(key, handler);
  }

  /** Whether replies about feed `key` still have a taker. */
  listens(key: number): boolean {
    return this.#handlers.has(key);
  }

  forget(key: number): void {
    this.#handlers.delete(key);
    this.#waiting.delete(key);
  }

  /** Request `key` waits through the event loop: `fallBack` runs if the worker fails or closes first. */
  await(key: number, fallBack: () => void): void {
    this.#waiting.set(key, fallBack);
  }

  #dispatch(reply: PrepareReply): void {
    if (reply.type === "ready") {
      if (this.#state === "starting") this.#state = "ready";
      this.#onReady();
    } else {
      // Replies about a feed already finished (given up, or its refresh failed) have no taker.
      this.#handlers.get(reply.key)?.(reply);
    }
  }

  /** Takes the next reply waiting on the port, if there is one, without the event loop. */
  receiveOne(): boolean {
    if (this.#port === undefined) return false;
    const received = receiveMessageOnPort(this.#port) as { message: PrepareReply } | undefined;
    if (received === undefined) return false;
    this.#dispatch(received.message);
    return true;
  }

  /** Takes every reply waiting on the port now, without the event loop; returns how many. */
  drain(): number {
    let n = 0;
    while (this.receiveOne()) n++;
    return n;
  }

  /** Sends a request; false when it could not be copied (the caller prepares that work itself). */
  post(request: PrepareRequest): boolean {
    try {
      this.#port!.postMessage(request);
      return true;
    } catch {
      // A value that cannot be copied (none is expected from the parser).
      return false;
    }
  }

  /** Replies sent so far (the worker bumps the signal after each). */
  replies(): number {
    return Atomics.load(this.#signal, 0);
  }

  /** Blocks until a reply after the `seen`-th arrives, or `ms` pass. */
  waitForReply(seen: number, ms: number): void {
    Atomics.wait(this.#signal, 0, seen, ms);
  }

  /**
   * Leaves the worker's replies in the port, where they are bytes outside
   * the heap, instead of taking them through the event loop: a long feed's
   * parse takes seconds, and entries taken during it would outlive scavenges
   * and fill the old generation.
   */
  hold(): void {
    if (this.#holding++ === 0) this.#port?.off("message", this.#onReply);
  }

  release(): void {
    if (--this.#holding > 0 || this.#port === undefined) return;
    this.#port.on("message", this.#onReply);
    // A listener refs the port again: between cycles it must not keep the process alive.
    this.#port.unref();
  }
}
