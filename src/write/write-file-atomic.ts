import { closeSync, writeSync as fsWriteSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FeedEnricherError } from "../shared/errors.js";

export class WriteError extends FeedEnricherError {
  constructor(code: "not-writable" | "disk-full" | "io", message: string, options?: { cause?: unknown }) {
    super("write", code, message, options);
  }
}

function sameBytes(path: string, data: Buffer): boolean {
  try {
    const current = readFileSync(path);
    return current.equals(data);
  } catch {
    return false;
  }
}

/**
 * Replaces `path` with `data` atomically: temp file in the same folder, fsync,
 * rename, fsync of the folder. A reader sees the old file or the new one, never
 * half of one. Returns false (and touches nothing) when the bytes are the same.
 */
/** Low-level calls a test can replace to simulate a full disk or an I/O error. */
export interface AtomicWriteIo {
  writeSync?: (fd: number, data: Buffer, offset: number, length: number) => number;
}

export function writeFileAtomic(path: string, content: string | Buffer, io: AtomicWriteIo = {}): boolean {
  const writeSync = io.writeSync ?? fsWriteSync;
  const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  if (sameBytes(path, data)) return false;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, "w", 0o644);
    try {
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    try {
      const dfd = openSync(dir, "r");
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
    }
    return true;
  } catch (error) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is the problem (ENOTDIR, EACCES): there is no temp file to remove.
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new WriteError("disk-full", `${path}: the disk is full; the published file is unchanged; free space and the next run writes it`, { cause: error });
    }
    if (code === "ENOTDIR" || code === "EEXIST") {
      throw new WriteError("not-writable", `${dir} is not a folder (${code}); move the file in its way or set feedsDir; the published files are unchanged`, {
        cause: error,
      });
    }
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new WriteError("not-writable", `${dir} is not writable (${code}); fix its permissions; the published file is unchanged`, { cause: error });
    }
    throw new WriteError("io", `${path} could not be written (${code ?? (error as Error).message}); the published file is unchanged`, { cause: error });
  }
}
