import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, loadTaxonomy, type Matcher, tagEntry } from "../../src/enrich/index.js";
import type { Entry } from "../../src/model/index.js";
import { normalizeFeedWithText } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import type { FeedMeta } from "../../src/write/index.js";
import { renderAtom, renderRss } from "../../src/write/index.js";
import { atomXml, BodySlots, inBatches, renderAtomBytes, renderRssBytes, rssPieces, rssXml } from "../../src/write/render-xml-feeds.js";

// renderRss/renderAtom splice the entries' bodies into what `feed` writes
// with marks in their place: the result must be what `feed` writes with the
// bodies inline, byte for byte, on every real feed and on hostile entries.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CORPUS = join(ROOT, "test", "fixtures", "corpus");

let matcher: Matcher;
let meta: FeedMeta;
beforeAll(() => {
  const taxonomy = loadTaxonomy(join(ROOT, "config", "topics.yaml"), { scheme: "http://127.0.0.1:8080/topics/" });
  matcher = compileMatcher(taxonomy);
  meta = {
    path: "all",
    title: "Splice & check",
    description: "Every entry of one feed",
    baseUrl: "http://127.0.0.1:8080/",
    homePage: "http://127.0.0.1:8080/",
    topicScheme: taxonomy.scheme,
  };
});

async function corpusEntries(file: string): Promise<Entry[]> {
  let feed: Awaited<ReturnType<typeof parseFeed>>;
  try {
    feed = await parseFeed(decodeBytes(readFileSync(join(CORPUS, file))).text, { timeoutMs: 10_000 });
  } catch {
    return []; // the corpus holds feeds that are meant to fail; the others are checked
  }
  const options = { sourceId: "c", feedUrl: "https://news.example.org/feed", trackingParams: [], boilerplate: [], now: "2026-11-28T00:00:00.000Z" };
  return normalizeFeedWithText(feed, options).map(({ entry, contentText }) => tagEntry(matcher, entry, contentText() || entry.summary));
}

function entry(n: number, over: Partial<Entry> = {}): Entry {
  return {
    id: `https://news.example.org/story/${n}`,
    sourceId: "c",
    title: `Story ${n}`,
    firstSeen: "2026-11-01T00:00:00.000Z",
    published: new Date(Date.UTC(2026, 10, 1, n)).toISOString(),
    authors: [],
    summary: `Summary ${n}`,
    contentHtml: `<p>Body ${n} with <b>markup</b> &amp; an entity.</p>`,
    categories: [],
    enclosures: [],
    wordCount: 6,
    readingTimeMin: 1,
    topics: [],
    entities: [],
    contentHash: `h${n}`,
    ...over,
  };
}

describe("bodies spliced into the XML feeds", () => {
  const files = readdirSync(CORPUS).filter((f) => /\.(xml|rss|atom|rdf)$/.test(f));

  it("write every corpus feed exactly as `feed` does with the bodies inline, through the splice", async () => {
    let spliced = 0;
    let batched = 0;
    for (const file of files) {
      const entries = await corpusEntries(file);
      if (entries.length === 0) continue;
      const plainRss = rssXml(entries, meta, undefined);
      const plainAtom = atomXml(entries, meta, undefined);
      expect(renderRss(entries, meta), file).toBe(plainRss);
      expect(renderAtom(entries, meta), file).toBe(plainAtom);
      // The bytes written to the files are those texts in UTF-8.
      expect(renderRssBytes(entries, meta).equals(Buffer.from(plainRss, "utf8")), file).toBe(true);
      expect(renderAtomBytes(entries, meta).equals(Buffer.from(plainAtom, "utf8")), file).toBe(true);
      // The splice itself gave that result (no fallback to the plain way).
      const rssBodies = new BodySlots();
      expect(rssBodies.splice(rssXml(entries, meta, rssBodies)), file).toBe(plainRss);
      const atomBodies = new BodySlots();
      expect(atomBodies.splice(atomXml(entries, meta, atomBodies)), file).toBe(plainAtom);
      // A long feed is written ten entries at a time (a head, each batch's entries, a tail), not whole.
      if (entries.length > 10) {
        expect(rssPieces(entries, meta, undefined), file).toHaveLength(2 + Math.ceil(entries.length / 10));
        batched++;
      }
      spliced++;
    }
    expect(spliced).toBeGreaterThan(80);
    expect(batched).toBeGreaterThan(40);
  });

  it("falls back to the plain way when a field carries a mark, and leaves empty bodies out as `feed` does", () => {
    const hostile = [
      // Atom writes ids and links through the URL parser, which drops or escapes the mark; a category keeps it in both.
      entry(1, { id: "urn:x:\u00010\u0001", categories: [{ term: "\u00010\u0001" }], contentHtml: "<p>first</p>" }),
      entry(2, { link: "https://news.example.org/\u00011\u0001", contentHtml: "<p>second</p>" }),
      entry(3, { contentHtml: "\u0001\u0002\u0003" }),
      entry(4, { contentHtml: "<p>a ]]> inside</p>" }),
    ];
    for (const render of [
      [renderRss, renderRssBytes, rssXml],
      [renderAtom, renderAtomBytes, atomXml],
    ] as const) {
      const [spliced, splicedBytes, plain] = render;
      expect(spliced(hostile, meta)).toBe(plain(hostile, meta, undefined));
      expect(splicedBytes(hostile, meta).toString("utf8")).toBe(plain(hostile, meta, undefined));
      // A mark outside a body slot is noticed rather than spliced.
      const bodies = new BodySlots();
      expect(bodies.splice(plain(hostile, meta, bodies))).toBeUndefined();
      // Without the hostile fields the splice is used, and gives the same bytes.
      const clean = hostile.slice(2);
      const cleanBodies = new BodySlots();
      expect(cleanBodies.splice(plain(clean, meta, cleanBodies))).toBe(plain(clean, meta, undefined));
    }
  });

  it("splices the bodies of an Atom feed cut at its enclosure links, in order, whatever the enclosures' place", () => {
    // The Atom is cut where each enclosure link's type is set right: the bodies are found piece by piece.
    const entries = [1, 2, 3, 4, 5].map((n) =>
      entry(n, n % 2 === 0 ? {} : { enclosures: [{ url: `https://news.example.org/ep${n}.mp3`, type: "audio/mp3" }] }),
    );
    const plain = atomXml(entries, meta, undefined);
    expect(plain.match(/<link rel="enclosure" [^>]*type="audio\/mpeg"/g)).toHaveLength(3);
    expect(renderAtomBytes(entries, meta).toString("utf8")).toBe(plain);
    expect(renderAtom(entries, meta)).toBe(plain);
    const bodies = new BodySlots();
    expect(bodies.splice(atomXml(entries, meta, bodies))).toBe(plain);
    // Pieces that hold the marks out of order are refused, not spliced.
    const swapped = new BodySlots();
    const marked = atomXml(entries.slice(0, 2), meta, swapped);
    const cut = marked.indexOf("\u00011\u0001") - "<![CDATA[".length;
    expect(swapped.splice([marked.slice(cut), marked.slice(0, cut)])).toBeUndefined();
    expect(swapped.splice([marked.slice(0, cut), marked.slice(cut)])).toBe(atomXml(entries.slice(0, 2), meta, undefined));
  });

  it("writes a long feed in batches the same as whole, marks out of place included", () => {
    const many = Array.from({ length: 25 }, (_, i) => entry(i + 1, { authors: i % 3 === 0 ? ["Ana Pérez"] : [] }));
    for (const [spliced, splicedBytes, plain] of [
      [renderRss, renderRssBytes, rssXml],
      [renderAtom, renderAtomBytes, atomXml],
    ] as const) {
      expect(spliced(many, meta)).toBe(plain(many, meta, undefined));
      expect(splicedBytes(many, meta).toString("utf8")).toBe(plain(many, meta, undefined));
      // A mark in a category of the second batch: the feed is written the plain way, still the same.
      const hostile = many.map((e, i) => (i === 14 ? { ...e, categories: [{ term: "\u00013\u0001" }] } : e));
      expect(spliced(hostile, meta)).toBe(plain(hostile, meta, undefined));
    }
  });

  it("gives up on batches whose heads or tails differ, or that lack the entry marks", () => {
    const doc = (head: string, n: number) => [`${head}<e>${n}</e><e>${n}+</e></f>`];
    const ten = Array.from({ length: 25 }, (_, i) => entry(i + 1));
    let batch = 0;
    expect(inBatches(ten, () => doc("<f>", batch++), "<e>", "</e>")).toEqual(["<f>", "<e>0</e><e>0+</e>", "<e>1</e><e>1+</e>", "<e>2</e><e>2+</e>", "</f>"]);
    batch = 0;
    expect(inBatches(ten, () => doc(batch++ === 1 ? "<g>" : "<f>", 0), "<e>", "</e>")).toBeUndefined();
    expect(inBatches(ten, () => ["<f></f>"], "<e>", "</e>")).toBeUndefined();
    expect(inBatches(ten, () => undefined, "<e>", "</e>")).toBeUndefined();
  });

  it("writes seeded random feeds of 0 to 35 entries in parts exactly as whole, in every format's bytes", () => {
    // A small seeded generator: the same cases every run.
    let seed = 20261129;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const words = ["Cuba", "&", "<b>", "]]>", "Año", "“quoted”", "\u0001", "a\nb", "😀", "<item>", "</entry>", "x"];
    const text = (k: number) => Array.from({ length: 1 + next(k) }, () => words[next(words.length)]).join(" ");
    for (let round = 0; round < 30; round++) {
      const many = Array.from({ length: next(36) }, (_, i) =>
        entry(i + 1, {
          title: text(4),
          summary: text(6),
          contentHtml: next(5) === 0 ? "" : `<p>${text(8)}</p>`,
          authors: next(3) === 0 ? [text(2)] : [],
          categories: next(2) === 0 ? [{ term: text(2) }, { term: "tag", scheme: "https://news.example.org/tags?a=1&b=2" }] : [],
          enclosures: next(3) === 0 ? [{ url: `https://news.example.org/a${i}.mp3`, type: next(2) === 0 ? "audio/mp3" : undefined }] : [],
        }),
      );
      for (const [spliced, splicedBytes, plain] of [
        [renderRss, renderRssBytes, rssXml],
        [renderAtom, renderAtomBytes, atomXml],
      ] as const) {
        const whole = plain(many, meta, undefined);
        expect(spliced(many, meta), `round ${round}`).toBe(whole);
        expect(splicedBytes(many, meta).equals(Buffer.from(whole, "utf8")), `round ${round}`).toBe(true);
      }
    }
  });
});
