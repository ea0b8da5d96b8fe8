import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/model/index.js";
import { type OutputPlan, publishIndexPage } from "../../src/refresh/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { state, entry as storeEntry } from "./store-entries.js";

// Two feeds of one site (its "top stories" and its "world" feed) carry the same
// story under the same guid. Each source's own feed keeps its copy; the feeds
// that span sources (all, a topic) must hold one item per id, or readers keep
// one of the two and validators reject the feed.

/** Story `story` as source `sourceId` carries it: one id across sources, published `hour` hours into 2026. */
function entry(sourceId: string, story: number, hour: number, topics: string[] = ["sport"]): Entry {
  return {
    ...storeEntry(sourceId, story, topics, new Date(Date.UTC(2026, 0, 1, hour)).toISOString()),
    id: `https://news.example.org/story/${story}`,
    title: `${sourceId} story ${story}`,
    contentHash: `hash-${sourceId}-${story}-${hour}`,
  };
}

const titles = (entries: Entry[]) => entries.map((e) => e.title);

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fe-shared-ids-"));
  store = new SqliteStore(join(dir, "feed-enricher.db"));
  // Stories 5 to 9 in both feeds; "world" published each an hour later. Stories 1 and 2 only in "top".
  store.commit({ state: state("top"), upserts: [1, 2, 5, 6, 7, 8, 9].map((s) => entry("top", s, s * 2)) });
  store.commit({ state: state("world"), upserts: [5, 6, 7, 8, 9].map((s) => entry("world", s, s * 2 + 1)) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("outputs that span sources", () => {
  it("hold one entry per id, the newest copy, and still fill their limit with distinct entries", () => {
    const all = store.latest({ kind: "all" }, 4);
    expect(titles(all)).toEqual(["world story 9", "world story 8", "world story 7", "world story 6"]);
    // Past the shared stories, the limit is still met with distinct ones.
    const more = store.latest({ kind: "all" }, 7);
    expect(titles(more)).toEqual(["world story 9", "world story 8", "world story 7", "world story 6", "world story 5", "top story 2", "top story 1"]);
    expect(new Set(more.map((e) => e.id)).size).toBe(7);
    const topic = store.latest({ kind: "topic", topicId: "sport" }, 100);
    expect(topic).toHaveLength(7);
    expect(new Set(topic.map((e) => e.id)).size).toBe(7);
  });

  it("leave each source's own feed its copy", () => {
    expect(titles(store.latest({ kind: "source", sourceId: "top" }, 100))).toEqual([
      "top story 9",
      "top story 8",
      "top story 7",
      "top story 6",
      "top story 5",
      "top story 2",
      "top story 1",
    ]);
    expect(store.latest({ kind: "source", sourceId: "world" }, 100)).toHaveLength(5);
  });

  it("take the other copy when the newer one leaves the topic", () => {
    store.commit({ state: state("world"), upserts: [entry("world", 9, 19, ["weather"])] });
    expect(titles(store.latest({ kind: "topic", topicId: "sport" }, 1))).toEqual(["top story 9"]);
    expect(titles(store.latest({ kind: "all" }, 3))).toEqual(["world story 9", "world story 8", "world story 7"]);
  });
});

describe("countShown: what the index page says an output holds", () => {
  it("counts an id two sources share once in the outputs that span sources, up to the limit", () => {
    // 7 distinct stories in 12 rows.
    expect(store.countEntries({ kind: "all" })).toBe(12);
    expect(store.countShown({ kind: "all" }, 100)).toBe(7);
    expect(store.countShown({ kind: "all" }, 100)).toBe(store.latest({ kind: "all" }, 100).length);
    expect(store.countShown({ kind: "topic", topicId: "sport" }, 100)).toBe(7);
    expect(store.countShown({ kind: "all" }, 4)).toBe(4);
    expect(store.countShown({ kind: "topic", topicId: "sport" }, 3)).toBe(3);
    expect(store.countShown({ kind: "topic", topicId: "weather" }, 100)).toBe(0);
    expect(store.countShown({ kind: "source", sourceId: "world" }, 100)).toBe(5);
    expect(store.countShown({ kind: "source", sourceId: "top" }, 2)).toBe(2);
  });

  it("leaves out a source the config no longer lists", () => {
    store.reconcileSources(["top"], 7, new Date(Date.UTC(2026, 1, 1)));
    expect(store.countShown({ kind: "all" }, 100)).toBe(7);
    store.reconcileSources(["world"], 7, new Date(Date.UTC(2026, 1, 2)));
    expect(store.countShown({ kind: "all" }, 100)).toBe(5);
    expect(store.countShown({ kind: "topic", topicId: "sport" }, 100)).toBe(5);
  });
});

describe("the index page", () => {
  it("gives all.* and a topic the number of entries they show, each shared story once", () => {
    const plans: OutputPlan[] = [
      { selector: { kind: "all" }, path: "all", title: "Everything", description: "d", group: "All" },
      { selector: { kind: "topic", topicId: "sport" }, path: "topics/sport", title: "Sport", description: "d", group: "Topics" },
      { selector: { kind: "source", sourceId: "world" }, path: "sources/world", title: "World", description: "d", group: "Sources" },
    ];
    const feedsDir = join(dir, "feeds");
    const options = {
      feedsDir,
      baseUrl: "http://127.0.0.1:8080/",
      formats: ["rss" as const],
      maxItems: 100,
      topicScheme: "http://127.0.0.1:8080/topics/",
      siteTitle: "t",
    };
    publishIndexPage(store, plans, options, { topics: [{ id: "sport", label: "Sport" }], sourceTitles: {} });
    const html = readFileSync(join(feedsDir, "index.html"), "utf8");
    const count = (title: string) => new RegExp(`<td>${title}</td><td class="count">(\\d+)</td>`).exec(html)?.[1];
    expect([count("Everything"), count("Sport"), count("World")]).toEqual(["7", "7", "5"]);
  });
});
