import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TempProject, tempProject } from "../helpers/temp-project.js";
import { assertWellFormed } from "../helpers/xml.js";
import { rssFeed, type ServiceProcess, startService, startTestServer, type TestServer } from "./service-process.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const SLOW_MS = 1500;

describe("feed-enricher start as a child process", () => {
  let project: TempProject;
  let steady: TestServer;
  let slow: TestServer;
  let hub: TestServer;
  let service: ServiceProcess;
  const steadyRequests: Array<string | undefined> = [];
  const hubPings: string[] = [];
  let slowInFlight = 0;
  let slowMaxInFlight = 0;
  let slowRequests = 0;

  beforeAll(async () => {
    steady = await startTestServer((req, res) => {
      steadyRequests.push(req.headers["if-none-match"]);
      if (req.headers["if-none-match"] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' }).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/rss+xml", etag: '"v1"' }).end(rssFeed("steady", 5));
    });
    slow = await startTestServer((_req, res) => {
      slowRequests++;
      slowInFlight++;
      slowMaxInFlight = Math.max(slowMaxInFlight, slowInFlight);
      setTimeout(() => {
        slowInFlight--;
        res.writeHead(200, { "content-type": "application/rss+xml" }).end(rssFeed("slow", 4, "military troops"));
      }, SLOW_MS);
    });
    hub = await startTestServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        hubPings.push(`${req.method} ${req.headers["content-type"]} ${body}`);
        res.writeHead(204).end();
      });
    });
    project = tempProject(`publicBaseUrl: http://feeds.test/
runtimeDir: run
feedsDir: feeds
server:
  host: 127.0.0.1
  port: 0
outputs:
  hub: ${hub.url}
schedule:
  default: "* * * * * *"
  jitterSeconds: 0
sources:
  - id: steady
    url: ${steady.url}feed.rss
    local: true
  - id: slow
    url: ${slow.url}feed.rss
    local: true
`);
    service = await startService("start", project.configFile);
  }, 40_000);

  afterAll(async () => {
    await service?.stop("SIGKILL");
    await Promise.all([steady?.close(), slow?.close(), hub?.close()]);
    project?.cleanup();
  });

  it("refreshes at start and on schedule, and a 304 short-circuits", async () => {
    await service.waitFor(/"source":"steady","result":"updated"/);
    await service.waitFor(/"source":"steady","result":"not-modified"/);
    // The second request carried the validator the first response gave.
    expect(steadyRequests[0]).toBeUndefined();
    expect(steadyRequests.slice(1)).toContain('"v1"');
  }, 30_000);

  it("skips the ticks of a source that is still refreshing (no overlap)", async () => {
    await service.waitFor(/"source":"slow","skipped":"overlap"/);
    await service.waitFor(/"source":"slow","result":"(updated|unchanged)"/);
    expect(slowMaxInFlight).toBe(1);
  }, 30_000);

  it("serves what it refreshed, with the hub link, and pinged the hub", async () => {
    await service.waitFor(/"source":"slow","result":"updated"/);
    await service.waitFor(/WebSub hub told about/);
    const rss = await fetch(`${service.url}all.rss`);
    expect(rss.status).toBe(200);
    expect(rss.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const body = await rss.text();
    expect(body).toContain("steady story 1");
    expect(body).toMatch(/<ttl>1<\/ttl>/);
    const atom = await (await fetch(`${service.url}sources/steady.atom`)).text();
    expect(atom).toContain(`rel="hub"`);
    expect(atom).toContain(hub.url);
    expect(hubPings.some((p) => p.startsWith("POST application/x-www-form-urlencoded hub.mode=publish&hub.url=http%3A%2F%2Ffeeds.test%2Fall.rss"))).toBe(true);
    const health = await fetch(`${service.url}healthz`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as { sources: Array<{ id: string; status: string; nextRun: string | null }> };
    expect(report.sources.map((s) => [s.id, s.status])).toEqual([
      ["steady", "ok"],
      ["slow", "ok"],
    ]);
    const metrics = await (await fetch(`${service.url}metrics`)).text();
    expect(metrics).toMatch(/feed_enricher_refreshes_total\{source="steady",result="not-modified",code=""\} [1-9]/);
    expect(metrics).toMatch(/feed_enricher_schedule_skips_total\{reason="overlap"\} [1-9]/);
  }, 30_000);

  it("on SIGTERM mid-refresh, finishes the refresh, exits 0 and leaves only whole files", async () => {
    // Wait for a slow refresh to be in flight.
    const before = slowRequests;
    while (slowInFlight === 0 || slowRequests === before) await new Promise((r) => setTimeout(r, 50));
    const code = await service.stop("SIGTERM");
    expect(code).toBe(0);
    const out = service.output();
    const stopping = out.indexOf("schedule: stopping");
    expect(stopping).toBeGreaterThan(0);
    // The refresh that was in flight was allowed to finish after the signal.
    expect(out.slice(stopping)).toMatch(/"source":"slow","result":"(updated|unchanged)"/);
    expect(out).toContain("serve: stopped");
    const files = filesUnder(project.feedsDir);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      if (/\.(rss|atom|opml)$/.test(f)) assertWellFormed(text);
      if (f.endsWith(".json")) expect(() => JSON.parse(text)).not.toThrow();
    }
    expect(files.some((f) => f.endsWith("index.html"))).toBe(true);
  }, 30_000);
});
