import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** `.all.rss.12345.1732790000000.tmp`: what the atomic writer leaves when killed between write and rename. */
const TEMP_FILE = /^\..+\.\d+\.\d+\.tmp$/;

/**
 * Deletes temp files left in the feeds folder by a writer that was killed.
 * Call it only while holding the instance lock: then no live writer owns them.
 * Returns the paths removed.
 */
export function removeStaleTempFiles(feedsDir: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string) => {
    let names: import("node:fs").Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      const path = join(dir, d.name);
      if (d.isDirectory()) walk(path);
      else if (d.isFile() && TEMP_FILE.test(d.name)) {
        rmSync(path, { force: true });
        removed.push(path);
      }
    }
  };
  walk(feedsDir);
  return removed.sort();
}
