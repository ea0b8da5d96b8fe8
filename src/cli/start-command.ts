import cron, { type ScheduledTask } from "node-cron";
import type { App } from "./app.js";
import { runCycle } from "./run-cycle.js";

/**
 * `start`: refresh now, then each source on its own cron schedule until
 * SIGTERM/SIGINT. A source never runs twice at once.
 */
export async function startCommand(app: App, out: NodeJS.WritableStream, signal: AbortSignal): Promise<number> {
  const running = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  const refresh = (ids: string[]) => {
    const sources = app.config.sources.filter((s) => ids.includes(s.id) && !running.has(s.id));
    if (sources.length === 0) return;
    for (const s of sources) running.add(s.id);
    const p = runCycle(app, sources)
      .catch((error) => app.logger.error({ err: error }, "refresh: cycle failed"))
      .finally(() => {
        for (const s of sources) running.delete(s.id);
        inFlight.delete(p);
      });
    inFlight.add(p);
  };
  refresh(app.config.sources.map((s) => s.id));
  const tasks: ScheduledTask[] = app.config.sources.map((s) => cron.schedule(s.schedule, () => refresh([s.id]), { noOverlap: true }));
  out.write(`feed-enricher: ${app.config.sources.length} source(s) scheduled; feeds in ${app.config.feedsDir}\n`);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  for (const t of tasks) await t.stop();
  await Promise.all(inFlight);
  return 0;
}
