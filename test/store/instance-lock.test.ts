import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireInstanceLock, LockError } from "../../src/cli/instance-lock.js";
import { REPO_ROOT } from "../helpers/temp-project.js";
import { runCli, startNode, waitFor } from "./cli-process.js";
import { type StoreProject, storeProject } from "./store-project.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fe-lock-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("the instance lock", () => {
  it("refuses a second writer, naming the holder, the lock file and --wait", async () => {
    const dir = tempDir();
    const first = await acquireInstanceLock(dir, { wait: false, command: "run" });
    try {
      const error = await acquireInstanceLock(dir, { wait: false, command: "retag" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockError);
      expect(error).toMatchObject({ code: "held" });
      const message = (error as Error).message;
      expect(message).toContain(join(dir, "feed-enricher.lock"));
      expect(message).toContain(`pid ${process.pid}`);
      expect(message).toContain('"run"');
      expect(message).toContain("--wait");
    } finally {
      first.release();
    }
    // Released: the next writer gets it.
    (await acquireInstanceLock(dir, { wait: false, command: "run" })).release();
  });

  it("with wait, starts as soon as the holder is done", async () => {
    const dir = tempDir();
    const first = await acquireInstanceLock(dir, { wait: false, command: "start" });
    const told: string[] = [];
    let acquired = false;
    const second = acquireInstanceLock(dir, { wait: true, command: "run", pollMs: 20, onWait: (m) => told.push(m) }).then((l) => {
      acquired = true;
      return l;
    });
    await waitFor(() => told.length > 0, "the wait message");
    expect(acquired).toBe(false);
    expect(told[0]).toMatch(/waiting for it to finish/);
    first.release();
    (await second).release();
    expect(acquired).toBe(true);
  });

  it("is free again at once when its holder is killed (no stale lock)", async () => {
    const dir = tempDir();
    const script = join(dir, "hold-lock.mts");
    writeFileSync(
      script,
      `import { acquireInstanceLock } from ${JSON.stringify(join(REPO_ROOT, "src/cli/instance-lock.ts"))};\n` +
        `await acquireInstanceLock(${JSON.stringify(join(dir, "rt"))}, { wait: false, command: "run" });\n` +
        `console.log("held");\nsetInterval(() => {}, 1000);\n`,
    );
    const holder = startNode([], { script });
    await waitFor(() => holder.stdout().includes("held"), "the child to take the lock");
    await expect(acquireInstanceLock(join(dir, "rt"), { wait: false, command: "run" })).rejects.toMatchObject({ code: "held" });
    holder.child.kill("SIGKILL");
    await holder.done;
    (await acquireInstanceLock(join(dir, "rt"), { wait: false, command: "run" })).release();
  });
});

describe("feed-enricher with another instance running", () => {
  let project: StoreProject;
  afterEach(() => project.cleanup());

  it("refuses run, still answers sources, waits with --wait, and cleans up temp files left by a killed write", { timeout: 180_000 }, async () => {
    project = storeProject(["alpha"]);
    const runtimeDir = join(project.root, ".feed-enricher");
    const held = await acquireInstanceLock(runtimeDir, { wait: false, command: "start" });
    let released = false;
    try {
      const refused = await runCli(["run", "--config", project.configFile]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(join(runtimeDir, "feed-enricher.lock"));
      expect(refused.stderr).toContain("--wait");
      expect(existsSync(project.feedsDir)).toBe(false);

      const sources = await runCli(["sources", "--json", "--config", project.configFile]);
      expect(sources.code).toBe(0);
      expect(JSON.parse(sources.stdout)[0]).toMatchObject({ id: "alpha", entries: 0 });

      // A temp file as a killed atomic write leaves it.
      mkdirSync(join(project.feedsDir, "topics"), { recursive: true });
      const leftover = join(project.feedsDir, "topics", ".sport.rss.4242.1795870000000.tmp");
      writeFileSync(leftover, "<rss><chan");
      const waiting = startNode(["run", "--wait", "--config", project.configFile]);
      await waitFor(() => waiting.stderr().includes("waiting for it to finish"), "the waiting message");
      expect(existsSync(join(project.feedsDir, "all.rss"))).toBe(false);
      held.release();
      released = true;
      const finished = await waiting.done;
      expect(finished.code).toBe(0);
      expect(existsSync(join(project.feedsDir, "all.rss"))).toBe(true);
      expect(existsSync(leftover)).toBe(false);
    } finally {
      if (!released) held.release();
    }
  });
});
