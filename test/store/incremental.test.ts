import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SqliteStore } from "../../src/store/index.js";
import { itemLink, jsonIds, makeItems, mtimes, rssFeed, type StoreProject, storeProject } from "./store-project.js";

let project: StoreProject | undefined;
afterEach(() => project?.cleanup());

function storedEntry(p: StoreProject, sourceId: string, n: number) {
  const store = new SqliteStore(p.dbFile);
  try {
    return store.latest({ kind: "source", sourceId }, 10_000).find((e) => e.link === itemLink(sourceId, n));
  } finally {
    store.close();
  }
}

describe("incremental refresh from a file source rewritten between runs", () => {
  it("writes nothing when nothing changed: same bytes skip parsing, same content skips the entry", async () => {
    project = storeProject(["alpha", "beta"]);
    const first = await project.run();
    expect(first.results.map((r) => r.status)).toEqual(["updated", "updated"]);
    const before = mtimes(project.feedsDir);
    expect(before.size).toBeGreaterThan(10);

    // Identical bytes: the source is reported unchanged (returned before parsing), no file is touched.
    const second = await project.run();
    expect(second.results.map((r) => r.status)).toEqual(["unchanged", "unchanged"]);
    expect(second.changedFiles).toEqual([]);
    expect(mtimes(project.feedsDir)).toEqual(before);

    // Different bytes, same content: parsed, but every content hash matches, so no entry and no file changes.
    project.writeSource("alpha", makeItems(10), "\t");
    const third = await project.run();
    expect(third.results[0]).toMatchObject({ status: "updated", newEntries: 0, updatedEntries: 0 });
    expect(third.changedFiles).toEqual([]);
    expect(mtimes(project.feedsDir)).toEqual(before);
  });

  it("keeps a settled file's signature with its bytes, and reads the file again only when the signature changes", async () => {
    project = storeProject(["alpha"]);
    const p = project;
    const etag = () => {
      const store = new SqliteStore(p.dbFile);
      try {
        return store.getSourceState("alpha")?.etag;
      } finally {
        store.close();
      }
    };
    expect((await p.run()).results[0]?.status).toBe("updated");
    // Just written: its times could still be shared with a second write, so no signature is kept.
    expect(etag()).toBeUndefined();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 5000);
      expect((await p.run()).results[0]?.status).toBe("unchanged");
      const signature = etag();
      expect(signature).toMatch(/^file /);
      expect((await p.run()).results[0]?.status).toBe("unchanged");
      expect(etag()).toBe(signature);
      p.writeSource("alpha", makeItems(11));
      const changed = await p.run();
      expect(changed.results[0]).toMatchObject({ status: "updated", newEntries: 1 });
      expect(etag()).not.toBe(signature);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps the id of a changed story, bumps its updated date and re-renders only the outputs that hold it", async () => {
    project = storeProject(["alpha", "beta"]);
    await project.run();
    const before = mtimes(project.feedsDir);
    const original = storedEntry(project, "alpha", 1);
    expect(original?.topics.map((t) => t.id)).toContain("immigration");

    const items = makeItems(10);
    items[1] = { ...items[1]!, body: `${items[1]!.body} Officials later corrected the figures.` };
    project.writeSource("alpha", items);
    const report = await project.run();
    expect(report.results[0]).toMatchObject({ status: "updated", newEntries: 0, updatedEntries: 1 });

    const changed = storedEntry(project, "alpha", 1);
    expect(changed?.id).toBe(original?.id);
    expect(changed?.updated).toBeDefined();
    expect(changed?.updated).not.toBe(original?.updated);
    expect(changed?.contentHtml).toContain("corrected the figures");

    const after = mtimes(project.feedsDir);
    const rewritten = [...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
    // all.*, sources/alpha.* and the topics of the story; nothing of beta, no unrelated topic.
    expect(rewritten).toEqual(expect.arrayContaining(["all.json", "sources/alpha.json", "topics/immigration.json"]));
    expect(rewritten.filter((k) => k.startsWith("sources/beta"))).toEqual([]);
    expect(rewritten.filter((k) => k.startsWith("topics/sport") || k.startsWith("topics/military"))).toEqual([]);
    expect(report.changedFiles.map((f) => f.slice(project!.feedsDir.length + 1)).sort()).toEqual(rewritten.filter((k) => k !== "feeds.opml"));
  });

  it("keeps publishing stories that left the source feed", async () => {
    project = storeProject(["alpha"]);
    await project.run();
    const all = join(project.feedsDir, "all.json");
    const ids = jsonIds(all);
    expect(ids).toHaveLength(10);

    // The feed loses half its items and gains two new ones.
    project.writeSource("alpha", [...makeItems(5, { start: 5 }), ...makeItems(2, { start: 10 })]);
    const report = await project.run();
    expect(report.results[0]).toMatchObject({ status: "updated", newEntries: 2, updatedEntries: 0 });
    const after = jsonIds(all);
    expect(after).toHaveLength(12);
    expect(after).toEqual(expect.arrayContaining(ids));
    expect(jsonIds(join(project.feedsDir, "sources/alpha.json"))).toEqual(expect.arrayContaining(ids));
  });

  it("asks an HTTP source with its validators and skips everything on 304", async () => {
    const body = rssFeed("web", makeItems(6));
    let requests = 0;
    let conditional = 0;
    const server: Server = createServer((req, res) => {
      requests++;
      if (req.headers["if-none-match"] === '"v1"') {
        conditional++;
        res.writeHead(304, { etag: '"v1"' });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/rss+xml", etag: '"v1"' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      project = storeProject([]);
      // Replace the file sources with one HTTP source on this machine.
      const { writeFileSync } = await import("node:fs");
      writeFileSync(project.configFile, `sources:\n  - id: web\n    url: http://127.0.0.1:${port}/feed.rss\n    local: true\n`);
      const first = await project.run();
      expect(first.results[0]).toMatchObject({ status: "updated", newEntries: 6 });
      const before = mtimes(project.feedsDir);
      const second = await project.run();
      expect(second.results[0]?.status).toBe("not-modified");
      expect(conditional).toBe(1);
      expect(requests).toBe(2);
      expect(second.changedFiles).toEqual([]);
      expect(mtimes(project.feedsDir)).toEqual(before);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
