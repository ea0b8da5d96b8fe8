import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  etag: string;
}

export interface FileTag {
  etag: string;
  mtime: Date;
  size: number;
}

/**
 * Strong entity tags (RFC 9110 §8.8.3) from a hash of the file's bytes, so a
 * re-render that writes the same bytes keeps the same tag and readers keep
 * getting 304. The hash is recomputed only when the inode, size or mtime
 * change (the writers replace files by rename, which gives a new inode).
 */
export class StrongEtags {
  private readonly cache = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(maxEntries = 10_000) {
    this.maxEntries = maxEntries;
  }

  /** The tag of a regular file, or undefined when it is missing or not a file. */
  async tagFor(path: string): Promise<FileTag | undefined> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const cached = this.cache.get(path);
    if (cached && cached.ino === st.ino && cached.size === st.size && cached.mtimeMs === st.mtimeMs) {
      return { etag: cached.etag, mtime: st.mtime, size: st.size };
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    const etag = `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(path, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, etag });
    return { etag, mtime: st.mtime, size: st.size };
  }
}

/**
 * Which of the If-None-Match tags matches (undefined for none). It uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are
 * ignored, and a tag we suffixed for a content coding ("…-gzip", "…-br")
 * matches its identity tag.
 */
export function noneMatchHits(header: string, etag: string): string | undefined {
  if (header.trim() === "*") return etag;
  const bare = etag.replace(/^W\//, "");
  for (const raw of header.split(",")) {
    const token = raw.trim().replace(/^W\//, "");
    // The matching token is returned: a 304 repeats the tag of the representation the client holds.
    if (token.replace(/-(gzip|br|deflate)"$/, '"') === bare) return token;
  }
  return undefined;
}
