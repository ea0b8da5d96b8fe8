import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedProject, servedProject } from "./served-project.js";

const NEWSBOAT = "/usr/bin/newsboat";

const hasNewsboat = existsSync(NEWSBOAT);
if (!hasNewsboat) console.warn(`newsboat test skipped: ${NEWSBOAT} is missing (apt-get install newsboat)`);

describe.skipIf(!hasNewsboat)("newsboat subscribed to served feeds", () => {
  let served: ServedProject;
  let home: string;

  beforeAll(async () => {
    served = await servedProject();
    home = mkdtempSync(join(tmpdir(), "feed-enricher-newsboat-"));
  }, 60_000);

  afterAll(async () => {
    await served?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it.each(["rss", "atom"])("reads every entry of all.%s over HTTP", async (format) => {
    const dir = join(home, format);
    const urls = join(dir, "urls");
    const config = join(dir, "config");
    const cache = join(dir, "cache.db");
    mkdirSync(dir, { recursive: true });
    const feed = `${served.url}all.${format}`;
    writeFileSync(urls, `${feed}\n`);
    writeFileSync(config, "download-timeout 10\nreload-threads 1\n");
    // Asynchronous: the server answering newsboat runs in this process.
    await promisify(execFile)(NEWSBOAT, ["-u", urls, "-c", cache, "-C", config, "-x", "reload"], {
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir },
      timeout: 30_000,
    });
    const db = new Database(cache, { readonly: true });
    try {
      const rows = db.prepare("SELECT title, url, guid FROM rss_item WHERE feedurl = ?").all(feed) as Array<{ title: string; url: string; guid: string }>;
      // 12 wire + 6 markets + 1 hostile entry.
      expect(rows.length).toBe(19);
      expect(new Set(rows.map((r) => r.guid)).size).toBe(19);
      expect(rows.map((r) => r.title)).toContain("wire story 12 about immigration border troops");
      expect(rows.every((r) => r.url.startsWith("https://news.example/"))).toBe(true);
      expect(rows.some((r) => r.title.includes("\uFFFD"))).toBe(false);
    } finally {
      db.close();
    }
  });
});
