import cron from "node-cron";
import type { SourceState } from "../model/index.js";

/**
 * When the source will next be refreshed: the first cron run that is not
 * skipped for backoff (`nextDue`) or for the interval the source asked for.
 */
export function nextRunAt(schedule: string, state: SourceState | undefined, now: Date = new Date()): Date | undefined {
  let notBefore = now.getTime();
  if (state?.nextDue !== undefined) notBefore = Math.max(notBefore, Date.parse(state.nextDue) || 0);
  if (state?.minIntervalMinutes && state.lastFetch !== undefined && state.consecutiveFailures === 0) {
    notBefore = Math.max(notBefore, (Date.parse(state.lastFetch) || 0) + state.minIntervalMinutes * 60_000);
  }
  const task = cron.createTask(schedule, () => undefined);
  try {
    // getNextRuns counts from the present and costs time per run: look a little further each round.
    for (const count of [4, 32, 256]) {
      const found = task.getNextRuns(count).find((run) => run.getTime() >= notBefore);
      if (found) return found;
    }
    return undefined;
  } finally {
    void task.destroy();
  }
}
