import { createScheduler } from "../schedule/index.js";
import { ServiceMetrics } from "../serve/index.js";
import type { App } from "./app.js";
import { runCycle } from "./run-cycle.js";
import { startHttpServer, untilAborted } from "./serve-command.js";

/** How long SIGTERM waits for a refresh in flight before giving up on it. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `start`: serve the feeds over HTTP, refresh every source now, then each on
 * its own schedule, until SIGTERM/SIGINT. Then: stop scheduling, let the
 * refresh in flight finish (bounded), close the server.
 */
export async function startCommand(app: App, out: NodeJS.WritableStream, signal: AbortSignal): Promise<number> {
  const metrics = new ServiceMetrics();
  const scheduler = createScheduler({
    sources: app.config.sources,
    jitterSeconds: app.config.schedule.jitterSeconds,
    getState: (id) => app.store.getSourceState(id),
    runBatch: async (sources) => {
      await runCycle(app, sources, { metrics });
    },
    onSkip: (_id, reason) => metrics.recordSkip(reason),
    logger: app.logger,
  });
  const { server } = await startHttpServer(app, metrics, out);
  void scheduler.runNow();
  scheduler.start();
  out.write(`feed-enricher: ${app.config.sources.length} source(s) scheduled; feeds in ${app.config.feedsDir}\n`);
  await untilAborted(signal);
  app.logger.info({ active: scheduler.active() }, "schedule: stopping; waiting for the refresh in flight");
  const drained = await scheduler.stop(SHUTDOWN_GRACE_MS);
  if (!drained)
    app.logger.warn(`schedule: a refresh was still running after ${SHUTDOWN_GRACE_MS} ms; stopping anyway (published files are replaced atomically)`);
  await server.close();
  app.logger.info("serve: stopped");
  return 0;
}
