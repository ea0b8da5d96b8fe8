import { describe, expect, it } from "vitest";
import type { RawFeed, RawItem } from "../../src/model/index.js";
import { type NormalizeOptions, normalizeFeed } from "../../src/normalize/index.js";

const NOW = "2025-02-01T12:00:00.000Z";
const OPTIONS: NormalizeOptions = {
  sourceId: "test",
  feedUrl: "https://feeds.example.org/news.rss",
  trackingParams: ["utm_*", "fbclid"],
  boilerplate: [],
  now: NOW,
};

function feed(items: Array<Partial<RawItem>>, extra: Partial<RawFeed> = {}): RawFeed {
  return {
    format: "rss",
    link: "https://www.example.org/news/",
    repairs: [],
    items: items.map((i) => ({ authors: [], categories: [], enclosures: [], media: [], ...i })),
    ...extra,
  };
}

function one(item: Partial<RawItem>, options: Partial<NormalizeOptions> = {}, extra: Partial<RawFeed> = {}) {
  const entries = normalizeFeed(feed([item], extra), { ...OPTIONS, ...options });
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe("ids", () => {
  it.each<[Partial<RawItem>, string, string]>([
    [{ guid: "https://www.example.org/news/1", guidIsPermaLink: true }, "https://www.example.org/news/1", "permalink guid"],
    [{ guid: "tag:example.org,2025:news-1" }, "tag:example.org,2025:news-1", "tag: URI (RFC 4151)"],
    [{ guid: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a" }, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "Atom id from RFC 4287 §1.1"],
  ])("keeps an absolute-URI guid: %j → %s (%s)", (item, id) => {
    expect(one({ title: "T", link: "https://www.example.org/x", ...item }).id).toBe(id);
  });

  it("turns a non-URI guid into a name-based urn:uuid that does not depend on the rest of the item", () => {
    const a = one({ guid: "374817 at https://www.radiohc.cu", guidIsPermaLink: false, title: "Old title", link: "https://www.example.org/a" });
    const b = one({ guid: "374817 at https://www.radiohc.cu", guidIsPermaLink: false, title: "New title", link: "https://www.example.org/b?utm_source=x" });
    expect(a.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.id).toBe(a.id);
    // Pinned: the id of this guid must never change between versions, or readers show every story again.
    expect(one({ guid: "374817 at https://www.radiohc.cu", title: "T" }, { sourceId: "radiohc-sample" }).id).toBe(
      "urn:uuid:2086b673-0761-5be4-b6ac-ebe97503f12d",
    );
    // Another source with the same guid text is another story.
    expect(one({ guid: "374817 at https://www.radiohc.cu", title: "T" }, { sourceId: "other" }).id).not.toBe(a.id);
  });

  it("falls back to the canonical link (tracking parameters removed) when there is no guid", () => {
    expect(one({ title: "T", link: "/news/2?utm_source=rss&id=2" }).id).toBe("https://www.example.org/news/2?id=2");
  });

  it.each(["", "0", "null", "undefined"])("treats the placeholder guid %j as no guid", (guid) => {
    expect(one({ guid, title: "T", link: "https://www.example.org/n/3" }).id).toBe("https://www.example.org/n/3");
  });

  it("hashes source, title and date when there is neither guid nor link, the same for any spelling of the date", () => {
    const rfc822 = one({ title: "Breaking news", published: "Thu, 23 Jan 2025 14:10:00 -0500", summary: "Body text." });
    const rfc3339 = one({ title: "Breaking  <b>news</b>", published: "2025-01-23T19:10:00Z", summary: "Body text." });
    expect(rfc822.id).toMatch(/^urn:uuid:/);
    expect(rfc3339.id).toBe(rfc822.id);
    expect(one({ title: "Other news", published: "2025-01-23T19:10:00Z" }).id).not.toBe(rfc822.id);
  });

  it("keeps a story once when the feed repeats it (same id or same canonical link)", () => {
    const entries = normalizeFeed(
      feed([
        { guid: "a", title: "First", link: "https://www.example.org/1" },
        { guid: "a", title: "First again", link: "https://www.example.org/1-copy" },
        { guid: "b", title: "Same link", link: "https://www.example.org/1?utm_campaign=x" },
        { guid: "c", title: "Other", link: "https://www.example.org/2" },
      ]),
      OPTIONS,
    );
    expect(entries.map((e) => e.title)).toEqual(["First", "Other"]);
  });

  it("does not merge items whose shared link is the site's home page (podcast episodes)", () => {
    const episodes = [1, 2, 3, 4].map((n) => ({ guid: `episode-${n}`, title: `Episode ${n}`, link: "https://podcast.example.org/" }));
    const entries = normalizeFeed(feed([...episodes, { guid: "x", title: "Home", link: "https://www.example.org/news/" }]), OPTIONS);
    expect(entries.map((e) => e.title)).toEqual(["Episode 1", "Episode 2", "Episode 3", "Episode 4", "Home"]);
  });
});

describe("links", () => {
  it("resolves against xml:base, then the feed link, then the feed URL", () => {
    expect(one({ title: "T", link: "a.html", base: "http://example.com/test/" }).link).toBe("http://example.com/test/a.html");
    expect(one({ title: "T", link: "a.html" }).link).toBe("https://www.example.org/news/a.html");
    expect(one({ title: "T", link: "a.html" }, {}, { link: undefined }).link).toBe("https://feeds.example.org/a.html");
  });

  it("drops javascript: links and uses a permalink guid instead of a missing link", () => {
    expect(one({ title: "T", link: "javascript:alert(1)" }).link).toBeUndefined();
    expect(one({ title: "T", guid: "https://www.example.org/p/9?fbclid=1", guidIsPermaLink: true }).link).toBe("https://www.example.org/p/9");
  });
});

describe("dates", () => {
  it("keeps published and updated apart", () => {
    const e = one({ title: "T", link: "https://x.example/1", published: "2025-01-23T10:00:00Z", updated: "2025-01-24T08:00:00+01:00" });
    expect(e.published).toBe("2025-01-23T10:00:00.000Z");
    expect(e.updated).toBe("2025-01-24T07:00:00.000Z");
  });

  it("uses an only-updated date as published and omits an updated equal to published", () => {
    expect(one({ title: "T", link: "https://x.example/1", updated: "2025-01-23T10:00:00Z" })).toMatchObject({ published: "2025-01-23T10:00:00.000Z" });
    expect(one({ title: "T", link: "https://x.example/1", updated: "2025-01-23T10:00:00Z" }).updated).toBeUndefined();
    expect(one({ title: "T", link: "https://x.example/1", published: "2025-01-23T10:00:00Z", updated: "2025-01-23T10:00:00Z" }).updated).toBeUndefined();
  });

  it("clamps a date beyond the tolerance in the future to now, and keeps one within it", () => {
    expect(one({ title: "T", link: "https://x.example/1", published: "2030-01-01T00:00:00Z" }).published).toBe(NOW);
    expect(one({ title: "T", link: "https://x.example/1", published: "2025-02-01T12:05:00Z" }).published).toBe("2025-02-01T12:05:00.000Z");
  });

  it("leaves an undated entry without published and files it under firstSeen, kept from the store in later runs", () => {
    const first = one({ title: "Undated", link: "https://x.example/u" });
    expect(first.published).toBeUndefined();
    expect(first.firstSeen).toBe(NOW);
    const store = new Map([[first.id, first.firstSeen]]);
    const later = one({ title: "Undated", link: "https://x.example/u" }, { now: "2025-02-02T00:00:00.000Z", firstSeenOf: (id) => store.get(id) });
    expect(later.firstSeen).toBe(NOW);
    expect(later.contentHash).toBe(first.contentHash);
    const unknown = one({ title: "New", link: "https://x.example/n" }, { now: "2025-02-02T00:00:00.000Z", firstSeenOf: (id) => store.get(id) });
    expect(unknown.firstSeen).toBe("2025-02-02T00:00:00.000Z");
  });

  it("ignores an unreadable date instead of failing the item", () => {
    expect(one({ title: "T", link: "https://x.example/1", published: "not a date" }).published).toBeUndefined();
  });
});

describe("authors and images", () => {
  it("reads names from dc:creator, RSS author e-mails and itunes:author, once each", () => {
    const e = one({ title: "T", link: "https://x.example/1", authors: ["Jane Doe", "jane@example.com (Jane Doe)", "John Roe <john@example.com>", "  "] });
    expect(e.authors).toEqual(["Jane Doe", "John Roe"]);
  });

  it("takes the lead image from an image enclosure with its type and size", () => {
    const e = one({ title: "T", link: "https://x.example/1", enclosures: [{ url: "/img/a.jpg", type: "image/jpeg", length: 12345 }] });
    expect(e.image).toEqual({ url: "https://www.example.org/img/a.jpg", type: "image/jpeg", length: 12345 });
    expect(e.enclosures).toEqual([]);
  });

  it("takes the widest media:content rendition, with caption and credit (Guardian style)", () => {
    // From corpus rss-parser__guardian.rss (two media:content renditions, media:credit "Photograph: …").
    const e = one({
      title: "T",
      link: "https://x.example/1",
      media: [
        { url: "https://i.guim.co.uk/img/a.jpg?width=140", width: 140, medium: "image", credit: "Photograph: POOL/Reuters" },
        { url: "https://i.guim.co.uk/img/a.jpg?width=460", width: 460, medium: "image", description: "Donald Trump", credit: "Photograph: POOL/Reuters" },
      ],
    });
    expect(e.image).toEqual({ url: "https://i.guim.co.uk/img/a.jpg?width=460", width: 460, caption: "Donald Trump", credit: "POOL/Reuters" });
  });

  it("falls back to the first content image, lazy-loaded source preferred", () => {
    const e = one({ title: "T", link: "https://x.example/1", content: '<p><img src="/blank.gif" data-src="/img/real.jpg" width="640"></p><p>Text.</p>' });
    expect(e.image).toEqual({ url: "https://www.example.org/img/real.jpg", width: 640 });
    expect(e.contentHtml).toContain('src="https://www.example.org/img/real.jpg"');
    expect(e.contentHtml).not.toContain("blank.gif");
  });

  it("keeps non-image enclosures (podcasts) as enclosures", () => {
    const e = one({ title: "T", link: "https://x.example/1", enclosures: [{ url: "https://x.example/ep1.mp3", type: "audio/mpeg", length: 999 }] });
    expect(e.enclosures).toEqual([{ url: "https://x.example/ep1.mp3", type: "audio/mpeg", length: 999 }]);
    expect(e.image).toBeUndefined();
  });
});

describe("text and language", () => {
  const SPANISH =
    "El Gobierno aprobó este lunes un nuevo paquete de medidas económicas para hacer frente a la inflación, que afectará a millones de familias en todo el país durante los próximos meses.";
  const ENGLISH =
    "The U.S. military has started to send 1,500 active-duty troops to the country's southern border with Mexico, as part of President Donald Trump's long-promised crackdown on immigration.";

  it("detects the language when neither the item nor the feed says", () => {
    expect(one({ title: "Medidas económicas", link: "https://x.example/1", summary: `<p>${SPANISH}</p>` }).language).toBe("es");
    expect(one({ title: "Troops", link: "https://x.example/2", summary: `<p>${ENGLISH}</p>` }).language).toBe("en");
  });

  it("prefers the item's language, then the feed's, then the source default, over detection", () => {
    expect(one({ title: "T", link: "https://x.example/1", summary: SPANISH, language: "pt-BR" }).language).toBe("pt");
    expect(one({ title: "T", link: "https://x.example/1", summary: SPANISH }, {}, { language: "en-US" }).language).toBe("en");
    expect(one({ title: "T", link: "https://x.example/1", summary: SPANISH }, { defaultLanguage: "fr" }).language).toBe("fr");
  });

  it("counts words and reading time of the body", () => {
    const e = one({ title: "T", link: "https://x.example/1", content: `<p>${"word ".repeat(460)}</p>` });
    expect(e.wordCount).toBe(460);
    expect(e.readingTimeMin).toBe(2);
  });

  it("summarizes the body as plain text when there is no description", () => {
    const e = one({ title: "T", link: "https://x.example/1", content: `<p><b>${ENGLISH}</b></p><p>${ENGLISH}</p>` });
    expect(e.summary).toBe(ENGLISH);
  });

  it("drops an item with neither title, text nor link", () => {
    expect(normalizeFeed(feed([{ summary: "  " }]), OPTIONS)).toEqual([]);
  });

  it("titles an untitled item from its text", () => {
    expect(one({ link: "https://x.example/1", summary: ENGLISH }).title).toBe(
      "The U.S. military has started to send 1,500 active-duty troops to the country's…",
    );
  });
});

describe("Google Alerts titles", () => {
  it("decodes the escaped <b> markup once and removes it", () => {
    // Title as rss-parser hands it over from corpus feedjira__google_alerts_atom.xml (type="html").
    const e = one({ title: "Recode Daily: <b>Slack</b> has a Snap problem &amp;amp; more", link: "https://x.example/1" });
    expect(e.title).toBe("Recode Daily: Slack has a Snap problem &amp; more");
  });
});

describe("links resolved once per feed", () => {
  it("cleans links but not media URLs, item after item, with the same URL in both roles", () => {
    const photo = "https://cdn.example.org/p.jpg?utm_source=rss&v=2";
    const items: Array<Partial<RawItem>> = [1, 2].map((n) => ({
      title: `Story ${n}`,
      link: `https://www.google.com/url?rct=j&url=https://www.example.org/s${n}?utm_medium=x%26id%3D${n}&ct=ga`,
      content: `<p>Text <a href="${photo}">photo</a> <a href="/rel?fbclid=1&amp;k=${n}">rel</a></p>`,
      enclosures: [{ url: photo, type: "image/jpeg" }],
    }));
    const entries = normalizeFeed(feed(items), OPTIONS);
    expect(entries.map((e) => e.link)).toEqual(["https://www.example.org/s1?id=1", "https://www.example.org/s2?id=2"]);
    for (const [i, e] of entries.entries()) {
      expect(e.image?.url).toBe(photo);
      expect(e.contentHtml).toContain('href="https://cdn.example.org/p.jpg?v=2"');
      expect(e.contentHtml).toContain(`href="https://www.example.org/rel?k=${i + 1}"`);
    }
  });
});

describe("contentHash", () => {
  const base: Partial<RawItem> = {
    title: "Troops sent to the border",
    link: "https://www.example.org/a",
    published: "2025-01-23T10:00:00Z",
    authors: ["Ana López"],
    categories: [{ term: "World" }],
    content: "<p>WASHINGTON (AP) — The story.</p><p>Second paragraph.</p>",
    enclosures: [{ url: "https://media.example.org/a.jpg", type: "image/jpeg" }],
  };

  it("is the same for the same item in another run, and 16 hex digits (XXH3-64)", () => {
    const a = one(base);
    expect(a.contentHash).toMatch(/^[0-9a-f]{16}$/);
    expect(one(base, { now: "2025-03-01T00:00:00.000Z" }).contentHash).toBe(a.contentHash);
  });

  it("changes when anything the source said changes: content, title, link, date, author, category or image", () => {
    const hashes = [
      one(base),
      one({ ...base, content: "<p>WASHINGTON (AP) — The story.</p><p>Second paragraph!</p>" }),
      one({ ...base, title: "Troops sent to the borders" }),
      one({ ...base, link: "https://www.example.org/b" }),
      one({ ...base, published: "2025-01-23T10:00:01Z" }),
      one({ ...base, authors: ["Ana Lopez"] }),
      one({ ...base, categories: [{ term: "World", scheme: "https://www.example.org/sections" }] }),
      one({ ...base, enclosures: [{ url: "https://media.example.org/b.jpg", type: "image/jpeg" }] }),
    ].map((e) => e.contentHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
