import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { OutputPlan, PublishOptions, RenderShare, SharedRendering } from "../refresh/index.js";
import { FeedEnricherError } from "../shared/errors.js";
import { type App, databaseFile } from "./app.js";

/** Below this many outputs the worker's start (its own copy of the renderer's modules) costs about what it would save. */
const MIN_OUTPUTS = 16;

export interface RenderWorkerData {
  databaseFile: string;
  busyTimeoutMs: number;
  plans: OutputPlan[];
  publish: Omit<PublishOptions, "writeFile">;
  /** One Int32: the index of the next output to render, shared with the main thread. */
  counter: SharedArrayBuffer;
}

export type RenderWorkerReply = Omit<RenderShare, "error" | "allEntries"> & { error?: { code: string; message: string } };

/** A failure the worker reported, with its code and message as they were. */
class RenderWorkerError extends FeedEnricherError {
  constructor(code: string, message: string) {
    super("write", code, message);
    this.message = message;
  }
}

/**
 * Starts a worker thread that renders and writes some of the given outputs
 * beside the main thread, both drawing from one counter, so a cycle with many
 * outputs (a backfill: every topic; a thousand sources: a thousand
 * per-source feeds) uses a second core for its most expensive step. Returns
 * undefined, and the main thread renders everything, when it would not pay:
 * few outputs, one core, FEED_ENRICHER_RENDER_WORKER=0, a test's injected
 * writer, or no worker file beside this one (run from the TypeScript sources:
 * the worker runs from the bundle bin/feed-enricher.js builds).
 */
export function startRenderWorker(app: App, plans: OutputPlan[]): SharedRendering | undefined {
  if (plans.length < MIN_OUTPUTS || availableParallelism() < 2) return undefined;
  if (process.env.FEED_ENRICHER_RENDER_WORKER === "0" || app.publish.writeFile !== undefined) return undefined;
  const script = new URL("./render-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(script))) return undefined;
  const counter = new SharedArrayBuffer(4);
  const claims = new Int32Array(counter);
  const data: RenderWorkerData = { databaseFile: databaseFile(app.config), busyTimeoutMs: 5000, plans, publish: app.publish, counter };
  const worker = new Worker(script, { workerData: data });
  const others = new Promise<RenderShare>((resolve) => {
    let replied = false;
    worker.once("message", (reply: RenderWorkerReply) => {
      replied = true;
      const { error, ...share } = reply;
      resolve(error === undefined ? share : { ...share, error: new RenderWorkerError(error.code, error.message) });
    });
    // A worker that dies without a reply may have claimed outputs it never wrote: publishOutputsAsync renders them on the main thread.
    worker.once("error", (error) => {
      replied = true;
      resolve({ changed: [], written: [], renamedIn: [], error });
    });
    worker.once("exit", (code) => {
      if (!replied)
        resolve({ changed: [], written: [], renamedIn: [], error: new RenderWorkerError("internal", `write: the render worker exited with ${code}`) });
    });
  });
  // A worker stopped before its reply resolves `others` with an error no one reads.
  const release = (): void => {
    worker.terminate().catch(() => {
      // Already gone: nothing to stop.
    });
  };
  return { claimNext: () => Atomics.add(claims, 0, 1), others, release };
}
