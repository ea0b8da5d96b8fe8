import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, loadTaxonomy, tagEntry } from "../../src/enrich/index.js";
import type { Entry } from "../../src/model/index.js";
import { normalizeFeedWithText } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { type FeedMeta, renderAtom, renderRss, sortNewestFirst } from "../../src/write/index.js";
import { generateFeed } from "../bench/generate-feed.js";
import { feedRenderAtom, feedRenderRss } from "./feed-reference.js";

// renderRss/renderAtom write the documents directly; they must stay byte for
// byte what the `feed` package wrote (readers, caches and golden files rely on
// the bytes). Compared on every corpus feed run through the pipeline, on
// generated wire stories and on entries built to hit each escaping rule.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CORPUS = join(ROOT, "test/fixtures/corpus");
const taxonomy = loadTaxonomy(join(ROOT, "config/topics.yaml"), { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);

const META: FeedMeta = {
  path: "all",
  title: "feed-enricher",
  description: "Every entry, tagged.",
  baseUrl: "http://127.0.0.1:8080/",
  homePage: "http://127.0.0.1:8080/",
  topicScheme: taxonomy.scheme,
  ttlMinutes: 15,
};

async function pipeline(bytes: Buffer, sourceId: string, maxItems = Number.POSITIVE_INFINITY): Promise<Entry[]> {
  const parsed = await parseFeed(decodeBytes(bytes).text, { timeoutMs: 20_000 });
  const feed = { ...parsed, items: parsed.items.slice(0, maxItems) };
  const normalized = normalizeFeedWithText(feed, { sourceId, trackingParams: ["utm_*"], boilerplate: [], now: "2026-01-01T00:00:00.000Z" });
  return sortNewestFirst(normalized.map(({ entry, contentText }) => tagEntry(matcher, entry, contentText() || entry.summary)));
}

function expectSame(entries: Entry[], meta: FeedMeta, label: string): void {
  expect(renderRss(entries, meta), `${label} rss`).toBe(feedRenderRss(entries, meta));
  expect(renderAtom(entries, meta), `${label} atom`).toBe(feedRenderAtom(entries, meta));
}

function entry(over: Partial<Entry>): Entry {
  return {
    id: "https://example.com/a?x=1&y=2",
    sourceId: "s",
    title: "Title",
    link: "https://example.com/a?x=1&y=2",
    published: "2026-01-02T03:04:05.000Z",
    firstSeen: "2026-01-02T03:04:05.000Z",
    authors: [],
    summary: "Summary",
    contentHtml: "<p>Body</p>",
    categories: [],
    enclosures: [],
    wordCount: 1,
    readingTimeMin: 1,
    topics: [],
    entities: [],
    contentHash: "h",
    ...over,
  };
}

describe("renderRss and renderAtom write what feed wrote", () => {
  it("on every corpus feed run through the pipeline", async () => {
    let compared = 0;
    const files = [
      ...readdirSync(CORPUS)
        .filter((f) => /\.(xml|rss|atom|rdf)$/i.test(f))
        .map((f) => join(CORPUS, f)),
      join(ROOT, "test/fixtures/normalize/hostile.rss"),
      join(ROOT, "test/fixtures/normalize/google-alerts.atom"),
    ];
    for (const file of files) {
      let entries: Entry[];
      try {
        // The first 25 items of each feed keep the test fast; the variety is across feeds.
        entries = await pipeline(readFileSync(file), file.replace(/\W+/g, "-").slice(-60), 25);
      } catch {
        continue;
      }
      let reference: string;
      try {
        reference = feedRenderRss(entries, META) + feedRenderAtom(entries, META);
      } catch (error) {
        // What feed could not write (a relative link) must fail here too.
        expect(() => renderRss(entries, META) + renderAtom(entries, META), file).toThrow((error as Error).constructor as new () => Error);
        continue;
      }
      expect(renderRss(entries, META) + renderAtom(entries, META), file).toBe(reference);
      compared += entries.length;
    }
    expect(compared).toBeGreaterThan(400);
  });

  it("on generated wire stories with topics, entities, images and enclosures", async () => {
    const entries = await pipeline(generateFeed({ format: "rss", items: 60, seed: 11 }), "gen");
    expect(entries.some((e) => e.topics.length > 0 && e.entities.length > 0 && e.authors.length > 0)).toBe(true);
    expectSame(entries, META, "generated");
    expectSame(entries.slice(0, 3), { ...META, hub: "https://hub.example/?a=1&b=2", language: "es", ttlMinutes: undefined, description: "" }, "meta");
  });

  it("on an empty feed", () => {
    expectSame([], META, "empty");
  });

  it("on entries built to hit each escaping rule", () => {
    const topic = {
      id: "immigration",
      label: 'Immigration & "asylum"',
      iptcCode: "medtop:20000771",
      iptcLabel: "immigration",
      iptcAncestors: ["medtop:20000770", "medtop:11000000"],
      score: 3,
      matches: [],
    };
    const entries = [
      entry({
        title: "Tom &amp; Jerry <b>&</b> ]]> end",
        summary: "a & b < c ]]> d",
        contentHtml: "<p>x ]]> y ]]> z</p>",
        authors: ["Ana & Bob", 'Carl "C" &amp; D', ""],
        topics: [topic, { ...topic, id: "border", iptcCode: "medtop:20000770", label: "", iptcAncestors: ["medtop:11000000"] }],
        entities: [{ name: 'Acme & "Co"', kind: "organization" }],
        categories: [
          { term: "News & Views", scheme: "https://example.com/cats?a=1&b=2", label: "N&V" },
          { term: "plain" },
          { term: 'q"uote', scheme: "tag:example.com,2026:cats", label: "" },
        ],
        image: { url: "https://example.com/img/photo.final.JPG?w=1&h=2", type: "image/jpeg", length: 1234 },
      }),
      entry({
        id: "urn:uuid:2086b673-0761-5be4-b6ac-ebe97503f12d",
        link: undefined,
        title: "",
        summary: "",
        contentHtml: "",
        updated: "2026-02-01T00:00:00.000Z",
        enclosures: [{ url: "https://example.com/a/b/audio", type: "audio/mpeg", length: 99 }],
      }),
      entry({ id: "https://example.com/no-link", link: undefined, published: undefined, enclosures: [{ url: "https://EXAMPLE.com:443/x.mp3" }] }),
      entry({ id: "tag:example.com,2026:1", link: undefined, image: { url: "https://example.com/p.png" } }),
      entry({ published: "not a date" }),
    ];
    expectSame(entries.slice(0, 4), META, "hostile");
    expectSame(entries.slice(0, 4), { ...META, homePage: "https://example.com/home?a=1&b=2", path: "topics/a&b" }, "hostile meta");
    // An invalid date: feed printed "Invalid Date" in RSS and threw in Atom.
    expect(renderRss(entries.slice(4), META)).toBe(feedRenderRss(entries.slice(4), META));
    expect(() => renderAtom(entries.slice(4), META)).toThrow(RangeError);
    expect(() => feedRenderAtom(entries.slice(4), META)).toThrow(RangeError);
  });
});
