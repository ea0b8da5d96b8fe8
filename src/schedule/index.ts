// Schedule stage: decides when each source is refreshed (cron per source, no
// overlap, jitter, backoff and the interval a source asks for) and batches the
// due sources so each output renders once. It must not fetch or render itself:
// the refresh is a callback.

export { cronIntervalSeconds } from "./cron-interval.js";
export { type DueCheck, dueCheck } from "./due-check.js";
export { nextRunAt } from "./next-run.js";
export { createScheduler, type Scheduler, type SchedulerOptions, type SkipReason } from "./scheduler.js";
