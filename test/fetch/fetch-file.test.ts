import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FetchError, type FetchOptions, fetchSource } from "../../src/fetch/index.js";
import type { Source } from "../../src/model/index.js";

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
  it.each([0, 1, 4095, 4096, 70_001, 1_500_000])("reads a %i-byte file whole, byte for byte", async (size) => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
    const file = join(dir, `f-${size}.xml`);
    writeFileSync(file, bytes);
    const fetched = await fetchSource(source(file), {}, options(2_000_000));
    expect(fetched.status).toBe("ok");
    if (fetched.status !== "ok") return;
    expect(fetched.body.equals(bytes)).toBe(true);
    expect(fetched.url).toBe(`file://${file}`);
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
