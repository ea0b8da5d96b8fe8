import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import { isPrivateAddress } from "./address-policy.js";
import type { ConnectionPool } from "./connection-pool.js";
import { FetchError } from "./fetch-error.js";
import type { FetchResult, Validators } from "./fetch-source.js";

export interface HttpOptions {
  /** Whole request, redirects and body included. */
  timeoutMs: number;
  /** DNS lookup plus TCP (and TLS) handshake of each hop. */
  connectTimeoutMs: number;
  /** Cap on the body after decompression; enforced while streaming. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** Allow loopback/private targets (sources configured as local). */
  allowPrivate: boolean;
  /**
   * Which addresses count as private. Defaults to isPrivateAddress; embedders
   * (and tests) with their own network layout can narrow or widen it.
   */
  isBlockedAddress?: (address: string) => boolean;
  /**
   * Keep-alive connections shared by the fetches of a process. Without one,
   * each request opens a connection of its own and closes it.
   */
  pool?: ConnectionPool;
}

/** A reused idle connection the server closed as we sent: the GET never reached it, so it is sent again. */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"]);
const MAX_STALE_RETRIES = 2;

// Feed types first; generic XML lower; anything else last so a misconfigured
// server still answers rather than sending 406 (RFC 9110 §12.5.1).
export const ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5";
export const ACCEPT_ENCODING = "gzip, deflate, br";

/** Longest Retry-After honoured; a server asking for more is treated as asking for this. */
const MAX_RETRY_AFTER_SECONDS = 7 * 24 * 3600;

/**
 * The whole-request timeout of one fetch, every hop and the body included:
 * one timer that, when it fires, destroys the request in flight. An
 * AbortController would do the same through an EventTarget listener on every
 * request, a fifth of the CPU a conditional GET on a pooled connection costs.
 */
interface Deadline {
  expired: boolean;
  /** The request in flight; destroying it ends its response too. */
  current: ClientRequest | undefined;
}

function deadlineError(): NodeJS.ErrnoException {
  return Object.assign(new Error("the request took longer than fetch.timeoutMs"), { code: "ABORT_ERR" });
}

/** One lookup function per address policy, so a request builds none; the pool builds its agents with the first one it is given. */
const lookups = new WeakMap<(address: string) => boolean, LookupFunction>();
let unguardedLookup: LookupFunction | undefined;

/** DNS lookup that refuses private targets, so a redirect or DNS answer cannot reach the LAN. */
function guardedLookup(isBlocked: ((address: string) => boolean) | undefined): LookupFunction {
  if (isBlocked === undefined) {
    unguardedLookup ??= newGuardedLookup(undefined);
    return unguardedLookup;
  }
  let lookup = lookups.get(isBlocked);
  if (lookup === undefined) {
    lookup = newGuardedLookup(isBlocked);
    lookups.set(isBlocked, lookup);
  }
  return lookup;
}

function newGuardedLookup(isBlocked: ((address: string) => boolean) | undefined): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 4);
      const list = addresses as unknown as LookupAddress[];
      const ok = isBlocked === undefined ? list : list.filter((a) => !isBlocked(a.address));
      if (ok.length === 0) {
        const e = new Error(`${hostname} resolves only to private addresses (${list.map((a) => a.address).join(", ")})`) as NodeJS.ErrnoException;
        e.code = "EBLOCKED";
        return callback(e, "", 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      return callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.max(0, Math.round((at - now) / 1000));
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

function maxAge(cacheControl: string | undefined): number | undefined {
  const m = cacheControl === undefined ? null : /(?:^|,)\s*max-age\s*=\s*"?(\d+)/i.exec(cacheControl);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function blockedError(url: string, cause?: unknown): FetchError {
  return new FetchError(
    "blocked-address",
    `${url} points to a loopback or private address and was refused; set local: true on the source if that is intended`,
    {
      cause,
    },
  );
}

/** The one place a socket, parser or stream error becomes a coded FetchError. */
function classify(url: string, error: NodeJS.ErrnoException, options: HttpOptions, aborted: boolean): FetchError {
  if (error instanceof FetchError) return error;
  const code = error.code ?? "";
  if (aborted) {
    return new FetchError("timeout", `${url}: no complete answer within ${options.timeoutMs} ms (fetch.timeoutMs); it will be retried`, { cause: error });
  }
  if (code === "ECONNTIMEOUT") {
    return new FetchError("timeout", `${url}: no connection within ${options.connectTimeoutMs} ms (fetch.connectTimeoutMs); it will be retried`, {
      cause: error,
    });
  }
  if (code === "EBLOCKED") return blockedError(url, error);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NODATA" || code === "EAI_NONAME") {
    return new FetchError("dns", `${url}: host not found (${code}); check the URL`, { cause: error });
  }
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") {
    return new FetchError("connect", `${url}: connection failed (${code}); the site may be down, it will be retried`, { cause: error });
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE") {
    return new FetchError("connect", `${url}: the connection was cut before the answer was complete (${code}); it will be retried`, { cause: error });
  }
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO" || code.startsWith("ERR_SSL")) {
    return new FetchError("tls", `${url}: TLS failed (${code}); check the certificate or use the right scheme`, { cause: error });
  }
  if (code.startsWith("HPE_")) {
    const what = code === "HPE_HEADER_OVERFLOW" ? "headers too large" : code;
    return new FetchError("protocol", `${url}: the server sent a broken HTTP answer (${what}); report it to the publisher`, { cause: error });
  }
  if (code.startsWith("Z_") || code.startsWith("ERR_BROTLI") || code.startsWith("ERR__ERROR")) {
    return new FetchError("decompress", `${url}: the compressed body is corrupt (${code}); report it to the publisher`, { cause: error });
  }
  return new FetchError("connect", `${url}: ${error.message}${code ? ` (${code})` : ""}; it will be retried`, { cause: error });
}

/** One GET, without following redirects. Resolves with the response or rejects with a FetchError. */
function requestOnce(url: URL, validators: Validators, options: HttpOptions, deadline: Deadline, staleRetries = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (deadline.expired) {
      reject(classify(url.href, deadlineError(), options, true));
      return;
    }
    const lib = url.protocol === "https:" ? https : http;
    const isBlocked = options.allowPrivate ? undefined : (options.isBlockedAddress ?? isPrivateAddress);
    // A literal IP never goes through the lookup, so it is checked here.
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isBlocked !== undefined && isIP(host) && isBlocked(host)) {
      reject(blockedError(url.href));
      return;
    }
    const headers: Record<string, string> = {
      "user-agent": options.userAgent,
      accept: ACCEPT,
      "accept-encoding": ACCEPT_ENCODING,
    };
    if (validators.etag !== undefined) headers["if-none-match"] = validators.etag;
    if (validators.lastModified !== undefined) headers["if-modified-since"] = validators.lastModified;
    const lookup = guardedLookup(isBlocked);
    // Without a pool (agent: false), one connection per request: nothing pooled, nothing left behind.
    const agent = options.pool?.agentFor(url.protocol, isBlocked, lookup) ?? false;
    const req = lib.get(url, { headers, lookup, agent });
    deadline.current = req;
    // Started when the request gets its socket, so a request waiting for a
    // pooled connection to free up is bounded by timeoutMs, not by this.
    let connectTimer: NodeJS.Timeout | undefined;
    req.on("socket", (socket) => {
      // A pooled socket is connected already: no lookup or handshake to wait for.
      if (req.reusedSocket) return;
      connectTimer = setTimeout(() => {
        req.destroy(Object.assign(new Error("connect timeout"), { code: "ECONNTIMEOUT" }));
      }, options.connectTimeoutMs);
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
    });
    req.on("response", (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      // GET is idempotent (RFC 9110 §9.2.2): resending after the server closed an idle connection is safe.
      if (req.reusedSocket && !deadline.expired && staleRetries < MAX_STALE_RETRIES && STALE_SOCKET_CODES.has(error.code ?? "")) {
        resolve(requestOnce(url, validators, options, deadline, staleRetries + 1));
        return;
      }
      reject(classify(url.href, error, options, deadline.expired));
    });
  });
}

/** Lets a 304's empty body end so its connection goes back to the pool instead of being cut. */
function drained(res: IncomingMessage): Promise<void> {
  return new Promise((done) => {
    if (res.complete && res.readableEnded) return done();
    res.once("end", done);
    res.once("close", done);
    res.resume();
  });
}

/**
 * "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2) but some servers send raw
 * DEFLATE; the first two bytes tell them apart.
 */
function sniffingInflate(): Transform {
  let inner: Transform | undefined;
  const outer = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (inner === undefined) {
        // A zlib header has CM = 8 and (CMF << 8 | FLG) divisible by 31 (RFC 1950 §2.2).
        const zlibWrapped = (chunk[0]! & 0x0f) === 8 && (chunk.length < 2 || ((chunk[0]! << 8) | chunk[1]!) % 31 === 0);
        inner = zlibWrapped ? createInflate() : createInflateRaw();
        inner.on("data", (d: Buffer) => {
          if (!outer.push(d)) inner!.pause();
        });
        inner.on("error", (e) => outer.destroy(e));
      }
      if (inner.write(chunk)) done();
      else inner.once("drain", () => done());
    },
    flush(done: TransformCallback) {
      if (inner === undefined) return done();
      inner.once("end", () => done());
      inner.end();
    },
    read(size) {
      inner?.resume();
      Transform.prototype._read.call(this, size);
    },
    destroy(error, done) {
      inner?.destroy();
      done(error);
    },
  });
  return outer;
}

function decoderFor(encoding: string | undefined, url: string): Transform | undefined {
  const name = (encoding ?? "").trim().toLowerCase();
  switch (name) {
    case "":
    case "identity":
      return undefined;
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return sniffingInflate();
    case "br":
      return createBrotliDecompress();
    default:
      throw new FetchError(
        "decompress",
        `${url} sent Content-Encoding "${encoding}", which is not supported (gzip, deflate, br are); report it to the publisher`,
      );
  }
}

/** Reads the body, decompressing, and stops as soon as it passes maxBytes (a gzip bomb inflates no further). */
async function readBody(res: IncomingMessage, url: string, options: HttpOptions, deadline: Deadline): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  const encoding = res.headers["content-encoding"];
  const decoder = decoderFor(encoding, url);
  if (!decoder && Number.isFinite(declared) && declared > options.maxBytes) {
    throw new FetchError("too-large", `${url} declares ${declared} bytes, over the ${options.maxBytes}-byte cap; raise fetch.maxBytes if the feed is right`);
  }
  // pipeline, not pipe: an error or early close of the response must end the decoder too.
  const stream: Readable = decoder ? pipeline(res, decoder, () => {}) : res;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > options.maxBytes) {
        throw new FetchError(
          "too-large",
          `${url} sent more than ${options.maxBytes} bytes${decoder ? " once decompressed" : ""}; raise fetch.maxBytes if the feed is right`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    res.destroy();
    decoder?.destroy();
    throw classify(url, error as NodeJS.ErrnoException, options, deadline.expired);
  }
  return Buffer.concat(chunks, total);
}

/** GET with conditional headers, redirects (at most maxRedirects), decompression, caps and timeouts. */
export async function fetchHttp(startUrl: string, validators: Validators, options: HttpOptions): Promise<FetchResult> {
  const deadline: Deadline = { expired: false, current: undefined };
  const timer = setTimeout(() => {
    deadline.expired = true;
    deadline.current?.destroy(deadlineError());
  }, options.timeoutMs);
  let url = new URL(startUrl);
  let movedTo: string | undefined;
  let permanentSoFar = true;
  let res: IncomingMessage | undefined;
  try {
    for (let hop = 0; ; hop++) {
      res = await requestOnce(url, validators, options, deadline);
      const status = res.statusCode ?? 0;
      const moved = movedTo !== undefined ? { movedTo } : {};
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        // The body of a redirect or an error is never needed: drop the connection rather than drain it.
        res.destroy();
        if (hop >= options.maxRedirects) {
          throw new FetchError("redirect", `${startUrl} redirected more than ${options.maxRedirects} times (a loop?); fix the source URL`);
        }
        let next: URL;
        try {
          next = new URL(res.headers.location, url);
        } catch (error) {
          throw new FetchError("redirect", `${url.href} redirected to an invalid URL ${JSON.stringify(res.headers.location)}; fix the source URL`, {
            cause: error,
          });
        }
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new FetchError("redirect", `${url.href} redirected to a ${next.protocol} URL; only http(s) is followed`);
        }
        // Only an unbroken chain of permanent redirects (RFC 9110 §15.4.2, §15.4.9) says the config should change.
        permanentSoFar = permanentSoFar && (status === 301 || status === 308);
        url = next;
        if (permanentSoFar) movedTo = url.href;
        continue;
      }
      if (status === 304) {
        await drained(res);
        return { status: "not-modified", url: url.href, ...moved };
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        const retryAfterSeconds = status === 429 || status === 503 ? parseRetryAfter(res.headers["retry-after"]) : undefined;
        const wait = retryAfterSeconds !== undefined ? `; the server asked to wait ${retryAfterSeconds} s (Retry-After) and the next try honours that` : "";
        const hint =
          status === 404 || status === 410
            ? "the feed is gone; update or remove the source"
            : status === 401 || status === 403
              ? "the site refuses us; check the URL or ask the publisher"
              : status === 429
                ? `rate limited${wait || "; it will be retried with backoff"}`
                : `it will be retried with backoff${wait}`;
        throw new FetchError("http-status", `${url.href} answered ${status}; ${hint}`, {
          status,
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        });
      }
      const body = await readBody(res, url.href, options, deadline);
      if (body.length === 0) {
        throw new FetchError("empty", `${url.href} answered ${status} with an empty body; check the source URL, it will be retried`, { status });
      }
      const etag = res.headers.etag;
      const lastModified = res.headers["last-modified"];
      const contentType = res.headers["content-type"];
      const age = maxAge(res.headers["cache-control"]);
      return {
        status: "ok",
        body,
        url: url.href,
        ...(contentType !== undefined ? { contentType } : {}),
        ...(etag !== undefined ? { etag } : {}),
        ...(lastModified !== undefined ? { lastModified } : {}),
        ...moved,
        ...(age !== undefined ? { maxAgeSeconds: age } : {}),
      };
    }
  } finally {
    clearTimeout(timer);
    // A response read to its end has handed its connection back to the pool (or closed it); only a partial one is cut.
    if (res !== undefined && !(res.complete && res.readableEnded)) res.destroy();
  }
}
