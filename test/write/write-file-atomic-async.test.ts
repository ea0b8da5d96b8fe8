import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WriteError, writeFileAtomic, writeFileAtomicAsync } from "../../src/write/index.js";

describe("writeFileAtomicAsync", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("replaces changed bytes, leaves identical ones untouched, and leaves no temp file", async () => {
    dir = mkdtempSync(join(tmpdir(), "fe-write-async-"));
    const path = join(dir, "topics", "all.rss");
    expect(await writeFileAtomicAsync(path, "abcdef")).toBe(true);
    const old = new Date("2020-01-01T00:00:00Z");
    utimesSync(path, old, old);
    expect(await writeFileAtomicAsync(path, "abcdef")).toBe(false);
    expect(statSync(path).mtimeMs).toBe(old.getTime());
    expect(await writeFileAtomicAsync(path, "abcdeX")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("abcdeX");
    expect(await writeFileAtomicAsync(path, Buffer.from("longer content é"))).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("longer content é");
    // The synchronous writer sees the same bytes as the same file.
    expect(writeFileAtomic(path, "longer content é")).toBe(false);
    expect(readdirSync(join(dir, "topics"))).toEqual(["all.rss"]);
  });

  it("writes many files at once, each complete, and defers the folder fsync when asked", async () => {
    dir = mkdtempSync(join(tmpdir(), "fe-write-async-"));
    const renamedIn = new Set<string>();
    const texts = Array.from({ length: 40 }, (_, i) => `file ${i} `.repeat(1000 + i));
    const changed = await Promise.all(texts.map((t, i) => writeFileAtomicAsync(join(dir!, `f${i}.json`), t, { deferDirSync: renamedIn })));
    expect(changed.every(Boolean)).toBe(true);
    expect(texts.map((_, i) => readFileSync(join(dir!, `f${i}.json`), "utf8"))).toEqual(texts);
    expect([...renamedIn]).toEqual([dir]);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("gives the synchronous writer's coded error when a file stands where the folder should be", async () => {
    dir = mkdtempSync(join(tmpdir(), "fe-write-async-"));
    writeFileSync(join(dir, "sources"), "not a folder");
    const path = join(dir, "sources", "a.rss");
    const error = await writeFileAtomicAsync(path, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).code).toBe("not-writable");
    let syncError: unknown;
    try {
      writeFileAtomic(path, "x");
    } catch (e) {
      syncError = e;
    }
    expect((error as Error).message).toBe((syncError as Error).message);
  });
});
