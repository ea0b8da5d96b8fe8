// Worker thread entry: normalizes and tags chunks of a feed's items beside the
// main thread (PreparePool, through PrepareThread). It compiles its own matcher from the taxonomy it
// is given (the same data compiles to the same matcher), answers each chunk
// on the port it was given, in the order asked, and bumps the shared signal
// after every reply so a main thread blocked inside the store's transaction
// wakes (Atomics.wait) and takes the reply with receiveMessageOnPort.
import { workerData } from "node:worker_threads";
import { compileMatcher } from "../enrich/index.js";
import type { RawItem } from "../model/index.js";
import { createTextNormalizer, type NormalizedEntry } from "../normalize/index.js";
import { describeError } from "../shared/errors.js";
import { prepareItems } from "./prepare-entries.js";
import type { PrepareReply, PrepareRequest, PrepareWorkerData } from "./prepare-thread.js";

const data = workerData as PrepareWorkerData;
const signal = new Int32Array(data.signal);
const port = data.port;

function reply(message: PrepareReply): void {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const matcher = compileMatcher(data.taxonomy);
const feeds = new Map<number, { normalize: (item: RawItem) => NormalizedEntry | undefined; known: Map<string, string> }>();

port.on("message", (request: PrepareRequest) => {
  if (request.type === "feed") {
    feeds.set(request.key, { normalize: createTextNormalizer(request.feed, request.options), known: new Map(request.known) });
  } else if (request.type === "end") {
    feeds.delete(request.key);
  } else {
    const feed = feeds.get(request.key);
    if (feed === undefined) return;
    try {
      reply({ type: "chunk", key: request.key, chunk: request.chunk, items: prepareItems(feed.normalize, matcher, feed.known, request.items) });
    } catch (error) {
      // The main thread prepares this chunk itself, and meets the same error where the inline refresh would.
      reply({ type: "chunk", key: request.key, chunk: request.chunk, error: describeError(error).message });
    }
  }
});
reply({ type: "ready" });
