import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/cli/app.js";
import { acquireInstanceLock } from "../../src/cli/instance-lock.js";
import { rebuildCommand } from "../../src/cli/rebuild-command.js";
import { removeStaleTempFiles } from "../../src/cli/remove-stale-temp-files.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { REPO_ROOT } from "../helpers/temp-project.js";
import { assertWellFormed } from "../helpers/xml.js";
import { type Running, runCli, startNode, waitFor } from "../store/cli-process.js";
import { makeItems, type StoreProject, storeProject } from "../store/store-project.js";

const ITERATIONS = 20;
const SOURCES = ["s1", "s2", "s3"];
const WINDOW = 40;
const STEP = 10;

function publishedFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter(
    (f) => !f.split("/").some((part) => part.startsWith(".")) && /\.(json|rss|atom|opml)$/.test(f),
  );
}

/** Every published file parses; returns the ids of the JSON Feed items. */
function checkPublished(dir: string, context: string): Set<string> {
  const ids = new Set<string>();
  for (const f of publishedFiles(dir)) {
    const text = readFileSync(join(dir, f), "utf8");
    if (f.endsWith(".json")) {
      let feed: { items: Array<{ id: string }> };
      try {
        feed = JSON.parse(text);
      } catch (error) {
        throw new Error(`${context}: ${f} is not valid JSON: ${(error as Error).message}`);
      }
      for (const item of feed.items) ids.add(item.id);
    } else {
      try {
        assertWellFormed(text);
      } catch (error) {
        throw new Error(`${context}: ${f}: ${(error as Error).message}`);
      }
    }
  }
  return ids;
}

function tempFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".tmp"));
}

function storedIds(dbFile: string): Set<string> {
  const db = new Database(dbFile, { readonly: true });
  try {
    return new Set((db.prepare("SELECT id FROM entries").all() as Array<{ id: string }>).map((r) => r.id));
  } finally {
    db.close();
  }
}

function integrity(dbFile: string): string {
  // A read-write connection: opening runs SQLite's WAL recovery, as the next run would.
  const db = new Database(dbFile);
  try {
    return (db.pragma("integrity_check") as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

function writeSources(project: StoreProject, iteration: number): void {
  for (const [i, id] of SOURCES.entries()) {
    // A window that slides: old stories leave the feed, new ones arrive, one story is rewritten.
    const items = makeItems(WINDOW, { start: iteration * STEP + i * 7 });
    items[3] = { ...items[3]!, body: `${items[3]!.body} Revision ${iteration}.` };
    project.writeSource(id, items);
  }
}

let project: StoreProject | undefined;
const children: Running[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.child.kill("SIGKILL");
  project?.cleanup();
});

describe("SIGKILL at random moments during refreshes", () => {
  it("never damages the store or a published feed, and the next run completes without losing a published entry", { timeout: 600_000 }, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const rand = seededRandom(seed);
    const at = (i: number) => `seed ${seed}, iteration ${i}`;
    project = storeProject(SOURCES, "outputs:\n  maxItems: 30\nretention:\n  maxEntriesPerSource: 100000\n", () => []);
    const script = join(REPO_ROOT, "test/faults/crash-child.ts");
    const spawnChild = () => {
      const c = startNode([project!.configFile], { script });
      children.push(c);
      return c;
    };

    const everPublished = new Set<string>();
    let next = spawnChild();
    let fullRunMs = 0;
    let estimateMs = 0;
    let killedMidRun = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      writeSources(project, i);
      const child = next;
      await waitFor(() => child.stdout().includes("ready"), `${at(i)}: child ready`, 60_000);
      next = spawnChild();
      child.child.stdin?.write("go\n");
      if (i === 0) {
        // The first run completes: it publishes a baseline and measures how long a run takes here.
        const finished = await child.done;
        expect(finished.stdout, `${at(i)}: ${finished.stderr}`).toMatch(/done \d+ 0 -/);
        fullRunMs = Number(/done (\d+)/.exec(finished.stdout)![1]);
        estimateMs = fullRunMs;
      } else {
        const delayMs = Math.floor(rand() * estimateMs * 1.1);
        await Promise.race([child.done, new Promise((r) => setTimeout(r, delayMs))]);
        child.child.kill("SIGKILL");
        await child.done;
        const done = /done (\d+)/.exec(child.stdout());
        // A run that finished first shows how long an incremental run takes here: aim the next kills inside it.
        if (done) estimateMs = Number(done[1]);
        else killedMidRun++;
      }

      // After the kill: the database is sound and every published file is well-formed.
      expect(integrity(project.dbFile), at(i)).toBe("ok");
      for (const id of checkPublished(project.feedsDir, at(i))) everPublished.add(id);

      // The next run (the `run` command's steps, in this process) completes.
      const lock = await acquireInstanceLock(join(project.root, ".feed-enricher"), { wait: false, command: "run" });
      try {
        removeStaleTempFiles(project.feedsDir);
        const app = buildApp(loadConfig(project.configFile), silentLogger());
        try {
          const report = await runCycle(app, app.config.sources);
          expect(report.publishError, at(i)).toBeUndefined();
          expect(
            report.results.filter((r) => r.status === "failed"),
            at(i),
          ).toEqual([]);
          // What is published matches the store: a full re-render changes nothing.
          let out = "";
          rebuildCommand(app, { write: (s: string) => (out += s) } as unknown as NodeJS.WritableStream);
          expect(out, at(i)).toContain("; 0 file(s) changed");
        } finally {
          app.close();
        }
      } finally {
        lock.release();
      }
      expect(tempFiles(project.feedsDir), at(i)).toEqual([]);
      for (const id of checkPublished(project.feedsDir, at(i))) everPublished.add(id);
      const stored = storedIds(project.dbFile);
      const lost = [...everPublished].filter((id) => !stored.has(id));
      expect(lost, `${at(i)}: published entries missing from the store`).toEqual([]);
    }
    next.child.kill("SIGKILL");
    console.log(
      `crash test: seed ${seed}, a full run took ${fullRunMs} ms, an incremental one ${estimateMs} ms, ${killedMidRun} of ${ITERATIONS - 1} kills mid-run`,
    );
    // Some kills must have landed while a run was in progress, or the test proved nothing.
    expect(killedMidRun, `seed ${seed}`).toBeGreaterThanOrEqual(ITERATIONS / 4);

    // The real command, end to end, after all that.
    writeSources(project, ITERATIONS);
    const finalRun = await runCli(["run", "--config", project.configFile]);
    expect(finalRun.code, finalRun.stderr).toBe(0);
    checkPublished(project.feedsDir, "final run");
  });
});
