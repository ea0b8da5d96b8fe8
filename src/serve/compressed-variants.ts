import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

export type Coding = "br" | "gzip";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * The coding to answer with, from Accept-Encoding (RFC 9110 §12.5.3): brotli
 * when accepted, else gzip, else none. `q=0` refuses a coding; `*` accepts any.
 */
export function preferredCoding(header: string | undefined): Coding | undefined {
  if (header === undefined) return undefined;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number.parseFloat(q));
  }
  const wants = (c: string) => (accepted.get(c) ?? accepted.get("*") ?? 0) > 0;
  if (wants("br")) return "br";
  if (wants("gzip")) return "gzip";
  return undefined;
}

/**
 * Compressed copies of published files, made once per file version (keyed by
 * its strong ETag) instead of once per request. Bounded: when the total passes
 * `maxBytes` the cache starts over.
 */
export class CompressedVariants {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(maxBytes = 64 * 2 ** 20) {
    this.maxBytes = maxBytes;
  }

  get(path: string, etag: string, coding: Coding): Promise<Buffer> {
    const key = `${coding}\0${etag}\0${path}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const made = readFile(path).then((bytes) =>
      coding === "br"
        ? // Quality 5 is close to the best ratio for text at a fraction of quality 11's CPU.
          brotli(bytes, { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 5 } })
        : gz(bytes, { level: 6 }),
    );
    if (this.bytes > this.maxBytes) {
      this.cache.clear();
      this.bytes = 0;
    }
    this.cache.set(key, made);
    made.then(
      (b) => {
        this.bytes += b.length;
      },
      () => this.cache.delete(key),
    );
    return made;
  }
}
