import { existsSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/write/index.js";
import { assertWellFormed } from "../helpers/xml.js";
import { runCli } from "../store/cli-process.js";
import { contents, itemLink, jsonItems, makeItems, type StoreProject, storeProject } from "../store/store-project.js";

let project: StoreProject;
afterEach(() => project.cleanup());

/** The source's story 1 gets new text: a change every output of the story must show. */
function changeStory(p: StoreProject): void {
  const items = makeItems(10);
  items[1] = { ...items[1]!, body: `${items[1]!.body} A correction was issued.` };
  p.writeSource("alpha", items);
}

function showsChange(file: string): boolean {
  const item = jsonItems(file).find((i) => i.url === itemLink("alpha", 1));
  return JSON.stringify(item).includes("A correction was issued");
}

function tempFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".tmp"));
}

function expectWellFormed(dir: string): void {
  for (const [path, text] of contents(dir)) {
    if (path.endsWith(".json")) expect(() => JSON.parse(text), path).not.toThrow();
    else if (/\.(rss|atom|opml)$/.test(path)) assertWellFormed(text);
  }
}

describe("faults: each gives a coded error, leaves the published files intact and heals on the next run", () => {
  it("a feeds folder that cannot be written (a file stands where a folder should be)", async () => {
    project = storeProject(["alpha"]);
    await project.run();
    changeStory(project);
    const sourcesDir = join(project.feedsDir, "sources");
    renameSync(sourcesDir, `${sourcesDir}.aside`);
    writeFileSync(sourcesDir, "not a folder");

    const failed = await project.run();
    expect(failed.results[0]).toMatchObject({ status: "updated", updatedEntries: 1 });
    expect(failed.publishError?.code).toBe("not-writable");
    expect(failed.publishError?.message).toContain(sourcesDir);

    rmSync(sourcesDir);
    renameSync(`${sourcesDir}.aside`, sourcesDir);
    const before = contents(project.feedsDir);
    expect(showsChange(join(sourcesDir, "alpha.json"))).toBe(false);
    // The source did not change again: only the outputs left pending by the failed run are rendered.
    const healed = await project.run();
    expect(healed.results[0]?.status).toBe("unchanged");
    expect(healed.publishError).toBeUndefined();
    expect(showsChange(join(sourcesDir, "alpha.json"))).toBe(true);
    const after = contents(project.feedsDir);
    expect([...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort()).toEqual([
      // The index page lists the latest entries: the failed run never got to it.
      "index.html",
      "sources/alpha.atom",
      "sources/alpha.json",
      "sources/alpha.rss",
    ]);
  });

  it("a full disk (a write that fails with ENOSPC half-way)", async () => {
    project = storeProject(["alpha"]);
    await project.run();
    const published = contents(project.feedsDir);
    changeStory(project);
    let attempts = 0;
    const failed = await project.run({
      tune: (app) => {
        app.publish.writeFile = (path, content) =>
          writeFileAtomic(path, content, {
            writeSync: (fd, data, offset, length) => {
              attempts++;
              writeSync(fd, data, offset, Math.floor(length / 2));
              throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
            },
          });
      },
    });
    expect(attempts).toBe(1);
    expect(failed.publishError?.code).toBe("disk-full");
    expect(failed.publishError?.message).toMatch(/disk is full/);
    expect(contents(project.feedsDir)).toEqual(published);
    expect(tempFiles(project.feedsDir)).toEqual([]);

    const healed = await project.run();
    expect(healed.publishError).toBeUndefined();
    expect(showsChange(join(project.feedsDir, "all.json"))).toBe(true);
    expect(showsChange(join(project.feedsDir, "topics/immigration.json"))).toBe(true);
    expectWellFormed(project.feedsDir);
  });

  it("a database another connection holds a write transaction on", async () => {
    project = storeProject(["alpha"]);
    await project.run();
    const published = contents(project.feedsDir);
    changeStory(project);
    const other = new Database(project.dbFile);
    other.exec("BEGIN IMMEDIATE");
    other.prepare("UPDATE sources SET last_error_message = 'held' WHERE id = 'alpha'").run();
    let failed: Awaited<ReturnType<StoreProject["run"]>>;
    try {
      failed = await project.run({ busyTimeoutMs: 50 });
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(failed.results[0]).toMatchObject({ status: "failed", code: "locked" });
    if (failed.results[0]?.status === "failed") expect(failed.results[0].message).toContain(project.dbFile);
    expect(contents(project.feedsDir)).toEqual(published);

    const healed = await project.run();
    expect(healed.results[0]).toMatchObject({ status: "updated", updatedEntries: 1 });
    expect(showsChange(join(project.feedsDir, "all.json"))).toBe(true);
  });

  it("a corrupted database: a clear error naming the file; moved aside, the next run rebuilds from the sources", { timeout: 180_000 }, async () => {
    project = storeProject(["alpha"]);
    await project.run();
    const published = contents(project.feedsDir);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${project.dbFile}${suffix}`, { force: true });
    writeFileSync(project.dbFile, Buffer.alloc(32 * 1024, "this is not a database "));

    const refused = await runCli(["run", "--config", project.configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`store: ${project.dbFile} is damaged`);
    expect(refused.stderr).toContain(`mv ${project.dbFile} ${project.dbFile}.broken`);
    expect(contents(project.feedsDir)).toEqual(published);

    renameSync(project.dbFile, `${project.dbFile}.broken`);
    const rebuilt = await runCli(["run", "--config", project.configFile]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(existsSync(project.dbFile)).toBe(true);
    expect(contents(project.feedsDir)).toEqual(published);
  });
});
