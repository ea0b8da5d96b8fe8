import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFeed } from "../../src/parse/index.js";
import { wrapMarkupBodies } from "../../src/parse/wrap-markup-bodies.js";

const opts = { timeoutMs: 10_000 };

function rss(items: string): string {
  return `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>https://e.org/</link><description>d</description>
${items}
</channel></rss>`;
}

describe("wrapMarkupBodies", () => {
  it("puts a body written as elements in one CDATA section, in its own order", () => {
    const xml = rss(`<item><description>submitted by <a href="https://e.org/u">user</a> to <a href="https://e.org/r">r/space</a></description></item>`);
    const out = wrapMarkupBodies(xml);
    expect(out.wrapped).toBe(1);
    expect(out.xml).toContain(
      `<description><![CDATA[submitted by <a href="https://e.org/u">user</a> to <a href="https://e.org/r">r/space</a>]]></description>`,
    );
  });

  it("returns escaped bodies, CDATA bodies and empty bodies as they were (the same string)", () => {
    const xml = rss(
      `<item><description>plain &lt;b&gt;x&lt;/b&gt;</description><content:encoded><![CDATA[<p>a</p>]]></content:encoded></item>
<item><description/><description></description><descriptionx>y</descriptionx></item>`,
    );
    const out = wrapMarkupBodies(xml);
    expect(out.wrapped).toBe(0);
    expect(out.xml).toBe(xml);
  });

  it("wraps content:encoded and turns a CDATA section inside markup into escaped text", () => {
    const xml = rss(`<item><content:encoded><p>a &amp; b</p><![CDATA[x < y]]><!-- note --></content:encoded></item>`);
    expect(wrapMarkupBodies(xml).xml).toContain(`<content:encoded><![CDATA[<p>a &amp; b</p>x &lt; y<!-- note -->]]></content:encoded>`);
  });

  it("leaves a body alone when its end tag is missing or feed structure comes first", () => {
    const unclosed = rss(`<item><description>one <b>two</b></item><item><title>next</title></item>`);
    expect(wrapMarkupBodies(unclosed)).toEqual({ xml: unclosed, wrapped: 0 });
    const cut = `<rss><channel><item><description>one <b>two</b> thr`;
    expect(wrapMarkupBodies(cut)).toEqual({ xml: cut, wrapped: 0 });
  });

  it("skips an open tag that is text inside a CDATA section elsewhere", () => {
    const xml = rss(`<item><title><![CDATA[About <description> tags]]></title><description>ok</description></item>`);
    expect(wrapMarkupBodies(xml)).toEqual({ xml, wrapped: 0 });
  });
});

describe("parseFeed: RSS bodies written as markup", () => {
  it("keeps words and links in order (Reddit's RSS)", async () => {
    const file = join(import.meta.dirname, "../fixtures/corpus/rss-parser__reddit-atom.rss");
    const feed = await parseFeed(readFileSync(file, "utf8"), opts);
    expect(feed.items).toHaveLength(24);
    const body = feed.items[0]?.summary ?? "";
    // In the source: "submitted by <a …>benjaab123</a> to <a …>space</a>".
    const order = ["submitted by", ">benjaab123</a>", "to<a", ">space</a>", ">[link]</a>", ">[959 comments]</a>"].map((s) => body.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("keeps a body whose HTML is not well-formed XML, with no repair", async () => {
    const feed = await parseFeed(
      rss(`<item><title>one</title><description>line one<br>line two &nbsp; <b>bold</b> end</description></item>
<item><title>two</title><description>plain &amp; escaped &lt;p&gt;x&lt;/p&gt;</description></item>`),
      opts,
    );
    expect(feed.items.map((i) => i.summary)).toEqual(["line one<br>line two &nbsp; <b>bold</b> end", "plain & escaped <p>x</p>"]);
    expect(feed.repairs).toEqual([]);
  });
});

describe("wrapMarkupBodies: nesting", () => {
  it("wraps a long body of void elements, and leaves nesting deeper than 1,000 to the parser", () => {
    const voids = rss(`<item><description>${"line<br>".repeat(3000)}<img src="a.png"><hr/></description></item>`);
    expect(wrapMarkupBodies(voids).wrapped).toBe(1);
    const deep = rss(`<item><description>${"<div>".repeat(1001)}x${"</div>".repeat(1001)}</description></item>`);
    expect(wrapMarkupBodies(deep)).toEqual({ xml: deep, wrapped: 0 });
    const fine = rss(`<item><description>${"<div>".repeat(1000)}x${"</div>".repeat(1000)}</description></item>`);
    expect(wrapMarkupBodies(fine).wrapped).toBe(1);
  });
});
