import type { SourceState } from "../model/index.js";

export type DueCheck = { due: true } | { due: false; reason: "backoff" | "min-interval"; until: Date };

/**
 * Whether a scheduled tick should refresh the source now. A tick is skipped
 * while the source is backing off after failures (`nextDue`, which honours
 * Retry-After, RFC 9110 §10.2.3) and while the interval the source asked for
 * has not passed since the last fetch (RSS `<ttl>`, sy:updatePeriod,
 * Cache-Control max-age). A small slack absorbs jitter so a source whose
 * interval equals its cron period is not skipped every other tick.
 */
export function dueCheck(state: SourceState | undefined, now: Date, slackSeconds = 0): DueCheck {
  if (state === undefined) return { due: true };
  const t = now.getTime();
  if (state.nextDue !== undefined) {
    const nextDue = Date.parse(state.nextDue);
    if (Number.isFinite(nextDue) && t < nextDue) return { due: false, reason: "backoff", until: new Date(nextDue) };
  }
  if (state.minIntervalMinutes !== undefined && state.minIntervalMinutes > 0 && state.lastFetch !== undefined && state.consecutiveFailures === 0) {
    const earliest = Date.parse(state.lastFetch) + state.minIntervalMinutes * 60_000 - slackSeconds * 1000;
    if (Number.isFinite(earliest) && t < earliest) return { due: false, reason: "min-interval", until: new Date(earliest) };
  }
  return { due: true };
}
