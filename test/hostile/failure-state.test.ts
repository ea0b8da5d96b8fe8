import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type App, buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import type { SourceState } from "../../src/model/index.js";
import type { RefreshResult } from "../../src/refresh/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { conditional, type EvilServer, rssFeed, sendBody, startEvilServer, status } from "../helpers/evil-server.js";
import { type TempProject, tempProject } from "../helpers/temp-project.js";

/** What a source remembers across failures: backoff, Retry-After, and the validators of the last good fetch. */

const FEED = rssFeed("Backoff", [{ title: "Harbour reopens after the storm", link: "https://news.example.com/backoff/1" }]);

let server: EvilServer;
let project: TempProject;
let app: App;
beforeEach(async () => {
  server = await startEvilServer();
  project = tempProject(
    `outputs:\n  perTopic: false\nschedule:\n  maxBackoffMinutes: 10\nsources:\n  - id: flaky\n    url: ${server.url("/src")}\n    local: true\n`,
  );
  app = buildApp(loadConfig(project.configFile), silentLogger());
});
afterEach(async () => {
  app.close();
  await server.close();
  project.cleanup();
});

async function cycle(): Promise<{ result: RefreshResult; state: SourceState; startedMs: number }> {
  const startedMs = Date.now();
  const report = await runCycle(app, app.config.sources);
  return { result: report.results[0]!, state: app.store.getSourceState("flaky")!, startedMs };
}

const minutesUntil = (iso: string | undefined, fromMs: number) => (Date.parse(iso ?? "") - fromMs) / 60_000;

describe("a failing source", () => {
  it("backs off longer after each consecutive failure, up to the cap, and starts over after a success", async () => {
    server.route("/src", status(500));
    const waits: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const { result, state, startedMs } = await cycle();
      expect(result).toMatchObject({ status: "failed", code: "http-status" });
      expect(state.consecutiveFailures).toBe(i);
      waits.push(minutesUntil(state.nextDue, startedMs));
    }
    // 2, 4, 8 minutes, then the 10-minute cap (schedule.maxBackoffMinutes).
    expect(waits.map(Math.round)).toEqual([2, 4, 8, 10]);

    server.route("/src", sendBody(FEED));
    const { result, state } = await cycle();
    expect(result.status).toBe("updated");
    expect(state.consecutiveFailures).toBe(0);
    expect(state.nextDue).toBeUndefined();
    expect(state.lastErrorCode).toBeUndefined();
  });

  it("waits as long as Retry-After asks when that is longer than the backoff", async () => {
    server.route("/src", status(429, { "retry-after": "3600" }));
    const { result, state, startedMs } = await cycle();
    expect(result).toMatchObject({ status: "failed", code: "http-status", retryAfterSeconds: 3600 });
    expect(Math.round(minutesUntil(state.nextDue, startedMs))).toBe(60);
  });

  it("keeps the validators of the last good fetch through a failure and sends them back", async () => {
    server.route("/src", conditional(FEED, '"good"'));
    expect((await cycle()).state.etag).toBe('"good"');

    // A broken answer with validators of its own must not replace the good ones.
    server.route("/src", sendBody("<html><body>maintenance</body></html>", { "content-type": "text/html", etag: '"maintenance"' }));
    const failed = await cycle();
    expect(failed.result).toMatchObject({ status: "failed", code: "not-a-feed" });
    expect(failed.state.etag).toBe('"good"');

    server.route("/src", conditional(FEED, '"good"'));
    const recovered = await cycle();
    expect(recovered.result.status).toBe("not-modified");
    expect(recovered.state.lastErrorCode).toBeUndefined();
    const conditionalHeaders = server.requests.map((r) => r.headers["if-none-match"]);
    expect(conditionalHeaders).toEqual([undefined, '"good"', '"good"']);
  });
});
