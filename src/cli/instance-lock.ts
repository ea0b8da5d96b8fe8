import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { FeedEnricherError } from "../shared/errors.js";

export class LockError extends FeedEnricherError {
  constructor(code: "held" | "io", message: string, options?: { cause?: unknown }) {
    super("lock", code, message, options);
  }
}

export interface InstanceLock {
  /** The lock file. */
  file: string;
  release(): void;
}

export interface LockOptions {
  /** Wait for the holder to finish instead of refusing. */
  wait: boolean;
  /** Which command holds the lock (shown to a second instance). */
  command: string;
  /** Told once when `wait` starts waiting. */
  onWait?: (message: string) => void;
  pollMs?: number;
  signal?: AbortSignal;
}

interface Owner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export const LOCK_FILE = "feed-enricher.lock";

function ownerFile(lockFile: string): string {
  return `${lockFile}.owner`;
}

function describeOwner(lockFile: string): string {
  try {
    const o = JSON.parse(readFileSync(ownerFile(lockFile), "utf8")) as Owner;
    return `another feed-enricher (pid ${o.pid} on ${o.host}, "${o.command}" since ${o.since})`;
  } catch {
    return "another feed-enricher";
  }
}

/**
 * Takes the lock, or returns undefined when another process holds it. The
 * lock is an exclusive SQLite transaction on a file of its own: the kernel
 * drops the underlying POSIX lock when the holder exits, even on SIGKILL, so a
 * killed process can never leave a stale lock behind (no timestamps, no
 * heartbeat that a long synchronous render could miss).
 */
function tryLock(file: string): Database.Database | undefined {
  const db = new Database(file, { timeout: 0 });
  try {
    // Rollback journal (not WAL): BEGIN EXCLUSIVE then takes the file's
    // EXCLUSIVE lock at once (https://sqlite.org/lockingv3.html).
    db.pragma("journal_mode = DELETE");
    db.exec("BEGIN EXCLUSIVE");
    return db;
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return undefined;
    throw error;
  }
}

/**
 * One writer per runtime folder: run, start, rebuild and retag hold this lock
 * for their whole life so two instances never interleave writes to the store
 * or the feeds folder. Read-only commands (sources, serve, tag, check) skip it.
 */
export async function acquireInstanceLock(runtimeDir: string, options: LockOptions): Promise<InstanceLock> {
  const file = join(runtimeDir, LOCK_FILE);
  let db: Database.Database | undefined;
  let told = false;
  for (;;) {
    try {
      mkdirSync(runtimeDir, { recursive: true });
      db = tryLock(file);
    } catch (error) {
      throw new LockError("io", `${file} could not be opened (${(error as Error).message}); check that ${runtimeDir} is writable`, { cause: error });
    }
    if (db !== undefined) break;
    const who = describeOwner(file);
    if (!options.wait) {
      throw new LockError(
        "held",
        `${who} is using ${runtimeDir} (lock ${file}); wait for it to finish, stop it, or pass --wait to start when it is done. ` +
          "The lock is released by the system when that process exits, so there is never a stale lock to delete.",
      );
    }
    if (!told) {
      options.onWait?.(`lock: ${who} is using ${runtimeDir}; waiting for it to finish (lock ${file})`);
      told = true;
    }
    if (options.signal?.aborted) throw new LockError("held", `gave up waiting for ${file}`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
  const owner: Owner = { pid: process.pid, host: hostname(), command: options.command, since: new Date().toISOString() };
  try {
    writeFileSync(ownerFile(file), `${JSON.stringify(owner)}\n`);
  } catch {
    // Only informational: the lock itself is held.
  }
  const held = db;
  return {
    file,
    release: () => {
      if (!held.open) return;
      rmSync(ownerFile(file), { force: true });
      held.close();
    },
  };
}
