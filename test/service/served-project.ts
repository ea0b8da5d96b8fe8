import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { createServer, healthReport, listen, ServiceMetrics } from "../../src/serve/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { type TempProject, tempProject } from "../helpers/temp-project.js";
import { rssFeed, startTestServer, type TestServer } from "./service-process.js";

/** A title that would run script if the index page did not escape it. */
export const HOSTILE_TITLE = `Troops <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> at the border`;

export interface ServedProject {
  project: TempProject;
  source: TestServer;
  server: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * Two sources on a local HTTP server, refreshed once through the real
 * pipeline, and the feeds folder served by the real HTTP server.
 */
export async function servedProject(): Promise<ServedProject> {
  const hostile = rssFeed("hostile", 1).replace(
    /<title>hostile story 1[^<]*<\/title>/,
    `<title>${HOSTILE_TITLE.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</title>`,
  );
  const bodies: Record<string, string> = {
    "/wire.rss": rssFeed("wire", 12),
    "/economy.rss": rssFeed("markets", 6, "economy inflation trade tariffs"),
    "/hostile.rss": hostile,
  };
  const source = await startTestServer((req, res) => {
    const body = bodies[req.url ?? ""];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" }).end(body);
  });
  const project = tempProject(`publicBaseUrl: http://127.0.0.1:1/
runtimeDir: run
feedsDir: feeds
sources:
  - id: wire
    title: Wire Service
    url: ${source.url}wire.rss
    local: true
  - id: markets
    title: Markets Daily
    url: ${source.url}economy.rss
    local: true
  - id: hostile
    title: ${JSON.stringify(HOSTILE_TITLE)}
    url: ${source.url}hostile.rss
    local: true
`);
  const app = buildApp(loadConfig(project.configFile), silentLogger());
  try {
    await runCycle(app, app.config.sources);
  } finally {
    app.close();
  }
  const server = await createServer({
    feedsDir: project.feedsDir,
    maxAgeSeconds: 900,
    metrics: new ServiceMetrics({ processMetrics: false }),
    logger: silentLogger(),
    health: () => healthReport([], [], () => undefined),
  });
  const url = await listen(server, "127.0.0.1", 0);
  return {
    project,
    source,
    server,
    url,
    close: async () => {
      await server.close();
      await source.close();
      project.cleanup();
    },
  };
}
