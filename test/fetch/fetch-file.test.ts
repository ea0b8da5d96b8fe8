import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { FetchError, type FetchOptions, fetchSource } from "../../src/fetch/index.js";
import type { Source } from "../../src/model/index.js";
import { bodyFingerprint } from "../../src/shared/hash.js";

const dir = mkdtempSync(join(tmpdir(), "fe-fetch-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (maxBytes: number): FetchOptions => ({
  timeoutMs: 1000,
  connectTimeoutMs: 1000,
  maxBytes,
  maxRedirects: 0,
  userAgent: "test",
  allowPrivate: false,
});
const source = (file: string): Source => ({ id: "local", title: "local", file, schedule: "* * * * *", local: true, boilerplate: [] });

async function fetchError(file: string, maxBytes: number): Promise<FetchError> {
  const error = await fetchSource(source(file), {}, options(maxBytes)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

describe("fetchSource: file sources", () => {
  it.each([0, 1, 4095, 4096, 70_001, 1_500_000, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024, 5_000_000])("reads a %i-byte file whole, byte for byte", async (size) => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
    const file = join(dir, `f-${size}.xml`);
    writeFileSync(file, bytes);
    const fetched = await fetchSource(source(file), {}, options(6_000_000));
    expect(fetched.status).toBe("ok");
    if (fetched.status !== "ok") return;
    expect(fetched.body.equals(bytes)).toBe(true);
    expect(fetched.fingerprint).toBe(bodyFingerprint(bytes));
    expect(fetched.url).toBe(`file://${file}`);
  });

  it("answers unchanged for a file that still has the fingerprint it is asked with, and reads it when it changed", async () => {
    const file = join(dir, "validated.xml");
    writeFileSync(file, "<rss><channel><title>one</title></channel></rss>");
    const first = await fetchSource(source(file), {}, options(1000));
    if (first.status !== "ok") throw new Error(`expected ok, got ${first.status}`);
    expect(await fetchSource(source(file), { fingerprint: first.fingerprint! }, options(1000))).toEqual({ status: "unchanged", url: `file://${file}` });
    // Same length, other bytes: read again.
    writeFileSync(file, "<rss><channel><title>two</title></channel></rss>");
    const second = await fetchSource(source(file), { fingerprint: first.fingerprint! }, options(1000));
    expect(second.status === "ok" && second.body.toString()).toBe("<rss><channel><title>two</title></channel></rss>");
  });

  describe("the file's signature (its own ETag)", () => {
    /** Runs `fn` with the clock `seconds` ahead: the file written now looks that old. */
    async function later<T>(seconds: number, fn: () => Promise<T>): Promise<T> {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + seconds * 1000);
      try {
        return await fn();
      } finally {
        vi.useRealTimers();
      }
    }

    it("is given with the bytes of a file that last changed two seconds or more before the read, and not sooner", async () => {
      const file = join(dir, "signed.xml");
      writeFileSync(file, "<rss><channel><title>signed</title></channel></rss>");
      const fresh = await fetchSource(source(file), {}, options(1000));
      expect(fresh.status === "ok" && fresh.etag).toBeUndefined();
      const justUnder = await later(1.5, () => fetchSource(source(file), {}, options(1000)));
      expect(justUnder.status === "ok" && justUnder.etag).toBeUndefined();
      const settled = await later(3, () => fetchSource(source(file), {}, options(1000)));
      if (settled.status !== "ok") throw new Error(`expected ok, got ${settled.status}`);
      expect(settled.etag).toMatch(/^file \d+:\d+:\d+:\d+:\d+$/);
      // The same bytes read again once settled: "unchanged", with the signature to keep.
      const again = await later(3, () => fetchSource(source(file), { fingerprint: settled.fingerprint! }, options(1000)));
      expect(again).toEqual({ status: "unchanged", url: `file://${file}`, etag: settled.etag });
    });

    it("answers unchanged from the signature alone, without reading the file", async () => {
      const file = join(dir, "signed-unread.xml");
      writeFileSync(file, "<rss><channel><title>unread</title></channel></rss>");
      const settled = await later(3, () => fetchSource(source(file), {}, options(1000)));
      if (settled.status !== "ok" || settled.etag === undefined) throw new Error("expected a settled read");
      // A fingerprint no bytes have: had the file been read, it would be "ok".
      expect(await fetchSource(source(file), { fingerprint: "read me if you must", etag: settled.etag }, options(1000))).toEqual({
        status: "unchanged",
        url: `file://${file}`,
      });
    });

    it("is not trusted without the fingerprint validator (a changed taxonomy re-tags the same bytes), nor for another file's", async () => {
      const file = join(dir, "signed-alone.xml");
      writeFileSync(file, "<rss><channel><title>alone</title></channel></rss>");
      const settled = await later(3, () => fetchSource(source(file), {}, options(1000)));
      if (settled.status !== "ok" || settled.etag === undefined) throw new Error("expected a settled read");
      expect((await fetchSource(source(file), { etag: settled.etag }, options(1000))).status).toBe("ok");
      // An HTTP ETag left from when the source was a URL is no file signature.
      expect((await fetchSource(source(file), { fingerprint: "other", etag: '"abc"' }, options(1000))).status).toBe("ok");
    });

    it("changes with a write of the same size, so the new bytes are read", async () => {
      const file = join(dir, "signed-rewritten.xml");
      writeFileSync(file, "<rss><channel><title>one</title></channel></rss>");
      const settled = await later(3, () => fetchSource(source(file), {}, options(1000)));
      if (settled.status !== "ok" || settled.etag === undefined) throw new Error("expected a settled read");
      // Past the kernel's timestamp tick (up to 10 ms): within one, two writes can carry the same
      // times, the case the two-second rule covers (here skipped by the clock moved ahead).
      await new Promise((resolve) => setTimeout(resolve, 50));
      writeFileSync(file, "<rss><channel><title>two</title></channel></rss>");
      const next = await fetchSource(source(file), { fingerprint: settled.fingerprint!, etag: settled.etag }, options(1000));
      expect(next.status === "ok" && next.body.toString()).toBe("<rss><channel><title>two</title></channel></rss>");
    });
  });

  it("hands out bytes that later reads do not overwrite", async () => {
    const a = join(dir, "a.xml");
    const b = join(dir, "b.xml");
    writeFileSync(a, "A".repeat(3000));
    writeFileSync(b, "B".repeat(5000));
    const first = await fetchSource(source(a), {}, options(10_000));
    const second = await fetchSource(source(b), {}, options(10_000));
    await fetchSource(source(a), { fingerprint: "not this one" }, options(10_000));
    expect(first.status === "ok" && first.body.toString()).toBe("A".repeat(3000));
    expect(second.status === "ok" && second.body.toString()).toBe("B".repeat(5000));
  });

  it("refuses a file over the cap before reading it", async () => {
    const file = join(dir, "big.xml");
    writeFileSync(file, Buffer.alloc(2001, 0x41));
    expect((await fetchError(file, 2000)).code).toBe("too-large");
    const atCap = await fetchSource(source(file), {}, options(2001));
    expect(atCap.status === "ok" && atCap.body.length).toBe(2001);
  });

  it("says not-found for a missing file and io for a folder", async () => {
    expect((await fetchError(join(dir, "missing.xml"), 1000)).code).toBe("not-found");
    const folder = join(dir, "folder");
    mkdirSync(folder);
    expect((await fetchError(folder, 1_000_000)).code).toBe("io");
  });
});
