import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rebuildCommand } from "../../src/cli/rebuild-command.js";
import { startHttpServer } from "../../src/cli/serve-command.js";
import { sourceReports } from "../../src/cli/sources-command.js";
import { loadConfig } from "../../src/config/index.js";
import { ServiceMetrics } from "../../src/serve/index.js";
import { ConfigError } from "../../src/shared/errors.js";
import { SqliteStore } from "../../src/store/index.js";
import { contents, jsonIds, jsonItems, type StoreProject, storeProject } from "../store/store-project.js";

const DAY_MS = 86_400_000;
const T0 = new Date("2026-03-01T06:00:00.000Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY_MS);

/** The config with the given sources (their files are the ones storeProject wrote) and a grace period. */
function writeConfig(project: StoreProject, ids: string[], graceDays = 7): void {
  const sources = ids.map((id) => `  - id: ${id}\n    title: Source ${id}\n    file: sources/${id}.rss\n    language: en\n`).join("");
  // Port 0: a server a test starts listens on a free port.
  writeFileSync(project.configFile, `server:\n  host: 127.0.0.1\n  port: 0\nretention:\n  removedSourceGraceDays: ${graceDays}\nsources:\n${sources}`);
}

/** One `run` whose clock says `now`. */
function runAt(project: StoreProject, now: Date) {
  return project.run({ tune: (app) => (app.deps.now = () => now) });
}

const isFrom = (sourceId: string) => (id: string) => id.startsWith(`https://news.example.org/${sourceId}/`);

function storeCount(project: StoreProject, sourceId: string): number {
  const store = new SqliteStore(project.dbFile);
  try {
    return store.countEntries({ kind: "source", sourceId });
  } finally {
    store.close();
  }
}

describe("a source removed from the config", () => {
  let project: StoreProject;
  beforeEach(() => {
    project = storeProject(["alpha", "beta"]);
    writeConfig(project, ["alpha", "beta"]);
  });
  afterEach(() => project.cleanup());

  const feeds = () => project.feedsDir;
  const allIds = () => jsonIds(join(feeds(), "all.json"));
  const topicIds = () => jsonIds(join(feeds(), "topics/immigration.json"));

  it("leaves all.* and the topic feeds on the next run, loses its per-source files, and keeps its entries until the grace period ends", async () => {
    await runAt(project, T0);
    const before = contents(feeds());
    expect(allIds().filter(isFrom("beta"))).toHaveLength(10);
    expect(topicIds().some(isFrom("beta"))).toBe(true);
    for (const ext of ["rss", "atom", "json"]) expect(existsSync(join(feeds(), `sources/beta.${ext}`))).toBe(true);
    const alphaItems = jsonItems(join(feeds(), "sources/alpha.json"));
    const beforeIds = allIds();

    writeConfig(project, ["alpha"]);
    const report = await runAt(project, at(1));
    expect(report.publishError).toBeUndefined();
    const after = contents(feeds());

    // Combined and topic feeds hold only alpha's entries, under the ids they had.
    expect(allIds()).toEqual(jsonIds(join(feeds(), "sources/alpha.json")));
    expect(new Set(allIds())).toEqual(new Set(beforeIds.filter(isFrom("alpha"))));
    for (const topic of ["immigration", "military", "sport"]) {
      const ids = jsonIds(join(feeds(), `topics/${topic}.json`));
      expect(ids.length, topic).toBeGreaterThan(0);
      expect(ids.some(isFrom("beta")), topic).toBe(false);
    }
    // Alpha's own feed is untouched, byte for byte.
    for (const ext of ["rss", "atom", "json"]) expect(after.get(`sources/alpha.${ext}`)).toBe(before.get(`sources/alpha.${ext}`));
    expect(jsonItems(join(feeds(), "sources/alpha.json"))).toEqual(alphaItems);
    // Beta's per-source files are gone, and no listing points at them.
    for (const ext of ["rss", "atom", "json"]) expect(existsSync(join(feeds(), `sources/beta.${ext}`)), ext).toBe(false);
    expect(readFileSync(join(feeds(), "index.html"), "utf8")).not.toContain("sources/beta");
    expect(readFileSync(join(feeds(), "feeds.opml"), "utf8")).not.toContain("sources/beta");
    expect(before.get("feeds.opml")).toContain("sources/beta");

    // The entries are still stored, and `sources` says when they go.
    expect(storeCount(project, "beta")).toBe(10);
    const app = project.open();
    try {
      const beta = sourceReports(app).find((r) => r.id === "beta");
      expect(beta?.removed).toEqual({ since: at(1).toISOString(), dropOn: at(8).toISOString() });
      expect(beta?.entries).toBe(10);
    } finally {
      app.close();
    }

    // A later run inside the grace period changes nothing, and deletes a per-source
    // file that came back (a crash between the store's commit and the deletion).
    writeFileSync(join(feeds(), "sources/beta.json"), before.get("sources/beta.json")!);
    const quiet = await runAt(project, at(7));
    expect(quiet.changedFiles).toEqual([]);
    expect(existsSync(join(feeds(), "sources/beta.json"))).toBe(false);
    expect(storeCount(project, "beta")).toBe(10);

    // Once the grace period has passed, the entries are deleted; the published files do not change.
    const dropped = await runAt(project, at(8));
    expect(dropped.changedFiles).toEqual([]);
    expect(storeCount(project, "beta")).toBe(0);
    expect(contents(feeds())).toEqual(after);
    const app2 = project.open();
    try {
      expect(sourceReports(app2).map((r) => r.id)).toEqual(["alpha"]);
      expect(app2.store.getSourceState("beta")).toBeUndefined();
    } finally {
      app2.close();
    }
  });

  it("its per-source feeds answer 410 Gone while its entries are kept, then 404", async () => {
    await runAt(project, T0);
    writeConfig(project, ["alpha"]);
    await runAt(project, at(1));
    const statuses = async () => {
      const app = project.open();
      const { server, url } = await startHttpServer(app, new ServiceMetrics(), new PassThrough());
      try {
        const paths = ["sources/beta.rss", "sources/beta.json", "sources/alpha.atom", "sources/never-configured.rss", "sources/beta.html"];
        return Object.fromEntries(await Promise.all(paths.map(async (p) => [p, (await fetch(new URL(p, url))).status] as const)));
      } finally {
        await server.close();
        app.close();
      }
    };
    expect(await statuses()).toEqual({
      "sources/beta.rss": 410,
      "sources/beta.json": 410,
      "sources/alpha.atom": 200,
      "sources/never-configured.rss": 404,
      "sources/beta.html": 404,
    });
    await runAt(project, at(8));
    expect((await statuses())["sources/beta.rss"]).toBe(404);
  });

  it("comes back with its history and ids when added back before the grace period ends", async () => {
    await runAt(project, T0);
    const before = contents(feeds());

    writeConfig(project, ["alpha"]);
    await runAt(project, at(1));
    expect(allIds().some(isFrom("beta"))).toBe(false);

    writeConfig(project, ["alpha", "beta"]);
    const back = await runAt(project, at(5));
    expect(back.publishError).toBeUndefined();
    // Every file is back to the bytes it had before the removal: same entries, same ids, same dates.
    expect(contents(feeds())).toEqual(before);
    expect(storeCount(project, "beta")).toBe(10);

    // The clock was reset: removing it again starts a new grace period, counted from then.
    writeConfig(project, ["alpha"]);
    await runAt(project, at(6));
    await runAt(project, at(12));
    expect(storeCount(project, "beta")).toBe(10);
    await runAt(project, at(13));
    expect(storeCount(project, "beta")).toBe(0);
  });

  it("keeps the entries of a mistyped id, and fixing the typo restores them", async () => {
    await runAt(project, T0);
    const before = contents(feeds());

    writeConfig(project, ["alpha", "bteta"]);
    // The mistyped source reads beta's file (same url), so the same stories arrive under a second source id.
    writeFileSync(join(project.configDir, "sources", "bteta.rss"), readFileSync(project.sourceFile("beta"), "utf8"));
    await runAt(project, at(1));
    expect(storeCount(project, "beta")).toBe(10);

    writeConfig(project, ["alpha", "beta"]);
    await runAt(project, at(2));
    expect(contents(feeds())).toEqual(new Map([...before]));
    expect(storeCount(project, "beta")).toBe(10);
    const app = project.open();
    try {
      expect(sourceReports(app).find((r) => r.id === "bteta")?.removed?.dropOn).toBe(at(9).toISOString());
    } finally {
      app.close();
    }
  });

  it("`rebuild` after removing it gives the feeds the next run would", async () => {
    await runAt(project, T0);
    writeConfig(project, ["alpha"]);
    const app = project.open();
    try {
      app.deps.now = () => at(1);
      expect(rebuildCommand(app, new PassThrough())).toBe(0);
    } finally {
      app.close();
    }
    expect(allIds().some(isFrom("beta"))).toBe(false);
    expect(allIds()).toEqual(jsonIds(join(feeds(), "sources/alpha.json")));
    expect(existsSync(join(feeds(), "sources/beta.rss"))).toBe(false);
    expect(storeCount(project, "beta")).toBe(10);
    const rebuilt = contents(feeds());
    const next = await runAt(project, at(2));
    expect(next.changedFiles).toEqual([]);
    expect(contents(feeds())).toEqual(rebuilt);
  });

  it("a paused source (enabled: false) is not a removed one", async () => {
    await runAt(project, T0);
    writeFileSync(
      project.configFile,
      "retention:\n  removedSourceGraceDays: 0\nsources:\n" +
        "  - id: alpha\n    file: sources/alpha.rss\n    language: en\n" +
        "  - id: beta\n    file: sources/beta.rss\n    language: en\n    enabled: false\n",
    );
    await runAt(project, at(30));
    expect(storeCount(project, "beta")).toBe(10);
    expect(allIds().some(isFrom("beta"))).toBe(true);
  });

  it("a config that fails to load prunes nothing", async () => {
    writeConfig(project, ["alpha", "beta"], 0);
    await runAt(project, T0);
    const before = contents(feeds());
    // A misspelt key and a missing source list: the config does not load, so nothing runs.
    writeFileSync(project.configFile, "retention:\n  removedSourceGraceDays: 0\nsorces:\n  - id: alpha\n    file: sources/alpha.rss\n");
    expect(() => loadConfig(project.configFile)).toThrow(ConfigError);
    await expect(runAt(project, at(1))).rejects.toThrow(ConfigError);
    expect(storeCount(project, "alpha")).toBe(10);
    expect(storeCount(project, "beta")).toBe(10);
    expect(contents(feeds())).toEqual(before);
  });

  it("with a grace period of 0 days, the first run without it deletes its entries", async () => {
    writeConfig(project, ["alpha", "beta"], 0);
    await runAt(project, T0);
    const alphaIds = jsonIds(join(feeds(), "sources/alpha.json"));
    writeConfig(project, ["alpha"], 0);
    await runAt(project, at(0.01));
    expect(storeCount(project, "beta")).toBe(0);
    expect(allIds()).toEqual(alphaIds);
    expect(existsSync(join(feeds(), "sources/beta.json"))).toBe(false);
  });
});
