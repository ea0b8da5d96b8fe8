import { closeSync, fstatSync, writeSync as fsWriteSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync } from "node:fs";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { FeedEnricherError } from "../shared/errors.js";

export class WriteError extends FeedEnricherError {
  constructor(code: "not-writable" | "disk-full" | "io", message: string, options?: { cause?: unknown }) {
    super("write", code, message, options);
  }
}

function sameBytes(path: string, data: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    // A different size is a different file: most changed outputs are told
    // apart by one fstat, without reading the old bytes back.
    if (fstatSync(fd).size !== data.length) return false;
    const current = Buffer.allocUnsafe(data.length);
    let offset = 0;
    while (offset < data.length) {
      const n = readSync(fd, current, offset, data.length - offset, offset);
      if (n === 0) return false;
      offset += n;
    }
    return current.equals(data);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** fsync of a folder, so that the renames in it survive a power cut. */
export function syncDir(dir: string): void {
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
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
  /**
   * When given, the folder is added here instead of being fsynced at once: a
   * caller that writes many files fsyncs each folder once (syncDir) after the
   * last rename and before it records the files as published.
   */
  deferDirSync?: Set<string>;
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
    if (io.deferDirSync !== undefined) io.deferDirSync.add(dir);
    else syncDir(dir);
    return true;
  } catch (error) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is the problem (ENOTDIR, EACCES): there is no temp file to remove.
    }
    throw writeError(error, path, dir);
  }
}

/** The coded error for a failed write; the published file is unchanged in every case. */
function writeError(error: unknown, path: string, dir: string): WriteError {
  if (error instanceof WriteError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new WriteError("disk-full", `${path}: the disk is full; the published file is unchanged; free space and the next run writes it`, { cause: error });
  }
  if (code === "ENOTDIR" || code === "EEXIST") {
    return new WriteError("not-writable", `${dir} is not a folder (${code}); move the file in its way or set feedsDir; the published files are unchanged`, {
      cause: error,
    });
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new WriteError("not-writable", `${dir} is not writable (${code}); fix its permissions; the published file is unchanged`, { cause: error });
  }
  return new WriteError("io", `${path} could not be written (${code ?? (error as Error).message}); the published file is unchanged`, { cause: error });
}

async function sameBytesAsync(path: string, data: Buffer): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch {
    return false;
  }
  try {
    if ((await handle.stat()).size !== data.length) return false;
    const current = Buffer.allocUnsafe(data.length);
    let offset = 0;
    while (offset < data.length) {
      const { bytesRead } = await handle.read(current, offset, data.length - offset, offset);
      if (bytesRead === 0) return false;
      offset += bytesRead;
    }
    return current.equals(data);
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/** Temp names of writes in flight at once must differ even within one millisecond. */
let tempCounter = 0;

/**
 * writeFileAtomic on libuv's thread pool: the same steps (temp file in the
 * same folder, fsync, rename, folder fsync or `deferDirSync`) and the same
 * errors, but the caller's thread is free while the disk works, so a caller
 * that writes many files can render the next one meanwhile, and the pool
 * runs several fsyncs at once (the filesystem commits them together).
 */
export async function writeFileAtomicAsync(path: string, content: string | Buffer, io: Pick<AtomicWriteIo, "deferDirSync"> = {}): Promise<boolean> {
  const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  if (await sameBytesAsync(path, data)) return false;
  const dir = dirname(path);
  // Same shape as the synchronous writer's names (removeStaleTempFiles matches it): the counter makes the number unique.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now() * 1000 + (tempCounter++ % 1000)}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, "w", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    if (io.deferDirSync !== undefined) io.deferDirSync.add(dir);
    else syncDir(dir);
    return true;
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {
      // The folder itself is the problem (ENOTDIR, EACCES): there is no temp file to remove.
    });
    throw writeError(error, path, dir);
  }
}
