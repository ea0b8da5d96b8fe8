import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import type { RawFeed, RawItem } from "../../src/model/index.js";
import { type ItemsByParts, ParseError, parseFeed } from "../../src/parse/index.js";
import { splitItems } from "../../src/parse/split-items.js";

const CORPUS = join(import.meta.dirname, "../fixtures/corpus");
const opts = { timeoutMs: 20_000 };

/** Records what parseFeed hands out part by part. */
function recorder(partItems: number): ItemsByParts & { heads: RawFeed[]; handed: RawItem[]; discards: number } {
  const r = {
    partItems,
    heads: [] as RawFeed[],
    handed: [] as RawItem[],
    discards: 0,
    items(head: RawFeed, items: RawItem[]) {
      r.heads.push(head);
      r.handed.push(...items);
    },
    discard() {
      r.discards++;
      r.handed = [];
      r.heads = [];
    },
  };
  return r;
}

function rssWith(items: string[], extra = ""): string {
  return `<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>http://example.com/</link><description>d</description>${extra}
${items.join("\n")}
</channel></rss>`;
}

const item = (n: number) =>
  `<item><title>Story ${n}</title><link>http://example.com/${n}</link><description><![CDATA[<p>Body <item>${n}</item> with ]] and </channel></p>]]></description><dc:creator>A</dc:creator><!-- <item> --></item>`;

describe("parseFeed in parts", () => {
  it("gives every corpus feed the items, in order, and the feed fields of a whole parse", async () => {
    let split = 0;
    const formats = new Set<string>();
    for (const name of readdirSync(CORPUS).filter((f) => f.endsWith(".xml"))) {
      const text = decodeBytes(readFileSync(join(CORPUS, name))).text;
      let whole: RawFeed;
      try {
        whole = await parseFeed(text, opts);
      } catch (error) {
        // A feed no parse reads is refused the same way in parts.
        expect(error, name).toBeInstanceOf(ParseError);
        await expect(parseFeed(text, { ...opts, parts: recorder(1) }), name).rejects.toBeInstanceOf(ParseError);
        continue;
      }
      const parts = recorder(1);
      const inParts = await parseFeed(text, { ...opts, parts });
      expect(inParts, name).toEqual(whole);
      if (parts.heads.length > 0) {
        split++;
        formats.add(whole.format);
        // What was handed out is the feed's items, the very objects returned.
        expect(parts.handed.length, name).toBe(inParts.items.length);
        for (const [i, it] of parts.handed.entries()) expect(it, name).toBe(inParts.items[i]);
        for (const head of parts.heads) expect({ ...head, items: whole.items }, name).toEqual(whole);
      }
    }
    // Most of the corpus is one plain run of items; the rest (DOCTYPEs, broken markup) is parsed whole.
    expect(split).toBeGreaterThanOrEqual(30);
    // Items under the channel (RSS), beside it (RDF) and under the root (Atom) are all cut.
    expect([...formats].sort()).toEqual(["atom", "rdf", "rss"]);
  });

  it("hands out parts of the asked size, markup-like text in CDATA and comments notwithstanding", async () => {
    const xml = rssWith(Array.from({ length: 7 }, (_, i) => item(i)));
    const parts = recorder(3);
    const feed = await parseFeed(xml, { ...opts, parts });
    expect(feed.items.map((i) => i.title)).toEqual(["Story 0", "Story 1", "Story 2", "Story 3", "Story 4", "Story 5", "Story 6"]);
    expect(parts.heads).toHaveLength(3);
    expect(parts.heads.map((h) => h.items.length)).toEqual([0, 0, 0]);
    expect(parts.heads[2]!.title).toBe("T");
    expect(parts.discards).toBe(0);
    const cut = splitItems(xml, "item", 3)!;
    expect(cut.counts).toEqual([3, 3, 1]);
  });

  it("parses whole a feed too short for two parts, or whose items are not one run", async () => {
    const short = recorder(4);
    await parseFeed(rssWith([item(1), item(2), item(3)]), { ...opts, parts: short });
    expect(short.heads).toHaveLength(0);
    // A channel element between two items: the run is broken, the feed is read whole.
    const broken = rssWith([item(1), item(2), "<ttl>60</ttl>", item(3), item(4)]);
    expect(splitItems(broken, "item", 1)).toBeUndefined();
    const parts = recorder(1);
    const feed = await parseFeed(broken, { ...opts, parts });
    expect(feed.items).toHaveLength(4);
    expect(feed.ttlMinutes).toBe(60);
    expect(parts.heads).toHaveLength(0);
  });

  it("discards what it handed out when a later part is not well-formed, and parses the whole document", async () => {
    const items = Array.from({ length: 6 }, (_, i) => item(i));
    // The fifth item's markup is broken: the third part fails; the whole parse repairs it.
    items[4] = "<item><title>Story 4 <b>unclosed</title><link>http://example.com/4</link></item>";
    const parts = recorder(2);
    const feed = await parseFeed(rssWith(items), { ...opts, parts });
    expect(parts.discards).toBe(1);
    expect(parts.handed).toEqual([]);
    expect(feed.items).toHaveLength(6);
    expect(feed.repairs.length).toBeGreaterThan(0);
  });
});
