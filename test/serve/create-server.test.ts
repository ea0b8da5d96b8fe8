import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, createServer, healthReport, listen, ServiceMetrics } from "../../src/serve/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { decodedBody, rawRequest } from "./http-client.js";

const SECRET = "TOP-SECRET-OUTSIDE-FEEDS";
// Big enough to pass the compression threshold (1 KiB).
const RSS = `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>${"<item><title>é entry</title></item>".repeat(80)}</channel></rss>\n`;

describe("the HTTP server", () => {
  let dir: string;
  let server: FastifyInstance;
  let base: string;
  const metrics = new ServiceMetrics({ processMetrics: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "feed-enricher-serve-"));
    const feeds = join(dir, "feeds");
    mkdirSync(join(feeds, "topics"), { recursive: true });
    writeFileSync(join(dir, "secret.txt"), SECRET);
    writeFileSync(join(feeds, "all.rss"), RSS);
    writeFileSync(join(feeds, "all.atom"), RSS.replace("rss", "feed"));
    writeFileSync(join(feeds, "all.json"), JSON.stringify({ version: "https://jsonfeed.org/version/1.1", title: "t", items: [] }));
    writeFileSync(join(feeds, "feeds.opml"), '<?xml version="1.0"?><opml version="2.0"/>');
    writeFileSync(join(feeds, "index.html"), "<!doctype html><title>index</title>");
    writeFileSync(join(feeds, ".all.rss.123.tmp"), "half a feed");
    symlinkSync(join(dir, "secret.txt"), join(feeds, "leak.rss"));
    symlinkSync(dir, join(feeds, "topics", "up"));
    server = await createServer({
      feedsDir: feeds,
      maxAgeSeconds: 900,
      metrics,
      logger: silentLogger(),
      requestTimeoutMs: 1500,
      health: () =>
        healthReport(
          ["a", "b"],
          [
            { sourceId: "a", consecutiveFailures: 0, lastSuccess: "2026-01-01T00:00:00.000Z" },
            { sourceId: "b", consecutiveFailures: 2, lastErrorCode: "http-status", lastErrorMessage: "b: fetch: 500", lastFetch: "2026-01-01T00:00:00.000Z" },
          ],
          () => new Date("2026-01-01T00:15:00.000Z"),
        ),
    });
    base = await listen(server, "127.0.0.1", 0);
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["/all.rss", "application/rss+xml; charset=utf-8"],
    ["/all.atom", "application/atom+xml; charset=utf-8"],
    ["/all.json", "application/feed+json; charset=utf-8"],
    ["/feeds.opml", "text/x-opml; charset=utf-8"],
    ["/", "text/html; charset=utf-8"],
  ])("serves %s as %s with validators, caching and a CSP", async (path, type) => {
    const res = await rawRequest(base, path);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(type);
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers["last-modified"]).toBeTruthy();
    expect(res.headers["cache-control"]).toBe("public, max-age=900");
    expect(res.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("answers 304 to If-None-Match and If-Modified-Since, 200 to a stale tag", async () => {
    const first = await rawRequest(base, "/all.rss");
    const etag = String(first.headers.etag);
    const byTag = await rawRequest(base, "/all.rss", { headers: { "if-none-match": etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers.etag).toBe(etag);
    const byWeakList = await rawRequest(base, "/all.rss", { headers: { "if-none-match": `"nope", W/${etag}` } });
    expect(byWeakList.status).toBe(304);
    const byDate = await rawRequest(base, "/all.rss", { headers: { "if-modified-since": String(first.headers["last-modified"]) } });
    expect(byDate.status).toBe(304);
    const byDateGzip = await rawRequest(base, "/all.rss", {
      headers: { "if-modified-since": String(first.headers["last-modified"]), "accept-encoding": "gzip" },
    });
    expect(byDateGzip.status).toBe(304);
    const older = await rawRequest(base, "/all.rss", { headers: { "if-modified-since": "Thu, 01 Jan 2015 00:00:00 GMT", "accept-encoding": "gzip" } });
    expect(older.status).toBe(200);
    const stale = await rawRequest(base, "/all.rss", { headers: { "if-none-match": '"stale"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.toString("utf8")).toBe(RSS);
  });

  it("compresses with gzip and brotli, with a distinct strong tag per coding", async () => {
    const plain = await rawRequest(base, "/all.rss");
    for (const coding of ["gzip", "br"]) {
      const res = await rawRequest(base, "/all.rss", { headers: { "accept-encoding": coding } });
      expect(res.status).toBe(200);
      expect(res.headers["content-encoding"]).toBe(coding);
      expect(res.headers.vary).toBe("Accept-Encoding");
      expect(decodedBody(res)).toBe(RSS);
      expect(res.headers.etag).toBe(`${String(plain.headers.etag).slice(0, -1)}-${coding}"`);
      const again = await rawRequest(base, "/all.rss", { headers: { "accept-encoding": coding, "if-none-match": String(res.headers.etag) } });
      expect(again.status).toBe(304);
      expect(again.headers.etag).toBe(res.headers.etag);
    }
  });

  it("negotiates the coding (q=0 refuses one) and compresses each file version once, with a length", async () => {
    const res = await rawRequest(base, "/all.rss", { headers: { "accept-encoding": "br;q=0, gzip;q=0.5" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers["content-length"]).toBe(String(res.body.length));
    expect(decodedBody(res)).toBe(RSS);
    const none = await rawRequest(base, "/all.rss", { headers: { "accept-encoding": "identity" } });
    expect(none.headers["content-encoding"]).toBeUndefined();
    expect(none.body.toString("utf8")).toBe(RSS);
    const head = await rawRequest(base, "/all.rss", { method: "HEAD", headers: { "accept-encoding": "br" } });
    expect(head.status).toBe(200);
    expect(head.headers["content-encoding"]).toBe("br");
    expect(head.body.length).toBe(0);
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await rawRequest(base, "/all.atom", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/atom+xml; charset=utf-8");
    expect(res.headers.etag).toBeTruthy();
    expect(res.body.length).toBe(0);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])("refuses %s with 405 and Allow", async (method) => {
    const res = await rawRequest(base, "/all.rss", { method });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD");
  });

  it.each([
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..%2fsecret.txt",
    "/topics/..%2f..%2fsecret.txt",
    "/%252e%252e/secret.txt",
    "/all.rss%00",
    "/all.rss%00.html",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/leak.rss",
    "/topics/up/secret.txt",
    "/.all.rss.123.tmp",
    "/%ZZ",
  ])("never leaks a file outside feeds/ for %s", async (path) => {
    const res = await rawRequest(base, path);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body.toString("utf8")).not.toContain(SECRET);
    expect(res.body.toString("utf8")).not.toContain("half a feed");
  });

  it("refuses a very long URL with 414", async () => {
    const res = await rawRequest(base, `/${"a".repeat(5000)}`);
    expect(res.status).toBe(414);
  });

  it("keeps answering while slow clients hold connections, and drops them after the request timeout", async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const s = connect(Number(new URL(base).port), "127.0.0.1", () => {
              s.write("GET /all.rss HTTP/1.1\r\nHost: x\r\n");
              resolve(s);
            });
            s.on("error", () => undefined);
          }),
      ),
    );
    const res = await rawRequest(base, "/all.json");
    expect(res.status).toBe(200);
    // Never completing its headers, each slow client is answered 408 or cut off.
    const closed = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<boolean>((resolve) => {
            s.on("close", () => resolve(true));
            // A paused socket never reports its end: read (and drop) what the server says.
            s.resume();
          }),
      ),
    );
    expect(closed.every(Boolean)).toBe(true);
  });

  it("reports health: 200 while some source works", async () => {
    const res = await rawRequest(base, "/healthz");
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString("utf8"));
    expect(body.status).toBe("degraded");
    expect(body.sources[1]).toMatchObject({ id: "b", status: "failing", lastError: { code: "http-status" }, nextRun: "2026-01-01T00:15:00.000Z" });
  });

  it("exposes Prometheus metrics including HTTP requests by status", async () => {
    metrics.recordRefresh({ sourceId: "a", status: "updated", durationMs: 120, newEntries: 3, updatedEntries: 1 });
    metrics.recordRefresh({ sourceId: "b", status: "failed", durationMs: 50, code: "timeout" });
    const res = await rawRequest(base, "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    const text = res.body.toString("utf8");
    expect(text).toMatch(/feed_enricher_http_requests_total\{method="GET",status="200"\} \d+/);
    expect(text).toMatch(/feed_enricher_http_requests_total\{method="POST",status="405"\} 1/);
    expect(text).toContain('feed_enricher_refreshes_total{source="b",result="failed",code="timeout"} 1');
    expect(text).toContain('feed_enricher_entries_seen_total{source="a",kind="new"} 3');
    expect(text).toContain("feed_enricher_refresh_duration_seconds_bucket");
  });
});

describe("health when every source fails", () => {
  it("is 503", async () => {
    const dir = mkdtempSync(join(tmpdir(), "feed-enricher-serve-"));
    const server = await createServer({
      feedsDir: dir,
      maxAgeSeconds: 60,
      metrics: new ServiceMetrics({ processMetrics: false }),
      logger: silentLogger(),
      health: () => healthReport(["a"], [{ sourceId: "a", consecutiveFailures: 1, lastErrorCode: "timeout" }], () => undefined),
    });
    try {
      const base = await listen(server, "127.0.0.1", 0);
      const res = await rawRequest(base, "/healthz");
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body.toString("utf8")).status).toBe("failing");
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
