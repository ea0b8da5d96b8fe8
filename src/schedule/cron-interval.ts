import cron from "node-cron";

/**
 * The shortest gap, in seconds, between consecutive runs of a cron expression
 * (over its next dozen runs). Used for RSS `<ttl>` and `Cache-Control:
 * max-age`, so readers poll no more often than the feeds can change.
 */
export function cronIntervalSeconds(expression: string): number {
  // createTask does not start the task: it only computes dates.
  const task = cron.createTask(expression, () => undefined, { timezone: "UTC" });
  try {
    const runs = task.getNextRuns(12).map((d) => d.getTime());
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, runs[i]! - runs[i - 1]!);
    return Number.isFinite(shortest) ? Math.max(1, Math.round(shortest / 1000)) : 24 * 3600;
  } finally {
    void task.destroy();
  }
}
