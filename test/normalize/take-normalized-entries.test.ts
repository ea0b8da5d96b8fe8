import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import type { RawFeed } from "../../src/model/index.js";
import { normalizeFeedWithText, takeNormalizedEntries } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { generateFeed } from "../bench/generate-feed.js";

// Refresh normalizes a feed one item at a time (takeNormalizedEntries) so a
// backfill never holds every entry at once; normalizeFeedWithText is the same
// walk over a copy of the items. Pinned here: the items are taken out of the
// feed by the one and left alone by the other, and the duplicates dropped.
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

function options(sourceId: string) {
  return { sourceId, feedUrl: "https://example.com/feed", trackingParams: ["utm_*"], boilerplate: ["^Radio Habana Cuba$"], now: "2026-01-01T00:00:00.000Z" };
}

async function parse(bytes: Buffer | string): Promise<RawFeed> {
  return parseFeed(typeof bytes === "string" ? bytes : decodeBytes(bytes).text, { timeoutMs: 20_000 });
}

async function compare(bytes: Buffer | string, sourceId: string): Promise<number> {
  const kept = await parse(bytes);
  const itemCount = kept.items.length;
  const expected = normalizeFeedWithText(kept, options(sourceId));
  // The caller's feed is left as it was.
  expect(kept.items.length).toBe(itemCount);
  const feed = await parse(bytes);
  const actual = [...takeNormalizedEntries(feed, options(sourceId))];
  expect(actual.map((n) => n.entry)).toEqual(expected.map((n) => n.entry));
  expect(actual.map((n) => n.contentText())).toEqual(expected.map((n) => n.contentText()));
  // The raw items were taken out of the feed.
  expect(feed.items).toEqual([]);
  return actual.length;
}

describe("takeNormalizedEntries", () => {
  it("gives normalizeFeedWithText's entries on every corpus feed and the normalize fixtures", async () => {
    const files = [
      ...readdirSync(join(FIXTURES, "corpus"))
        .filter((f) => /\.(xml|rss|atom|rdf)$/i.test(f))
        .map((f) => join(FIXTURES, "corpus", f)),
      join(FIXTURES, "normalize/hostile.rss"),
      join(FIXTURES, "normalize/google-alerts.atom"),
    ];
    let entries = 0;
    for (const file of files) {
      try {
        await parse(readFileSync(file));
      } catch {
        continue;
      }
      entries += await compare(readFileSync(file), file);
    }
    expect(entries).toBeGreaterThan(500);
  });

  it("drops the same duplicates: repeated ids, repeated links, and links shared so often they identify nothing", async () => {
    const item = (title: string, link: string, guid?: string) =>
      `<item><title>${title}</title><link>${link}</link>${guid ? `<guid isPermaLink="false">${guid}</guid>` : ""}<description>About ${title}.</description></item>`;
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.com/</link>
      ${item("One", "https://example.com/1", "g1")}
      ${item("One again", "https://example.com/1b", "g1")}
      ${item("Two", "https://example.com/2")}
      ${item("Two moved", "https://example.com/2?utm_source=x")}
      ${item("Home A", "https://example.com/home", "a")}
      ${item("Home B", "https://example.com/home", "b")}
      ${item("Home C", "https://example.com/home", "c")}
      ${item("Site", "https://example.com/", "s")}
      </channel></rss>`;
    expect(await compare(xml, "dups")).toBe(6);
  });

  it("gives normalizeFeedWithText's entries on generated wire stories", async () => {
    expect(await compare(generateFeed({ format: "rss", items: 30, seed: 5 }), "gen-rss")).toBe(30);
    expect(await compare(generateFeed({ format: "atom", items: 15, seed: 6 }), "gen-atom")).toBe(15);
  });
});
