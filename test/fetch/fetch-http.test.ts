import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FetchError, type FetchOptions, type FetchResult, fetchSource, parseRetryAfter, type Validators } from "../../src/fetch/index.js";
import type { Source } from "../../src/model/index.js";
import { compressed, type EvilServer, gzipBomb, hugeBody, MIB, redirect, SAMPLE_FEED, sendBody, startEvilServer, status } from "../helpers/evil-server.js";
import { measurePeakRss } from "../helpers/memory-peak.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const OPTIONS: FetchOptions = {
  timeoutMs: 5000,
  connectTimeoutMs: 1000,
  maxBytes: 10 * MIB,
  maxRedirects: 5,
  userAgent: "feed-enricher/0.1 (+https://feeds.example.org/)",
  allowPrivate: false,
};

let server: EvilServer;
beforeAll(async () => {
  server = await startEvilServer();
});
afterAll(async () => {
  await server.close();
});

function source(url: string, local = true): Source {
  return { id: "test-source", title: "Test", url, schedule: "*/15 * * * *", local, boilerplate: [] };
}

function get(path: string, options: Partial<FetchOptions> & { local?: boolean; validators?: Validators } = {}): Promise<FetchResult> {
  const { local, validators, ...rest } = options;
  const url = path.startsWith("http") ? path : server.url(path);
  return fetchSource(source(url, local ?? true), validators ?? {}, { ...OPTIONS, ...rest });
}

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FetchError);
    return error as FetchError;
  }
  throw new Error("expected the fetch to fail");
}

function ok(result: FetchResult) {
  if (result.status !== "ok") throw new Error(`expected ok, got ${result.status}`);
  return result;
}

function lastRequest(path: string) {
  const seen = server.requests.filter((r) => r.path === path);
  return seen[seen.length - 1];
}

describe("what the fetcher sends", () => {
  it("names itself, asks for feeds and compression, and sends no validators it does not have", async () => {
    ok(await get("/feed.rss"));
    const headers = lastRequest("/feed.rss")?.headers;
    expect(headers?.["user-agent"]).toBe(OPTIONS.userAgent);
    expect(headers?.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml/);
    expect(headers?.["accept-encoding"]).toBe("gzip, deflate, br");
    expect(headers?.["if-none-match"]).toBeUndefined();
    expect(headers?.["if-modified-since"]).toBeUndefined();
  });

  it("sends ETag and Last-Modified back and reports 304 as not modified", async () => {
    const first = ok(await get("/conditional"));
    expect(first.etag).toBe('"v1"');
    expect(first.lastModified).toBe("Thu, 23 Jan 2025 10:00:00 GMT");
    const second = await get("/conditional", { validators: { etag: first.etag, lastModified: first.lastModified } });
    expect(second).toEqual({ status: "not-modified", url: server.url("/conditional") });
    const headers = lastRequest("/conditional")?.headers;
    expect(headers?.["if-none-match"]).toBe('"v1"');
    expect(headers?.["if-modified-since"]).toBe("Thu, 23 Jan 2025 10:00:00 GMT");
  });

  it("returns the body with its content type and cache lifetime", async () => {
    server.route("/cached", sendBody(SAMPLE_FEED, { "cache-control": "public, max-age=600" }));
    const result = ok(await get("/cached"));
    expect(result.body.toString()).toBe(SAMPLE_FEED);
    expect(result.contentType).toBe("application/rss+xml; charset=utf-8");
    expect(result.maxAgeSeconds).toBe(600);
    expect(result.url).toBe(server.url("/cached"));
  });
});

describe("decompression", () => {
  it.each(["/feed.gz", "/feed.br", "/feed.deflate", "/feed.raw-deflate"])("inflates %s to the feed", async (path) => {
    const result = ok(await get(path));
    expect(result.body.toString()).toBe(SAMPLE_FEED);
  });

  it.each(["deflate", "raw-deflate", "gzip", "br"] as const)("inflates a megabyte-sized %s body intact", async (encoding) => {
    const big = Array.from({ length: 20_000 }, (_, i) => `<item><title>Story ${i}</title><guid>${(i * 2654435761) % 4294967296}</guid></item>`).join("\n");
    server.route(`/big-${encoding}`, compressed(big, encoding));
    const result = ok(await get(`/big-${encoding}`, { timeoutMs: 20_000 }));
    expect(result.body.length).toBe(Buffer.byteLength(big));
    expect(result.body.toString()).toBe(big);
  });

  it("reports a corrupt compressed body as decompress", async () => {
    server.route("/corrupt.gz", sendBody(Buffer.from("this is not gzip at all"), { "content-encoding": "gzip" }));
    const error = await failure(get("/corrupt.gz"));
    expect(error.code).toBe("decompress");
    expect(error.message).toContain(server.url("/corrupt.gz"));
  });

  it("refuses a Content-Encoding it cannot undo instead of passing the bytes on", async () => {
    server.route("/compress", sendBody(SAMPLE_FEED, { "content-encoding": "compress" }));
    const error = await failure(get("/compress"));
    expect(error.code).toBe("decompress");
    expect(error.message).toContain('"compress"');
  });
});

describe("redirects", () => {
  function chain(prefix: string, length: number, statusCode: number) {
    for (let i = 0; i < length; i++) server.route(`${prefix}${i}`, redirect(server.url(`${prefix}${i + 1}`), statusCode));
    server.route(`${prefix}${length}`, sendBody(SAMPLE_FEED));
  }

  it("follows up to maxRedirects and refuses one more", async () => {
    chain("/five-", 5, 302);
    const result = ok(await get("/five-0"));
    expect(result.url).toBe(server.url("/five-5"));
    chain("/six-", 6, 302);
    const error = await failure(get("/six-0"));
    expect(error.code).toBe("redirect");
    expect(error.message).toContain("more than 5 times");
    expect(server.requests.some((r) => r.path === "/six-6")).toBe(false);
  });

  it("stops a redirect loop after maxRedirects + 1 requests", async () => {
    const before = server.requests.length;
    const error = await failure(get("/loop-a", { maxRedirects: 3 }));
    expect(error.code).toBe("redirect");
    expect(server.requests.length - before).toBe(4);
  });

  it("reports a chain of permanent redirects as a move, and a temporary one not", async () => {
    server.route("/p301", redirect(server.url("/feed.rss"), 301));
    server.route("/p308", redirect(server.url("/p301"), 308));
    server.route("/t302", redirect(server.url("/feed.rss"), 302));
    server.route("/t307", redirect(server.url("/feed.rss"), 307));
    server.route("/p301-then-302", redirect(server.url("/t302"), 301));
    server.route("/t302-then-301", redirect(server.url("/p301"), 302));
    expect(ok(await get("/p301")).movedTo).toBe(server.url("/feed.rss"));
    expect(ok(await get("/p308")).movedTo).toBe(server.url("/feed.rss"));
    expect(ok(await get("/t302")).movedTo).toBeUndefined();
    expect(ok(await get("/t307")).movedTo).toBeUndefined();
    // The config should name the permanent target, not where a temporary hop led.
    expect(ok(await get("/p301-then-302")).movedTo).toBe(server.url("/t302"));
    expect(ok(await get("/t302-then-301")).movedTo).toBeUndefined();
  });

  it("reports a move found on a 304", async () => {
    server.route("/moved-conditional", redirect(server.url("/conditional"), 301));
    const result = await get("/moved-conditional", { validators: { etag: '"v1"' } });
    expect(result).toEqual({ status: "not-modified", url: server.url("/conditional"), movedTo: server.url("/conditional") });
  });

  it("follows only http(s)", async () => {
    server.route("/to-file", redirect("file:///etc/passwd", 302));
    const error = await failure(get("/to-file"));
    expect(error.code).toBe("redirect");
    expect(error.message).toContain("file:");
  });
});

describe("caps", () => {
  it("cuts off an endless body at maxBytes without buffering it", async () => {
    const { result, peakGrowthBytes } = await measurePeakRss(() => failure(get("/huge", { timeoutMs: 20_000 })));
    expect(result.code).toBe("too-large");
    expect(result.message).toContain("raise fetch.maxBytes");
    expect(peakGrowthBytes).toBeLessThan(200 * MIB);
  });

  it("refuses a declared oversize body before reading it", async () => {
    const error = await failure(get("/huge-declared"));
    expect(error.code).toBe("too-large");
    expect(error.message).toContain(`declares ${1024 ** 3} bytes`);
  });

  it("stops inflating a gzip bomb at maxBytes", async () => {
    const bomb = gzipBomb();
    expect(bomb.compressedBytes).toBeLessThan(2 * MIB);
    expect(bomb.inflatedBytes).toBe(1024 * MIB);
    const { result, peakGrowthBytes } = await measurePeakRss(() => failure(get("/bomb", { timeoutMs: 20_000 })));
    expect(result.code).toBe("too-large");
    expect(result.message).toContain("once decompressed");
    expect(peakGrowthBytes).toBeLessThan(200 * MIB);
  });

  it("stops inflating a raw-deflate bomb too", async () => {
    server.route("/deflate-bomb", compressed("\0".repeat(8 * MIB), "raw-deflate"));
    const error = await failure(get("/deflate-bomb", { maxBytes: MIB, timeoutMs: 20_000 }));
    expect(error.code).toBe("too-large");
  });

  it("accepts a body of exactly maxBytes", async () => {
    server.route("/exact", hugeBody(4096));
    expect(ok(await get("/exact", { maxBytes: 4096 })).body.length).toBe(4096);
    server.route("/one-over", hugeBody(4097));
    expect((await failure(get("/one-over", { maxBytes: 4096 }))).code).toBe("too-large");
  });
});

describe("timeouts and broken answers", () => {
  it("gives up on a body dripped a byte at a time", async () => {
    const error = await failure(get("/drip", { timeoutMs: 600 }));
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("600 ms (fetch.timeoutMs)");
  });

  it("gives up on a compressed body that stalls", async () => {
    server.route("/stalled.gz", (_req, res) => {
      const feed = compressedBytes();
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "application/rss+xml" });
      res.write(feed.subarray(0, 20));
    });
    const error = await failure(get("/stalled.gz", { timeoutMs: 600 }));
    expect(error.code).toBe("timeout");
  });

  it("gives up on headers that never end", async () => {
    const error = await failure(get("/endless-headers", { timeoutMs: 600 }));
    expect(error.code).toBe("timeout");
  });

  it("reports a flood of headers as a broken answer", async () => {
    const error = await failure(get("/header-flood"));
    expect(error.code).toBe("protocol");
  });

  it("applies the total timeout, not the connect timeout, to a server that accepts and never answers", async () => {
    const error = await failure(get("/silent", { timeoutMs: 800, connectTimeoutMs: 200 }));
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("800 ms (fetch.timeoutMs)");
  });

  it("reports a refused connection", async () => {
    const closed = await startEvilServer();
    const url = closed.url("/feed.rss");
    await closed.close();
    const error = await failure(get(url));
    expect(error.code).toBe("connect");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("reports a body cut short", async () => {
    server.route("/short", (_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("<rss>");
      setTimeout(() => res.destroy(), 20);
    });
    const error = await failure(get("/short"));
    expect(error.code).toBe("connect");
    expect(error.message).toContain("cut");
  });

  it("reports an empty body", async () => {
    const error = await failure(get("/empty"));
    expect(error.code).toBe("empty");
  });
});

function compressedBytes(): Buffer {
  // Enough gzip to start a stream; the rest never comes.
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x0b, 0xc9, 0xc8, 0x2c, 0x56, 0x00, 0xa2, 0x44, 0x85, 0xe2, 0x92]);
}

describe("giving up", () => {
  it("hangs up every connection it abandons", async () => {
    const own = await startEvilServer();
    try {
      const routes = ["/huge", "/bomb", "/drip", "/endless-headers", "/silent", "/500", "/loop-a"];
      for (const path of routes) await failure(get(own.url(path), { timeoutMs: 800 }));
      // The server notices a hang-up asynchronously; give it a moment rather than a fixed delay.
      let open = await own.openConnections();
      for (let i = 0; i < 100 && open > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        open = await own.openConnections();
      }
      expect(open).toBe(0);
    } finally {
      await own.close();
    }
  });
});

describe("HTTP errors", () => {
  it("classifies a 500 with its status", async () => {
    const error = await failure(get("/500"));
    expect(error).toMatchObject({ code: "http-status", status: 500 });
    expect(error.message).toContain(`${server.url("/500")} answered 500`);
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it("passes on Retry-After of a 429 in seconds and of a 503 as a date", async () => {
    const tooMany = await failure(get("/429"));
    expect(tooMany).toMatchObject({ code: "http-status", status: 429, retryAfterSeconds: 120 });
    expect(tooMany.message).toContain("wait 120 s");
    const unavailable = await failure(get("/503"));
    expect(unavailable.status).toBe(503);
    expect(unavailable.retryAfterSeconds).toBeGreaterThan(500);
    expect(unavailable.retryAfterSeconds).toBeLessThanOrEqual(600);
  });

  it("says a 404 feed is gone", async () => {
    server.route("/gone", status(404));
    const error = await failure(get("/gone"));
    expect(error.message).toContain("update or remove the source");
  });

  it("parses Retry-After forms and caps absurd waits", () => {
    const now = Date.parse("2025-01-23T10:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30);
    expect(parseRetryAfter(" 30 ", now)).toBe(30);
    expect(parseRetryAfter("Thu, 23 Jan 2025 10:05:00 GMT", now)).toBe(300);
    expect(parseRetryAfter("Thu, 23 Jan 2025 09:05:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("999999999", now)).toBe(7 * 24 * 3600);
  });
});

describe("the private-address guard", () => {
  it("refuses a literal loopback address unless the source is local", async () => {
    const error = await failure(get("/feed.rss", { local: false }));
    expect(error.code).toBe("blocked-address");
    expect(error.message).toContain("local: true");
    expect(ok(await get("/feed.rss", { local: true })).body.toString()).toBe(SAMPLE_FEED);
  });

  it("refuses a name that resolves to loopback", async () => {
    const before = server.requests.length;
    const error = await failure(get(`http://localhost:${server.port}/feed.rss`, { local: false }));
    expect(error.code).toBe("blocked-address");
    expect(server.requests.length).toBe(before);
  });

  it("refuses IPv6 and IPv4-mapped loopback literals", async () => {
    for (const host of ["[::1]", "[::ffff:127.0.0.1]"]) {
      const error = await failure(get(`http://${host}:${server.port}/feed.rss`, { local: false }));
      expect(error.code, host).toBe("blocked-address");
    }
  });

  it("refuses a redirect hop into a private address", async () => {
    // 127.0.0.1 plays the public site; 127.0.0.2 the internal one the redirect aims at.
    const internal = await startEvilServer({ host: "127.0.0.2" });
    try {
      server.route("/to-internal", redirect(internal.url("/feed.rss")));
      const publicIsFine = (address: string) => address !== "127.0.0.1";
      const error = await failure(get("/to-internal", { local: false, isBlockedAddress: publicIsFine }));
      expect(error.code).toBe("blocked-address");
      expect(error.message).toContain(internal.url("/feed.rss"));
      expect(internal.requests).toEqual([]);
      // The same redirect is followed for a local source.
      expect(ok(await get("/to-internal", { local: true })).url).toBe(internal.url("/feed.rss"));
    } finally {
      await internal.close();
    }
  });
});

describe("TLS", () => {
  it("applies the connect timeout to a TLS handshake that never completes", async () => {
    // TCP is accepted but the ClientHello is never answered: the connection is not made, so the connect timeout fires.
    // It reads (and ignores) what arrives, so it sees the client hang up.
    const mute = createNetServer((socket) => socket.resume().on("error", () => {}));
    await new Promise<void>((resolve) => mute.listen(0, "127.0.0.1", resolve));
    try {
      const port = (mute.address() as AddressInfo).port;
      const error = await failure(get(`https://127.0.0.1:${port}/feed.rss`, { connectTimeoutMs: 300, timeoutMs: 10_000 }));
      expect(error.code).toBe("timeout");
      expect(error.message).toContain("no connection within 300 ms (fetch.connectTimeoutMs)");
    } finally {
      await new Promise((resolve) => mute.close(resolve));
    }
  });

  it("refuses an untrusted certificate with code tls", async () => {
    const dir = join(REPO_ROOT, "test/fetch/fixtures/tls");
    const tls = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => res.end(SAMPLE_FEED));
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    try {
      const port = (tls.address() as AddressInfo).port;
      const error = await failure(get(`https://127.0.0.1:${port}/feed.rss`));
      expect(error.code).toBe("tls");
      expect(error.message).toContain("check the certificate");
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});
