import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { htmlToText, normalizeFeed, normalizeFeedWithText } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { generateFeed } from "../bench/generate-feed.js";

// The text normalize collects for enrich must be exactly what retag computes
// from the stored content (htmlToText(contentHtml)), or a retag with an
// unchanged taxonomy would move tags. Checked on every corpus feed, the
// hostile sample and the generated wire stories (captions, datelines,
// standfirsts, lone-wrapper divs).
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const CORPUS = join(FIXTURES, "corpus");

function options(sourceId: string) {
  return { sourceId, trackingParams: ["utm_*"], boilerplate: ["^Radio Habana Cuba$"], now: "2026-01-01T00:00:00.000Z" };
}

async function checkFeed(bytes: Buffer, sourceId: string): Promise<number> {
  let feed: Awaited<ReturnType<typeof parseFeed>>;
  try {
    feed = await parseFeed(decodeBytes(bytes).text, { timeoutMs: 20_000 });
  } catch {
    return 0;
  }
  const withText = normalizeFeedWithText(feed, options(sourceId));
  expect(withText.map((n) => n.entry)).toEqual(normalizeFeed(feed, options(sourceId)));
  for (const { entry, contentText } of withText) expect(contentText(), `${sourceId} ${entry.id}`).toBe(htmlToText(entry.contentHtml));
  return withText.length;
}

describe("normalizeFeedWithText", () => {
  it("returns htmlToText(contentHtml) for every entry of the corpus", async () => {
    let entries = 0;
    for (const file of readdirSync(CORPUS).filter((f) => /\.(xml|rss|atom|rdf)$/i.test(f))) {
      entries += await checkFeed(readFileSync(join(CORPUS, file)), file);
    }
    expect(entries).toBeGreaterThan(500);
  });

  it("returns htmlToText(contentHtml) for generated wire stories with captions and datelines", async () => {
    expect(await checkFeed(generateFeed({ format: "rss", items: 40, seed: 7 }), "gen-rss")).toBe(40);
    expect(await checkFeed(generateFeed({ format: "atom", items: 20, seed: 8 }), "gen-atom")).toBe(20);
  });

  it("returns htmlToText(contentHtml) for structures that are rewritten", async () => {
    const item = (html: string, i: number) =>
      `<item><title>T${i}</title><link>https://example.com/${i}</link><description><![CDATA[${html}]]></description></item>`;
    const bodies = [
      // caption with a standfirst before it, photo above
      '<p><img src="https://example.com/a.jpg" width="600" height="400"></p><p>The lead sentence. Troops at the border. [John Doe/AP Photo]</p><p>WASHINGTON (AP) — The story starts here.</p>',
      // caption in the same block as the photo
      '<p><img src="https://example.com/b.jpg"> Soldiers patrol the border (Photo: Reuters)</p><p>Body text &amp; more<br>on two lines</p>',
      // lone wrapper div, text roots, tables and lists
      "<div><p>One</p>loose text<b>bold</b><table><tr><td>a</td><td>b</td></tr></table><ul><li>x</li><li>y</li></ul></div>",
      // nested wrappers deeper than the collected levels
      "<div><div><div><div><p>deep</p><p>deeper</p></div></div></div></div><p>after</p>",
      // plain text with line breaks and entities, no markup
      "first line\nsecond line",
      "first &amp; second\n\nthird",
      // media-only and empty blocks, a separator
      '<p>&nbsp;</p><p>* * *</p><figure><img src="https://example.com/c.jpg"><figcaption>Cap</figcaption></figure><p>Radio Habana Cuba</p><p>end</p>',
    ];
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>https://example.com/</link>${bodies.map(item).join("")}</channel></rss>`;
    expect(await checkFeed(Buffer.from(xml), "structures")).toBe(bodies.length);
  });
});
