import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { type TempProject, tempProject } from "../helpers/temp-project.js";
import { rssFeed, type ServiceProcess, startService, startTestServer, type TestServer } from "./service-process.js";

describe("feed-enricher serve as a child process", () => {
  let project: TempProject;
  let source: TestServer;
  let service: ServiceProcess;
  let requests = 0;

  beforeAll(async () => {
    source = await startTestServer((_req, res) => {
      requests++;
      res.writeHead(200, { "content-type": "application/rss+xml" }).end(rssFeed("wire", 3));
    });
    project = tempProject(`publicBaseUrl: http://feeds.test/
runtimeDir: run
feedsDir: feeds
server:
  host: 127.0.0.1
  port: 0
schedule:
  default: "* * * * * *"
sources:
  - id: wire
    url: ${source.url}feed.rss
    local: true
  - id: never-fetched
    url: ${source.url}other.rss
    local: true
`);
    const app = buildApp(loadConfig(project.configFile), silentLogger());
    try {
      await runCycle(app, [app.config.sources[0]!]);
    } finally {
      app.close();
    }
    service = await startService("serve", project.configFile);
  }, 40_000);

  afterAll(async () => {
    await service?.stop("SIGKILL");
    await source?.close();
    project?.cleanup();
  });

  it("serves the feeds and the store's health without refreshing", async () => {
    const rss = await fetch(`${service.url}all.rss`);
    expect(rss.status).toBe(200);
    expect(await rss.text()).toContain("wire story 3");
    const health = await fetch(`${service.url}healthz`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as { status: string; sources: Array<{ id: string; status: string; lastSuccess: string | null }> };
    expect(report.sources.map((s) => [s.id, s.status])).toEqual([
      ["wire", "ok"],
      ["never-fetched", "pending"],
    ]);
    // The schedule fires every second, but serve never refreshes: only the run above fetched.
    await new Promise((r) => setTimeout(r, 1500));
    expect(requests).toBe(1);
    expect(await service.stop("SIGTERM")).toBe(0);
    expect(service.output()).not.toMatch(/"result":"(updated|unchanged|not-modified)"/);
  }, 30_000);
});
