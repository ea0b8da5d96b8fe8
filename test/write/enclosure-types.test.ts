import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { extension } from "mime-types";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import type { Entry } from "../../src/model/index.js";
import { normalizeFeed } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { type FeedMeta, renderAtom, renderJsonFeed, renderRss } from "../../src/write/index.js";
import { enclosureType } from "../../src/write/media-type.js";
import { entry as storeEntry } from "../store/store-entries.js";

// Podcast apps and readers choose what to play or show by an enclosure's
// type. `feed` writes the URL's extension under "image/" when it is given no
// type (RSS) and always (Atom): "image/mp3" for an episode, "image//u/42" for
// an avatar. Every enclosure written must carry a registered type.

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "corpus");
const meta: FeedMeta = {
  path: "all",
  title: "Enclosures",
  description: "d",
  baseUrl: "http://127.0.0.1:8080/",
  homePage: "http://127.0.0.1:8080/",
  topicScheme: "http://127.0.0.1:8080/topics/",
};

function entry(n: number, over: Partial<Entry>): Entry {
  return { ...storeEntry("c", n), ...over };
}

/** Every enclosure's type as written: RSS <enclosure>, Atom <link rel="enclosure">, JSON Feed attachments. */
function writtenTypes(entries: Entry[]): { rss: string[]; atom: string[]; json: string[] } {
  const rss = [...renderRss(entries, meta).matchAll(/<enclosure [^>]*type="([^"]*)"/g)].map((m) => m[1]!);
  const atom = [...renderAtom(entries, meta).matchAll(/<link rel="enclosure" [^>]*type="([^"]*)"/g)].map((m) => m[1]!);
  const json = (JSON.parse(renderJsonFeed(entries, meta)) as { items: Array<{ attachments?: Array<{ mime_type: string }> }> }).items.flatMap(
    (i) => i.attachments?.map((a) => a.mime_type) ?? [],
  );
  return { rss, atom, json };
}

describe("enclosureType", () => {
  it("keeps a well-formed declared type, puts known misnamings right, and reads the extension otherwise", () => {
    expect(enclosureType("https://x.org/ep", "audio/mpeg; charset=binary")).toBe("audio/mpeg");
    expect(enclosureType("https://x.org/a.jpg", "image/jpg", "image")).toBe("image/jpeg");
    expect(enclosureType("https://x.org/ep", "audio/mp3")).toBe("audio/mpeg");
    expect(enclosureType("https://x.org/a", "Image/PNG", "image")).toBe("image/png");
    expect(enclosureType("https://dts.podtrac.com/redirect.mp3/cdn.example.org/603.mp3?x=1", undefined)).toBe("audio/mpeg");
    expect(enclosureType("https://x.org/photo.JPG?w=800", undefined, "image")).toBe("image/jpeg");
    expect(enclosureType("https://x.org/ep.m4a", "not a type")).toBe("audio/mp4");
    expect(enclosureType("https://x.org/ep.mp3", "x-audio/mp3")).toBe("audio/mpeg");
    expect(enclosureType("https://x.org/ep", "audio/x-house-format")).toBe("audio/x-house-format");
  });

  it("tells none where neither the declaration nor the extension does, and no non-image type for an image", () => {
    expect(enclosureType("https://avatars.example.com/u/425716", undefined, "image")).toBeUndefined();
    expect(enclosureType("https://x.org/photo.php", undefined, "image")).toBeUndefined();
    expect(enclosureType("https://x.org/download", undefined)).toBeUndefined();
  });
});

describe("enclosures in the written feeds", () => {
  it("carry the entry's type in RSS, Atom and JSON Feed, and are left out of RSS and Atom when no type can be told", () => {
    const entries = [
      entry(4, { enclosures: [{ url: "https://cdn.example.org/ep4.mp3", type: "audio/mp3", length: 1234 }] }),
      entry(3, { image: { url: "https://cdn.example.org/photo3.jpg" } }),
      entry(2, { image: { url: "https://avatars.example.com/u/425716" } }),
      entry(1, { enclosures: [{ url: "https://cdn.example.org/video1.m4v" }] }),
    ];
    const { rss, atom, json } = writtenTypes(entries);
    expect(rss).toEqual(["audio/mpeg", "image/jpeg", "video/x-m4v"]);
    expect(atom).toEqual(["audio/mpeg", "image/jpeg", "video/x-m4v"]);
    expect(json).toEqual(["audio/mpeg", "video/x-m4v"]);
    expect(renderAtom(entries, meta)).toContain('href="https://cdn.example.org/ep4.mp3" type="audio/mpeg" length="1234"/>');
    expect(renderRss(entries, meta)).not.toContain('avatars.example.com/u/425716"');
  });

  it("carry registered types on every corpus feed, the podcasts' episodes as audio", async () => {
    let written = 0;
    for (const file of readdirSync(CORPUS).filter((f) => /\.(xml|rss|atom|rdf)$/.test(f))) {
      let entries: Entry[];
      try {
        const feed = await parseFeed(decodeBytes(readFileSync(join(CORPUS, file))).text, { timeoutMs: 10_000 });
        entries = normalizeFeed(feed, {
          sourceId: "c",
          feedUrl: "https://news.example.org/feed",
          trackingParams: [],
          boilerplate: [],
          now: "2026-11-28T00:00:00.000Z",
        });
      } catch {
        continue; // the corpus holds feeds that are meant to fail
      }
      const { rss, atom, json } = writtenTypes(entries);
      expect(atom, file).toEqual(rss);
      for (const type of [...rss, ...json]) {
        expect(extension(type), `${file}: ${type}`).not.toBe(false);
        written++;
      }
      if (file === "rss-parser__giantbomb-podcast.rss") {
        expect(atom.length, file).toBeGreaterThan(10);
        expect(new Set(atom), file).toEqual(new Set(["audio/mpeg"]));
      }
    }
    expect(written).toBeGreaterThan(500);
  });
});
