import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { isPrivateAddress } from "./address-policy.js";
import { FetchError } from "./fetch-error.js";
import type { FetchResult, Validators } from "./fetch-source.js";

export interface HttpOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** Allow loopback/private targets (sources configured as local, tests). */
  allowPrivate: boolean;
}

const ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5";

/** DNS lookup that refuses private targets, so a redirect or DNS answer cannot reach the LAN. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 4);
      const list = addresses as unknown as LookupAddress[];
      const ok = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (ok.length === 0) {
        const e = new Error(`${hostname} resolves only to private addresses`) as NodeJS.ErrnoException;
        e.code = "EBLOCKED";
        return callback(e, "", 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      return callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - Date.now()) / 1000));
}

function maxAge(cacheControl: string | undefined): number | undefined {
  const m = cacheControl === undefined ? null : /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(cacheControl);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function classifySocketError(url: string, error: NodeJS.ErrnoException): FetchError {
  const code = error.code ?? "";
  if (code === "EBLOCKED") {
    return new FetchError("blocked-address", `${url} points to a loopback or private address; set local: true on the source if that is intended`, {
      cause: error,
    });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new FetchError("dns", `${url}: host not found (${code}); check the URL`, { cause: error });
  if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EPIPE") {
    return new FetchError("connect", `${url}: connection failed (${code}); the site may be down, it will be retried`, { cause: error });
  }
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO") {
    return new FetchError("tls", `${url}: TLS failed (${code}); check the certificate or use the right scheme`, { cause: error });
  }
  return new FetchError("connect", `${url}: ${error.message}`, { cause: error });
}

/** One GET, without following redirects. Resolves with the response or rejects with a FetchError. */
function requestOnce(url: URL, validators: Validators, options: HttpOptions, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === "https:" ? https : http;
    if (!options.allowPrivate && isIP(url.hostname.replace(/^\[|\]$/g, "")) && isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ""))) {
      reject(classifySocketError(url.href, Object.assign(new Error("blocked"), { code: "EBLOCKED" })));
      return;
    }
    const headers: Record<string, string> = {
      "user-agent": options.userAgent,
      accept: ACCEPT,
      "accept-encoding": "gzip, deflate, br",
    };
    if (validators.etag !== undefined) headers["if-none-match"] = validators.etag;
    if (validators.lastModified !== undefined) headers["if-modified-since"] = validators.lastModified;
    const req = lib.get(url, { headers, lookup: guardedLookup(options.allowPrivate), signal, agent: false });
    const connectTimer = setTimeout(() => {
      req.destroy(Object.assign(new Error("connect timeout"), { code: "ECONNTIMEOUT" }));
    }, options.connectTimeoutMs);
    req.on("socket", (socket) => {
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
    });
    req.on("response", (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      if (error.code === "ECONNTIMEOUT") {
        reject(new FetchError("timeout", `${url.href}: no connection within ${options.connectTimeoutMs} ms; it will be retried`, { cause: error }));
      } else if (error.name === "AbortError" || signal.aborted) {
        reject(new FetchError("timeout", `${url.href}: no complete answer within ${options.timeoutMs} ms; it will be retried`, { cause: error }));
      } else reject(classifySocketError(url.href, error));
    });
  });
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate();
    case "br":
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/** Reads the body, decompressing, and stops as soon as it passes maxBytes (a gzip bomb inflates no further). */
async function readBody(res: IncomingMessage, url: string, options: HttpOptions): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  const encoding = res.headers["content-encoding"];
  if (!encoding && Number.isFinite(declared) && declared > options.maxBytes) {
    res.destroy();
    throw new FetchError("too-large", `${url} declares ${declared} bytes, over the ${options.maxBytes}-byte cap; raise fetch.maxBytes if the feed is right`);
  }
  const decoder = decoderFor(encoding);
  const stream = decoder ? res.pipe(decoder) : res;
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
    if (error instanceof FetchError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.name === "AbortError")
      throw new FetchError("timeout", `${url}: the body did not arrive within ${options.timeoutMs} ms; it will be retried`, { cause: e });
    if (e.code?.startsWith("Z_") || e.code === "ERR_BROTLI_DECOMPRESSION_FAILED" || /incorrect header|invalid/i.test(e.message)) {
      throw new FetchError("io", `${url}: the ${encoding} body is corrupt (${e.code ?? e.message})`, { cause: e });
    }
    throw classifySocketError(url, e);
  }
  return Buffer.concat(chunks, total);
}

/** GET with conditional headers, redirects (at most maxRedirects), decompression, caps and timeouts. */
export async function fetchHttp(startUrl: string, validators: Validators, options: HttpOptions): Promise<FetchResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let url = new URL(startUrl);
  let movedTo: string | undefined;
  let permanentSoFar = true;
  try {
    for (let hop = 0; ; hop++) {
      const res = await requestOnce(url, validators, options, controller.signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        res.resume();
        if (hop >= options.maxRedirects) {
          throw new FetchError("redirect", `${startUrl} redirected more than ${options.maxRedirects} times (a loop?); fix the source URL`);
        }
        const next = new URL(res.headers.location, url);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new FetchError("redirect", `${url.href} redirected to a ${next.protocol} URL; only http(s) is followed`);
        }
        permanentSoFar = permanentSoFar && (status === 301 || status === 308);
        url = next;
        if (permanentSoFar) movedTo = url.href;
        continue;
      }
      if (status === 304) {
        res.resume();
        return { status: "not-modified", url: url.href };
      }
      if (status < 200 || status >= 300) {
        res.resume();
        const retryAfterSeconds = status === 429 || status === 503 ? parseRetryAfter(res.headers["retry-after"]) : undefined;
        const hint =
          status === 404 || status === 410
            ? "the feed is gone; update or remove the source"
            : status === 401 || status === 403
              ? "the site refuses us; check the URL or ask the publisher"
              : status === 429
                ? `rate limited; waiting${retryAfterSeconds !== undefined ? ` ${retryAfterSeconds} s` : ""} before the next try`
                : "it will be retried with backoff";
        throw new FetchError("http-status", `${url.href} answered ${status}; ${hint}`, {
          status,
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        });
      }
      const body = await readBody(res, url.href, options);
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
        ...(movedTo !== undefined ? { movedTo } : {}),
        ...(age !== undefined ? { maxAgeSeconds: age } : {}),
      };
    }
  } finally {
    clearTimeout(timer);
  }
}
