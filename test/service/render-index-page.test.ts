import { describe, expect, it } from "vitest";
import type { Entry } from "../../src/model/index.js";
import { renderIndexPage } from "../../src/write/index.js";

function entry(id: string, title: string, topics: string[], published: string): Entry {
  return {
    id: `https://news.example/${id}`,
    sourceId: "wire",
    title,
    link: `https://news.example/${id}`,
    published,
    firstSeen: published,
    authors: [],
    summary: "",
    contentHtml: "",
    categories: [],
    enclosures: [],
    wordCount: 0,
    readingTimeMin: 0,
    topics: topics.map((t) => ({ id: t, label: t.toUpperCase(), iptcCode: "medtop:1", iptcLabel: t, iptcAncestors: [], score: 1, matches: [] })),
    entities: [],
    contentHash: id,
  };
}

const latest = [entry("b", 'Quote " & <b>bold</b>', ["military"], "2026-01-02T00:00:00.000Z"), entry("a", "Plain", [], "2026-01-01T00:00:00.000Z")];
const input = {
  title: "Site <x>",
  baseUrl: "https://feeds.example/",
  formats: ["rss", "atom", "json"] as const,
  feeds: [
    { title: "All", path: "all", group: "All", entryCount: 2 },
    { title: "Military", path: "topics/military", group: "Topics", entryCount: 1 },
  ],
  topics: [{ id: "military", label: "Military", entries: [latest[0]!] }],
  latest,
  sourceTitles: { wire: "Wire" },
};

describe("renderIndexPage", () => {
  const html = renderIndexPage({ ...input, formats: [...input.formats] });

  it("is deterministic: same input, same bytes, no clock", () => {
    expect(renderIndexPage({ ...input, formats: [...input.formats] })).toBe(html);
    expect(html).toContain('<time datetime="2026-01-02T00:00:00.000Z">');
  });

  it("escapes every value and holds no script", () => {
    expect(html).toContain("Quote &quot; &amp; &lt;b&gt;bold&lt;/b&gt;");
    expect(html).toContain("<title>Site &lt;x&gt;</title>");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("<b>bold");
  });

  it("has autodiscovery links, a viewport and a topic filter with anchors", () => {
    expect(html).toContain(
      '<link rel="alternate" type="application/feed+json" title="Military (JSON Feed)" href="https://feeds.example/topics/military.json">',
    );
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<a href="#topic-military">Military <span class="muted">(1)</span></a>');
    expect(html).toContain('<section class="panel" id="topic-military" data-topic="military">');
    // The unfiltered list comes last so CSS `:target ~ #latest-all` can hide it.
    expect(html.indexOf('id="latest-all"')).toBeGreaterThan(html.indexOf('id="topic-military"'));
  });
});
