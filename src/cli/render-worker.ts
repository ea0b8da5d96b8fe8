// Worker thread entry: renders and writes part of a cycle's outputs beside the
// main thread (startRenderWorker, startRenderWorkerEarly). It opens its own
// connection to the store (WAL: it reads while the main thread reads), claims
// outputs from the counter it shares with the main thread, and reports what it
// wrote. It never fsyncs folders or clears pending outputs: the main thread
// does both once every output is written.
import { parentPort, workerData } from "node:worker_threads";
// From the file, not the stage's index: the index also loads the refresh of a
// source (parse, normalize, enrich and their libraries), which a renderer never
// runs and which would only delay its start.
import { renderShare } from "../refresh/publish-outputs.js";
import { describeError } from "../shared/errors.js";
import { SqliteStore } from "../store/index.js";
import type { RenderWorkerData, RenderWorkerPlans, RenderWorkerReply } from "./start-render-worker.js";

const data = workerData as RenderWorkerData;
const counter = new Int32Array(data.counter);
// Started early (startRenderWorkerEarly), it has loaded its modules by now and
// waits for its outputs; only then does it open the store, whose last commit
// may still be under way.
const plans = data.plans ?? (await new Promise<RenderWorkerPlans>((resolve) => parentPort?.once("message", resolve))).plans;
let reply: RenderWorkerReply;
try {
  const store = new SqliteStore(data.databaseFile, { busyTimeoutMs: data.busyTimeoutMs });
  try {
    const share = await renderShare(store, plans, data.publish, () => Atomics.add(counter, 0, 1));
    reply = {
      changed: share.changed,
      written: share.written,
      renamedIn: share.renamedIn,
      ...(share.error !== undefined ? { error: describeError(share.error) } : {}),
    };
  } finally {
    store.close();
  }
} catch (error) {
  reply = { changed: [], written: [], renamedIn: [], error: describeError(error) };
}
parentPort?.postMessage(reply);
