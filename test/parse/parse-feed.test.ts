import Parser from "rss-parser";
import rssParserUtils from "rss-parser/lib/utils.js";
import { describe, expect, it } from "vitest";
import { ParseError, parseFeed } from "../../src/parse/index.js";

const opts = { timeoutMs: 10_000 };

async function parseError(xml: string): Promise<ParseError> {
  try {
    await parseFeed(xml, opts);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error("expected a ParseError");
}

describe("parseFeed: formats", () => {
  it("RSS 0.91 with a Netscape DOCTYPE", async () => {
    const feed = await parseFeed(
      `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://example.com/</link><description>d</description>
<item><title>One</title><link>http://example.com/1</link><description>first</description></item>
<item><title>Two</title><link>http://example.com/2</link></item></channel></rss>`,
      opts,
    );
    expect(feed.format).toBe("rss");
    expect(feed.title).toBe("Old");
    expect(feed.items.map((i) => [i.title, i.link, i.summary])).toEqual([
      ["One", "http://example.com/1", "first"],
      ["Two", "http://example.com/2", undefined],
    ]);
  });

  it("RSS 1.0 (RDF) items sit beside the channel and take dc:date and dc:creator", async () => {
    const feed = await parseFeed(
      `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://example.com/"><title>RDF</title><link>http://example.com/</link><description>d</description></channel>
<item rdf:about="http://example.com/a"><title>A</title><link>http://example.com/a</link><dc:date>2024-03-01T10:00:00Z</dc:date><dc:creator>Ana</dc:creator></item>
</rdf:RDF>`,
      opts,
    );
    expect(feed.format).toBe("rdf");
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({ title: "A", link: "http://example.com/a", published: "2024-03-01T10:00:00Z", authors: ["Ana"] });
  });

  it("RSS 2.0 without a version attribute still gives entries", async () => {
    const feed = await parseFeed("<rss><channel><title>t</title><item><title>x</title></item></channel></rss>", opts);
    expect(feed.items.map((i) => i.title)).toEqual(["x"]);
  });

  it("an empty <rss> is a feed with no entries, not a crash", async () => {
    for (const xml of ["<rss/>", '<rss version="2.0">\n</rss>', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>']) {
      const feed = await parseFeed(xml, opts);
      expect(feed.items).toEqual([]);
    }
  });

  it("empty <entry>, <item> and <channel> elements do not crash rss-parser", async () => {
    const atom = await parseFeed("<feed><title>t</title><entry>\n </entry><entry><title>b</title></entry></feed>", opts);
    expect(atom.items.map((i) => i.title)).toEqual([undefined, "b"]);
    const rss = await parseFeed("<rss version='2.0'><channel><title>t</title><item> </item><item><title>b</title></item></channel></rss>", opts);
    expect(rss.items.map((i) => i.link)).toEqual([undefined, undefined]);
    expect((await parseFeed("<rss version='2.0'><channel> </channel></rss>", opts)).items).toEqual([]);
  });

  it("Atom 0.3 dates (issued, modified) are read", async () => {
    const feed = await parseFeed(
      `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title>
<entry><title>E</title><link rel="alternate" type="text/html" href="http://example.com/e"/><id>tag:example.com,2004:e</id>
<issued>2004-04-20T11:56:34Z</issued><modified>2004-04-21T11:56:34Z</modified></entry></feed>`,
      opts,
    );
    expect(feed.format).toBe("atom");
    expect(feed.items[0]).toMatchObject({
      title: "E",
      link: "http://example.com/e",
      guid: "tag:example.com,2004:e",
      published: "2004-04-20T11:56:34Z",
      updated: "2004-04-21T11:56:34Z",
    });
  });
});

describe("parseFeed: what rss-parser leaves out", () => {
  it("Atom categories keep term, scheme and label; authors and content come through", async () => {
    const feed = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>E</title><id>urn:x:1</id><link href="http://example.com/e"/><link rel="enclosure" href="http://example.com/e.mp3"/>
<author><name>Bo</name></author><category term="immigration" scheme="http://example.com/topics" label="Immigration"/><category term="border"/>
<summary>short</summary><content type="html">&lt;p&gt;long&lt;/p&gt;</content><published>2024-01-02T03:04:05Z</published></entry></feed>`,
      opts,
    );
    const [item] = feed.items;
    expect(item?.categories).toEqual([{ term: "immigration", scheme: "http://example.com/topics", label: "Immigration" }, { term: "border" }]);
    expect(item).toMatchObject({ link: "http://example.com/e", authors: ["Bo"], summary: "short", content: "<p>long</p>" });
  });

  it("RSS categories with domain, enclosures, media:content/group/thumbnail, dc:creator, content:encoded", async () => {
    const feed = await parseFeed(
      `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>t</title><item><title>I</title><link>http://example.com/i</link><guid isPermaLink="false">abc-1</guid>
<category domain="http://example.com/sections">World</category><category>Plain</category>
<dc:creator>Carla Díaz</dc:creator><description>teaser</description><content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>
<enclosure url="http://example.com/a.mp3" length="1234" type="audio/mpeg"/>
<media:content url="http://example.com/photo.jpg" medium="image" width="800" height="600"><media:title>Photo</media:title><media:credit>AP</media:credit></media:content>
<media:group><media:content url="http://example.com/v.mp4" type="video/mp4"/><media:thumbnail url="http://example.com/v.jpg"/></media:group>
<media:thumbnail url="http://example.com/t.jpg" width="120"/>
</item></channel></rss>`,
      opts,
    );
    const [item] = feed.items;
    expect(item?.guid).toBe("abc-1");
    expect(item?.guidIsPermaLink).toBe(false);
    expect(item?.categories).toEqual([{ term: "World", scheme: "http://example.com/sections" }, { term: "Plain" }]);
    expect(item?.authors).toEqual(["Carla Díaz"]);
    expect(item?.summary).toBe("teaser");
    expect(item?.content).toBe("<p>Full <b>text</b></p>");
    expect(item?.enclosures).toEqual([{ url: "http://example.com/a.mp3", type: "audio/mpeg", length: 1234 }]);
    expect(item?.media).toEqual([
      { url: "http://example.com/photo.jpg", medium: "image", width: 800, height: 600, title: "Photo", credit: "AP" },
      { url: "http://example.com/v.mp4", type: "video/mp4" },
      { url: "http://example.com/v.jpg", medium: "image" },
      { url: "http://example.com/t.jpg", medium: "image", width: 120 },
    ]);
  });

  it("takes a video's Media RSS description as the body of an item that has none (YouTube channels)", async () => {
    const feed = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>Channel</title>
<entry><id>yt:video:1</id><title>Plain</title><link rel="alternate" href="https://www.youtube.com/watch?v=1"/>
<media:group><media:title>Plain</media:title><media:thumbnail url="https://i.ytimg.com/vi/1/hqdefault.jpg"/>
<media:description>Tools &amp; tips for x &lt; 3
Line two

Second paragraph: https://example.org/a?b=1&amp;c=2</media:description></media:group></entry>
<entry><id>yt:video:2</id><title>Html</title><link rel="alternate" href="https://www.youtube.com/watch?v=2"/>
<media:description type="html">&lt;p&gt;Already &lt;b&gt;HTML&lt;/b&gt;&lt;/p&gt;</media:description></entry>
<entry><id>yt:video:3</id><title>Own summary</title><link rel="alternate" href="https://www.youtube.com/watch?v=3"/><summary>Its own</summary>
<media:group><media:description>Not this</media:description></media:group></entry>
<entry><id>yt:video:4</id><title>Empty</title><link rel="alternate" href="https://www.youtube.com/watch?v=4"/>
<media:group><media:description></media:description></media:group></entry>
</feed>`,
      opts,
    );
    const [plain, html, own, empty] = feed.items;
    expect(plain?.summary).toBe("<p>Tools &amp; tips for x &lt; 3<br>Line two</p><p>Second paragraph: https://example.org/a?b=1&amp;c=2</p>");
    expect(html?.summary).toBe("<p>Already <b>HTML</b></p>");
    expect(own?.summary).toBe("Its own");
    expect(empty?.summary).toBeUndefined();
    expect(empty?.content).toBeUndefined();
  });

  it("xml:base on the feed and on each entry is resolved and handed on per item", async () => {
    const feed = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.com/blog/"><title>t</title>
<entry xml:base="2024/"><title>A</title><link href="post-a.html"/></entry>
<entry><title>B</title><link href="/b.html"/></entry></feed>`,
      opts,
    );
    expect(feed.base).toBe("http://example.com/blog/");
    expect(feed.items.map((i) => [i.link, i.base])).toEqual([
      ["post-a.html", "http://example.com/blog/2024/"],
      ["/b.html", "http://example.com/blog/"],
    ]);
  });

  it("xml:base on an Atom <content> is handed on as contentBase, resolved against the entry's", async () => {
    const feed = await parseFeed(
      `<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:base="http://example.com/parent/"><entry xml:base="e/">
<content type="application/xhtml+xml" xml:base="../test/"><div xmlns="http://www.w3.org/1999/xhtml">Example <a href="test.html">test</a></div></content>
</entry><entry><content type="html">x</content></entry></feed>`,
      opts,
    );
    expect(feed.items[0]?.base).toBe("http://example.com/parent/e/");
    expect(feed.items[0]?.contentBase).toBe("http://example.com/parent/test/");
    expect(feed.items[1]?.contentBase).toBeUndefined();
  });

  it("xml:base on <rss> reaches the items", async () => {
    const feed = await parseFeed(
      '<rss version="2.0" xml:base="http://example.org/news/"><channel><title>t</title><item><title>x</title><link>a.html</link></item></channel></rss>',
      opts,
    );
    expect(feed.items[0]?.base).toBe("http://example.org/news/");
  });

  it("one invalid Atom date loses that field only, not the feed", async () => {
    const feed = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>bad</title><updated>yesterday-ish</updated></entry>
<entry><title>good</title><published>2024-05-06T07:08:09Z</published></entry></feed>`,
      opts,
    );
    expect(feed.items.map((i) => i.title)).toEqual(["bad", "good"]);
    expect(feed.items[0]?.updated).toBe("yesterday-ish");
    expect(feed.items[1]?.published).toBe("2024-05-06T07:08:09Z");
    expect(feed.repairs).toEqual([]);
  });

  it("a bad RSS date is kept as text for normalize to judge", async () => {
    const feed = await parseFeed(
      "<rss version='2.0'><channel><title>t</title><item><title>x</title><pubDate>not a date</pubDate></item></channel></rss>",
      opts,
    );
    expect(feed.items[0]?.published).toBe("not a date");
  });

  it("an Atom <link> written as text instead of href does not lose the feed", async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title><link>http://example.com/a</link></entry></feed>',
      opts,
    );
    expect(feed.items[0]?.link).toBe("http://example.com/a");
  });

  it("titles with child elements (Atom xhtml, HTML left in an RSS title) keep their text", async () => {
    const atom = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Feed <b>bold</b></div></title><entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Entry</div></title></entry></feed>',
      opts,
    );
    expect(atom.title).toBe("Feed bold");
    expect(atom.items[0]?.title).toBe("Entry");
    const rss = await parseFeed("<rss version='2.0'><channel><title>t</title><item><title>Hello <b>world</b></title></item></channel></rss>", opts);
    expect(rss.items[0]?.title).toBe("Hello world");
  });

  it("ttl and sy:updatePeriod become minutes", async () => {
    const ttl = await parseFeed("<rss version='2.0'><channel><title>t</title><ttl>45</ttl></channel></rss>", opts);
    expect(ttl.ttlMinutes).toBe(45);
    const sy = await parseFeed(
      "<rss version='2.0' xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'><channel><title>t</title><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>",
      opts,
    );
    expect(sy.ttlMinutes).toBe(30);
  });
});

describe("parseFeed: repairs (only when the document is not well-formed)", () => {
  it("a well-formed feed reports no repairs", async () => {
    const feed = await parseFeed("<rss version='2.0'><channel><title>a &amp; b</title><item><title>x</title></item></channel></rss>", opts);
    expect(feed.repairs).toEqual([]);
    expect(feed.title).toBe("a & b");
  });

  it("leading garbage before the declaration is dropped and reported", async () => {
    const feed = await parseFeed(
      "\uFEFF garbage\n<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item><title>x</title></item></channel></rss>",
      opts,
    );
    expect(feed.items).toHaveLength(1);
    expect(feed.repairs).toContain("removed text before the first tag");
  });

  it("a bare & and HTML named entities without a DTD are repaired, CDATA untouched", async () => {
    const feed = await parseFeed(
      "<rss version='2.0'><channel><title>Tom & Jerry</title><item><title>caf&eacute;&nbsp;ol&eacute; &mdash; &bogus; &#0; ok</title><description><![CDATA[a & b &nbsp;]]></description></item></channel></rss>",
      opts,
    );
    expect(feed.title).toBe("Tom & Jerry");
    expect(feed.items[0]?.title).toBe("café\u00A0olé — &bogus;  ok");
    expect(feed.items[0]?.summary).toBe("a & b &nbsp;");
    expect(feed.repairs).toEqual([
      "escaped 1 bare '&'",
      "mapped 4 HTML named entities to character references",
      "kept 1 unknown entity references as text",
      "removed 1 references to characters XML forbids",
    ]);
  });

  it("a truncated document keeps the entries before the cut", async () => {
    const full = "<rss version='2.0'><channel><title>t</title><item><title>one</title></item><item><title>two</title></item><item><title>thr";
    const feed = await parseFeed(full, opts);
    expect(feed.items.map((i) => i.title).slice(0, 2)).toEqual(["one", "two"]);
    expect(feed.repairs.some((r) => r.includes("truncated"))).toBe(true);
  });

  it("unbalanced tags: an element left open does not swallow the items after it", async () => {
    const feed = await parseFeed(
      `<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel><title>t</title>
<itunes:category text='Technology'>
<item><title>a</title><description>x <b>bold</description></item>
<item><title>b</title></item>
</channel></rss>`,
      opts,
    );
    expect(feed.items.map((i) => i.title)).toEqual(["a", "b"]);
    expect(feed.repairs).toContain("closed unbalanced elements (lenient re-parse)");
  });

  it("a DOCTYPE is stripped and its plain entities expanded", async () => {
    const feed = await parseFeed(
      `<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY brand "ACME &#169;"> <!ENTITY % ext PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent"> %ext; ]>
<rss version="2.0"><channel><title>&brand; news</title><item><title>x</title></item></channel></rss>`,
      opts,
    );
    expect(feed.title).toBe("ACME © news");
    expect(feed.repairs).toEqual(["expanded 1 references to DOCTYPE entities"]);
  });

  it("an XHTML DOCTYPE before a version-less <rss> does not hide the feed", async () => {
    const feed = await parseFeed(
      '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://site.invalid/">\n<rss><channel><title>found</title></channel></rss>',
      opts,
    );
    expect(feed.title).toBe("found");
  });
});

describe("parseFeed: clear errors", () => {
  it.each([
    ["", "empty"],
    ["   \n ", "empty"],
    ["<html><head><title>Document Moved</title></head><body>moved</body></html>", "not-a-feed"],
    ["just some text", "not-a-feed"],
    ['{"version":"https://jsonfeed.org/version/1.1"}', "not-a-feed"],
  ])("%j → %s", async (xml, code) => {
    const error = await parseError(xml);
    expect(error.code).toBe(code);
    expect(error.message.startsWith("parse: ")).toBe(true);
  });

  it("a feed beyond repair is a parse error naming the first problem", async () => {
    const error = await parseError("<rss><rss><channel><item><title>x</title></item></channel></rss></rss>");
    expect(error.code).toBe("parse");
  });
});

describe("parseFeed: rss-parser's snippets", () => {
  it("are not computed for this parser's feeds, and still are for another user of rss-parser", async () => {
    const xml = `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>https://e.org/</link><description>d</description>
<item><title>One</title><link>https://e.org/1</link><description>&lt;p&gt;First &amp;amp; short&lt;/p&gt;</description><content:encoded><![CDATA[<p>First body</p>]]></content:encoded></item>
<item><title>Two</title><link>https://e.org/2</link><description>Second</description></item>
</channel></rss>`;
    const original = rssParserUtils.getSnippet;
    if (original === undefined) throw new Error("rss-parser/lib/utils.js has no getSnippet: update parse-feed.ts's withoutSnippets");
    let calls = 0;
    rssParserUtils.getSnippet = (html) => {
      calls++;
      return original(html);
    };
    try {
      const feed = await parseFeed(xml, opts);
      expect(feed.items.map((i) => [i.title, i.summary, i.content])).toEqual([
        ["One", "<p>First &amp; short</p>", "<p>First body</p>"],
        ["Two", "Second", undefined],
      ]);
      expect(calls).toBe(0);
      const plain = await new Parser().parseString(xml);
      expect(calls).toBeGreaterThan(0);
      expect(plain.items[0]?.contentSnippet).toBe("First & short");
    } finally {
      rssParserUtils.getSnippet = original;
    }
  });
});
