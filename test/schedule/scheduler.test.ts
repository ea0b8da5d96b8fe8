import { describe, expect, it } from "vitest";
import type { Source, SourceState } from "../../src/model/index.js";
import { createScheduler, cronIntervalSeconds, dueCheck, nextRunAt } from "../../src/schedule/index.js";
import { silentLogger } from "../../src/shared/logger.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");

function source(id: string): Source {
  return { id, title: id, url: `http://127.0.0.1/${id}`, schedule: "*/15 * * * *", local: true, boilerplate: [] };
}

describe("dueCheck", () => {
  it("runs a source it knows nothing about", () => {
    expect(dueCheck(undefined, NOW)).toEqual({ due: true });
  });

  it("skips a tick before nextDue (backoff, Retry-After) and runs after it", () => {
    const state: SourceState = { sourceId: "a", consecutiveFailures: 3, nextDue: "2026-03-01T12:08:00.000Z" };
    expect(dueCheck(state, NOW)).toMatchObject({ due: false, reason: "backoff" });
    expect(dueCheck(state, new Date("2026-03-01T12:08:00.000Z"))).toEqual({ due: true });
  });

  it("never refreshes sooner than the interval the source asked for", () => {
    const state: SourceState = { sourceId: "a", consecutiveFailures: 0, lastFetch: "2026-03-01T11:40:00.000Z", minIntervalMinutes: 60 };
    expect(dueCheck(state, NOW)).toMatchObject({ due: false, reason: "min-interval", until: new Date("2026-03-01T12:40:00.000Z") });
    expect(dueCheck(state, new Date("2026-03-01T12:40:00.000Z"))).toEqual({ due: true });
  });

  it("allows the jitter as slack so an interval equal to the cron period is not skipped", () => {
    const state: SourceState = { sourceId: "a", consecutiveFailures: 0, lastFetch: "2026-03-01T11:45:10.000Z", minIntervalMinutes: 15 };
    expect(dueCheck(state, NOW, 30)).toEqual({ due: true });
    expect(dueCheck(state, NOW, 0).due).toBe(false);
  });
});

describe("cron intervals", () => {
  it("gives the shortest gap between runs", () => {
    expect(cronIntervalSeconds("*/15 * * * *")).toBe(900);
    expect(cronIntervalSeconds("*/2 * * * * *")).toBe(2);
    expect(cronIntervalSeconds("0 */6 * * *")).toBe(6 * 3600);
    expect(cronIntervalSeconds("0,5 * * * *")).toBe(300);
  });

  it("puts the next run after backoff", () => {
    const soon = nextRunAt("* * * * *", undefined);
    expect(soon).toBeInstanceOf(Date);
    const later = new Date(Date.now() + 3 * 3600_000);
    const next = nextRunAt("*/15 * * * *", { sourceId: "a", consecutiveFailures: 2, nextDue: later.toISOString() });
    expect(next!.getTime()).toBeGreaterThanOrEqual(later.getTime());
    expect(next!.getUTCMinutes() % 15).toBe(0);
  });
});

describe("the scheduler", () => {
  it("batches due sources into one run and skips a source that is still refreshing", async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const skips: string[] = [];
    const sources = [source("a"), source("b"), source("c")];
    const scheduler = createScheduler({
      sources,
      jitterSeconds: 0,
      getState: () => undefined,
      runBatch: async (batch) => {
        batches.push(batch.map((s) => s.id));
        await gate;
      },
      onSkip: (id, reason) => skips.push(`${id}:${reason}`),
      logger: silentLogger(),
    });
    const first = scheduler.runNow();
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([["a", "b", "c"]]);
    // A second request for a source that is running is an overlap, not a second run.
    const second = scheduler.runNow([sources[0]!]);
    expect(skips).toEqual(["a:overlap"]);
    expect(scheduler.active()).toEqual(["a", "b", "c"]);
    release();
    await first;
    await second;
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches[1] ?? []).toEqual([]);
    expect(await scheduler.stop(1000)).toBe(true);
  });

  it("skips sources backing off and stops without waiting for work that never started", async () => {
    const ran: string[] = [];
    const scheduler = createScheduler({
      sources: [source("ok"), source("failing")],
      jitterSeconds: 0,
      getState: (id) => (id === "failing" ? { sourceId: id, consecutiveFailures: 1, nextDue: new Date(Date.now() + 60_000).toISOString() } : undefined),
      runBatch: async (batch) => {
        ran.push(...batch.map((s) => s.id));
      },
      logger: silentLogger(),
    });
    await scheduler.runNow();
    expect(ran).toEqual(["ok"]);
    expect(await scheduler.stop(1000)).toBe(true);
  });

  it("reports a batch still running after the grace period", async () => {
    const scheduler = createScheduler({
      sources: [source("slow")],
      jitterSeconds: 0,
      getState: () => undefined,
      runBatch: () => new Promise<void>((r) => setTimeout(r, 400)),
      logger: silentLogger(),
    });
    void scheduler.runNow();
    await new Promise((r) => setTimeout(r, 20));
    expect(await scheduler.stop(10)).toBe(false);
  });
});
