import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
