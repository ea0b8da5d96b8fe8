import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/model/index.js";
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
