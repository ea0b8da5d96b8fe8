import { mkdirSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { nextRunAt } from "../schedule/index.js";
import { createServer, healthReport, listen, ServiceMetrics } from "../serve/index.js";
import { type App, refreshIntervalSeconds } from "./app.js";

export interface RunningServer {
  server: FastifyInstance;
  url: string;
}

/** Builds and starts the HTTP server of `serve` and `start`; prints where it listens. */
export async function startHttpServer(app: App, metrics: ServiceMetrics, out: NodeJS.WritableStream): Promise<RunningServer> {
  const { config } = app;
  mkdirSync(config.feedsDir, { recursive: true });
  const schedules = new Map(config.sources.map((s) => [s.id, s.schedule]));
  const known = new Set([...config.sources.map((s) => s.id), ...(config.disabledSourceIds ?? [])]);
  const server = await createServer({
    feedsDir: config.feedsDir,
    maxAgeSeconds: refreshIntervalSeconds(config),
    metrics,
    logger: app.logger,
    // Asked only when a per-source feed file is missing.
    removedSource: (id) => !known.has(id) && app.store.removedSources().some((r) => r.sourceId === id),
    health: () =>
      healthReport(
        config.sources.map((s) => s.id),
        app.store.listSourceStates(),
        (id, state) => nextRunAt(schedules.get(id) ?? config.schedule.default, state),
      ),
  });
  const url = await listen(server, config.server.host, config.server.port);
  app.logger.info({ url, feedsDir: config.feedsDir }, `serve: listening on ${url}`);
  out.write(`feed-enricher: listening on ${url} (feeds in ${config.feedsDir})\n`);
  return { server, url };
}

/** `serve`: publish the feeds folder over HTTP without refreshing, until SIGTERM/SIGINT. */
export async function serveCommand(app: App, out: NodeJS.WritableStream, signal: AbortSignal): Promise<number> {
  const metrics = new ServiceMetrics();
  const { server } = await startHttpServer(app, metrics, out);
  await untilAborted(signal);
  app.logger.info("serve: stopping");
  await server.close();
  return 0;
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
