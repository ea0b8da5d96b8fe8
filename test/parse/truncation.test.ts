import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { ParseError, parseFeed } from "../../src/parse/index.js";

// Real feeds (test/fixtures/corpus, see SOURCES.md there) cut or damaged at many
// points: each version gives a feed or a coded ParseError, never anything else.
const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "corpus");
const FILES = ["feedsmith__rss-20.xml", "feedsmith__atom-10.xml", "feedsmith__rdf-10.xml", "huginn__iso-8859-1.rss"];

async function outcome(xml: string): Promise<string> {
  try {
    const feed = await parseFeed(xml, { timeoutMs: 10_000 });
    return `ok:${feed.items.length}`;
  } catch (error) {
    if (error instanceof ParseError) return error.code;
    throw error;
  }
}

describe.each(FILES)("%s, damaged", (file) => {
  const text = decodeBytes(readFileSync(join(CORPUS, file))).text;
  const points = Array.from({ length: 40 }, (_, i) => Math.floor(((i + 1) * text.length) / 41));

  it("cut at 40 points: a feed or a coded error each time, entries kept once the first one is complete", async () => {
    const firstEntryEnd = Math.max(text.indexOf("</item>"), text.indexOf("</entry>")) + 8;
    for (const cut of points) {
      const result = await outcome(text.slice(0, cut));
      expect(result, `cut at ${cut}`).toMatch(/^(ok:\d+|not-a-feed|parse|empty)$/);
      if (cut > firstEntryEnd && firstEntryEnd > 8) expect(result, `cut at ${cut}`).toMatch(/^ok:[1-9]/);
    }
  });

  it("a stray '<', '&' or end tag at 40 points: a feed or a coded error each time", async () => {
    const junk = ["<", "&", "</item>", "</entry>", "<b>", "<![CDATA[x"];
    for (const [i, at] of points.entries()) {
      const result = await outcome(text.slice(0, at) + junk[i % junk.length] + text.slice(at));
      expect(result, `junk at ${at}`).toMatch(/^(ok:\d+|not-a-feed|parse)$/);
    }
  });
});
