import { realpathSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { constants as zlib } from "node:zlib";
import fastifyCompress from "@fastify/compress";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { FeedEnricherError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { CompressedVariants, preferredCoding } from "./compressed-variants.js";
import { contentTypeFor } from "./content-types.js";
import type { HealthReport } from "./health-report.js";
import type { ServiceMetrics } from "./service-metrics.js";
import { noneMatchHits, StrongEtags } from "./strong-etags.js";

export interface ServerOptions {
  /** The folder published at `/`; nothing outside it is reachable. */
  feedsDir: string;
  /** Cache-Control max-age of the files: about the refresh interval. */
  maxAgeSeconds: number;
  metrics: ServiceMetrics;
  health(): HealthReport;
  logger: Logger;
  /** Longest accepted request target; longer ones get 414. */
  maxUrlLength?: number;
  /** Whole request (headers and body) must arrive within this time (slow-loris defence). */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /**
   * Whether a source id names a source removed from the config whose entries
   * the store still keeps: its per-source feeds answer 410 Gone instead of 404.
   */
  removedSource?: (sourceId: string) => boolean;
}

/** A per-source feed's URL path: `/sources/<id>.<format>` (ids as the config allows them). */
const SOURCE_FEED_PATH = /^\/sources\/([a-z0-9][a-z0-9-]*)\.(rss|atom|json)$/;

/**
 * Only what the feeds need: no scripts, no frames, no forms, styles and
 * images by URL. Feed content shown on the index page is escaped, and this
 * policy makes sure nothing executable from it could run anyway.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ALLOW = "GET, HEAD";
/** Smaller bodies gain little from compression. */
const COMPRESS_MIN_BYTES = 1024;

/**
 * A compressed body is a different representation, so its strong tag must
 * differ (RFC 9110 §8.8.3): "tag" becomes "tag-gzip" / "tag-br". One Vary
 * header, whether or not this response was compressed.
 */
async function representationHeaders(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (reply.getHeader("vary") !== undefined) reply.header("vary", "Accept-Encoding");
  const encoding = reply.getHeader("content-encoding");
  const etag = reply.getHeader("etag");
  if (typeof encoding === "string" && typeof etag === "string" && !etag.startsWith("W/") && !etag.endsWith(`-${encoding}"`)) {
    reply.header("etag", `${etag.slice(0, -1)}-${encoding}"`);
  }
  return payload;
}

function problem(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header("cache-control", "no-store").type("application/json; charset=utf-8").send({ error: message });
}

/**
 * The HTTP side of the service (fastify): the feeds folder with strong ETags,
 * Last-Modified, 304s, gzip/brotli and Cache-Control; `/healthz` and
 * `/metrics`; GET and HEAD only.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const root = realpathSync(options.feedsDir);
  const maxUrlLength = options.maxUrlLength ?? 2048;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const headersTimeoutMs = Math.min(options.headersTimeoutMs ?? 5_000, requestTimeoutMs);
  const etags = new StrongEtags();
  const variants = new CompressedVariants();
  const cacheControl = `public, max-age=${Math.max(0, Math.round(options.maxAgeSeconds))}`;

  const app = Fastify({
    // Per-request lines would drown the refresh log: requests are counted in /metrics instead.
    loggerInstance: options.logger.child({}, { level: "warn" }) as FastifyBaseLogger,
    // Slow-loris defence: a request must arrive whole within requestTimeout; Node checks every second.
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    connectionTimeout: requestTimeoutMs * 3,
    http: { headersTimeout: headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    return503OnClosing: true,
  });

  await app.register(fastifyCompress, {
    global: true,
    encodings: ["br", "gzip"],
    threshold: COMPRESS_MIN_BYTES,
    // Quality 5 is close to the best ratio for text at a fraction of quality 11's CPU.
    brotliOptions: { params: { [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_QUALITY]: 5 } },
    customTypes: /^(application\/(rss|atom|feed)\+(xml|json)|application\/(json|xml)|text\/.*)(;|$)/,
  });

  app.addHook("onRequest", async (request, reply) => {
    if (request.url.length > maxUrlLength) return problem(reply, 414, `serve: the URL is longer than ${maxUrlLength} characters`);
    if (request.method !== "GET" && request.method !== "HEAD") {
      reply.header("allow", ALLOW);
      return problem(reply, 405, `serve: ${request.method} is not allowed; use GET or HEAD`);
    }
    const rawPath = request.url.split("?")[0] ?? "/";
    if (rawPath === "/healthz" || rawPath === "/metrics") return;
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return problem(reply, 400, "serve: the URL has a malformed percent-encoding");
    }
    // NUL bytes and backslashes never name a published file; `..` would climb out of feeds/.
    if (path.includes("\0") || path.includes("\\") || rawPath.includes("\\")) return problem(reply, 400, "serve: the URL has a forbidden character");
    const segments = path.split("/");
    if (segments.includes("..")) return problem(reply, 400, "serve: the URL climbs out of the feeds folder");
    // Dot files include the writers' temporary files: never serve half a feed.
    if (segments.some((s) => s.startsWith("."))) return problem(reply, 404, "serve: not found");
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      // 410 tells feed readers to unsubscribe rather than retry (RFC 9110 §15.5.11).
      const sourceId = SOURCE_FEED_PATH.exec(path)?.[1];
      if (sourceId !== undefined && options.removedSource?.(sourceId)) {
        return problem(reply, 410, `serve: the source ${sourceId} was removed from this service; unsubscribe from this feed`);
      }
      return; // missing: the static handler answers 404
    }
    // A symlink inside feeds/ must not lead outside it.
    if (real !== root && !real.startsWith(root + sep)) return problem(reply, 404, "serve: not found");
    const tag = await etags.tagFor(real);
    if (tag === undefined) return;
    reply.header("etag", tag.etag);
    const ifNoneMatch = request.headers["if-none-match"];
    const ifModifiedSince = request.headers["if-modified-since"];
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); dates have whole seconds.
    const hit =
      ifNoneMatch !== undefined
        ? noneMatchHits(ifNoneMatch, tag.etag)
        : ifModifiedSince !== undefined && Math.floor(tag.mtime.getTime() / 1000) * 1000 <= Date.parse(ifModifiedSince)
          ? tag.etag
          : undefined;
    if (hit !== undefined) {
      return reply
        .code(304)
        .header("etag", hit)
        .headers({ "cache-control": cacheControl, "last-modified": tag.mtime.toUTCString(), vary: "Accept-Encoding" })
        .send();
    }
    // Compressed answers come from a per-version cache; @fastify/compress passes them through.
    const coding = preferredCoding(request.headers["accept-encoding"]);
    if (coding !== undefined && tag.size > COMPRESS_MIN_BYTES) {
      const body = await variants.get(real, tag.etag, coding);
      return reply
        .code(200)
        .headers({
          "content-type": contentTypeFor(real),
          "content-encoding": coding,
          etag: `${tag.etag.slice(0, -1)}-${coding}"`,
          "last-modified": tag.mtime.toUTCString(),
          "cache-control": cacheControl,
          vary: "Accept-Encoding",
          "access-control-allow-origin": "*",
        })
        .send(body);
    }
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    return payload;
  });

  // @fastify/compress compresses in a route-level onSend hook added from onRoute; this one is
  // appended after it, so it sees the Content-Encoding that was chosen.
  app.addHook("onRoute", (route) => {
    const existing = route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend];
    route.onSend = [...existing, representationHeaders];
  });

  app.addHook("onResponse", async (request, reply) => {
    options.metrics.httpRequests.inc({ method: request.method, status: String(reply.statusCode) });
  });

  app.get("/healthz", async (_request, reply) => {
    const report = options.health();
    return reply
      .code(report.status === "failing" ? 503 : 200)
      .header("cache-control", "no-store")
      .type("application/json; charset=utf-8")
      .send(report);
  });

  app.get("/metrics", async (_request, reply) => {
    const body = await options.metrics.registry.metrics();
    return reply.header("cache-control", "no-store").type(options.metrics.registry.contentType).send(body);
  });

  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    wildcard: true,
    index: ["index.html"],
    redirect: false,
    dotfiles: "ignore",
    etag: false,
    lastModified: true,
    cacheControl: false,
    acceptRanges: false,
    list: false,
    setHeaders: (res, path) => {
      res.header("content-type", contentTypeFor(path));
      res.header("cache-control", cacheControl);
      res.header("vary", "Accept-Encoding");
      // Feeds are public: browser-based readers on other origins may fetch them.
      res.header("access-control-allow-origin", "*");
    },
  });

  app.setNotFoundHandler((_request, reply) => problem(reply, 404, "serve: not found"));
  return app;
}

export class ServeError extends FeedEnricherError {
  constructor(code: "address-in-use" | "listen-failed", message: string, options?: { cause?: unknown }) {
    super("serve", code, message, options);
  }
}

/** Starts listening; returns the base URL (useful with port 0). */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new ServeError("address-in-use", `${host}:${port} is already in use; stop the other server or set server.port in the config`, { cause: error });
    }
    throw new ServeError("listen-failed", `cannot listen on ${host}:${port} (${code ?? (error as Error).message}); check server.host and server.port`, {
      cause: error,
    });
  }
  const address = app.server.address();
  if (address === null || typeof address === "string") return `http://${host}:${port}/`;
  const h = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${h}:${address.port}/`;
}
