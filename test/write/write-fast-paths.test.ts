import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/model/index.js";
import { stripIllegalXmlChars } from "../../src/shared/xml-text.js";
import { renderJsonFeed, renderJsonFeedBytes, writeFileAtomic } from "../../src/write/index.js";

// The reference: the global replace every text went through before the fast path.
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

describe("stripIllegalXmlChars", () => {
  it("gives what the full replace gives, clean or not", () => {
    const samples = [
      "",
      "plain ascii",
      "tab\tnewline\ncr\r",
      "emoji 😀 pairs 𝔘",
      "nul\u0000 bell\u0007 vt\u000B ff\u000C esc\u001B",
      "lone high \uD800 end",
      "lone low \uDC00 end",
      "reversed \uDC00\uD800",
      "ends high \uD83D",
      "\uDE00 starts low",
      "nonchars \uFFFE\uFFFF kept \uFFFD",
      "mixed 😀\u0001\uD800x",
    ];
    for (const s of samples) expect(stripIllegalXmlChars(s), JSON.stringify(s)).toBe(s.replace(ILLEGAL, ""));
  });

  it("returns the same string object when there is nothing to strip", () => {
    const s = "Café — 😀 ok";
    expect(stripIllegalXmlChars(s)).toBe(s);
  });
});

function entry(over: Partial<Entry>): Entry {
  return {
    id: "https://example.com/1",
    sourceId: "s",
    title: "t",
    link: "https://example.com/1",
    published: "2026-01-01T00:00:00.000Z",
    firstSeen: "2026-01-01T00:00:00.000Z",
    authors: [],
    summary: "s",
    contentHtml: "<p>x</p>",
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

const META = { path: "all", title: "t", description: "d", baseUrl: "http://127.0.0.1/", homePage: "http://127.0.0.1/", topicScheme: "http://x/" };

/** A topic whose one match is `phrase`. */
function topicMatching(phrase: string) {
  return { id: "t", label: "T", iptcCode: "medtop:1", iptcLabel: "l", iptcAncestors: [], score: 1, matches: [{ phrase, field: "body" as const, count: 1 }] };
}

describe("renderJsonFeed", () => {
  it("stays valid JSON without raw controls, lone surrogates or noncharacters", () => {
    const nasty = "a\u0000b\u0007c\uD800d\uDC00e\uFFFEf\uFFFFg😀";
    const text = renderJsonFeed([entry({ title: nasty, summary: nasty, contentHtml: `<p>${nasty}</p>`, authors: [nasty] })], {
      path: "all",
      title: "t",
      description: "d",
      baseUrl: "http://127.0.0.1/",
      homePage: "http://127.0.0.1/",
      topicScheme: "http://cv.iptc.org/newscodes/mediatopic/",
    });
    const parsed = JSON.parse(text) as { items: Array<{ title: string }> };
    // JSON escapes the controls and lone surrogates; the noncharacters XML forbids are removed.
    expect(parsed.items[0]!.title).toBe("a\u0000b\u0007c\uD800d\uDC00efg😀");
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\uFFFE\uFFFF]/);
    expect((text as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(true);
  });

  it("finds a noncharacter however deep it sits (an entity name, a matched phrase)", () => {
    for (const e of [entry({ entities: [{ name: "Acme\uFFFE", kind: "organization" }] }), entry({ topics: [topicMatching("p\uFFFFq")] })]) {
      const text = renderJsonFeed([e], META);
      expect(text).not.toMatch(/[\uFFFE\uFFFF]/);
      expect(text).toContain(e.entities.length > 0 ? '"Acme"' : '"pq"');
    }
  });
});

describe("renderJsonFeedBytes", () => {
  it("writes what JSON.stringify(feed, null, 2) writes, items stringified one by one included", () => {
    const meta = META;
    const many = [0, 1, 2].map((n) =>
      entry({
        id: `https://news.example.org/${n}`,
        title: `Line\nbreak "${n}" \\ ""items": 0" "content_html": "\u0001"`,
        contentHtml: `<p class="a">Body ${n}\n\u0001 "quoted" \\ </p>`,
        topics: [topicMatching("p")],
        authors: ["A", "B"],
      }),
    );
    for (const entries of [[], [entry({})], many]) {
      for (const m of [meta, { ...meta, title: '"items": 0', language: "en", hub: "https://hub.example/" }]) {
        const text = renderJsonFeedBytes(entries, m).toString("utf8");
        expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
        const items = (JSON.parse(text) as { items: Array<{ content_html: string }> }).items;
        expect(items).toHaveLength(entries.length);
        expect(items.map((i) => i.content_html)).toEqual(entries.map((e) => e.contentHtml || `<p>${e.summary}</p>`));
      }
    }
  });

  it("is the UTF-8 of renderJsonFeed's text, newline included, for plain, non-Latin-1 and cleaned text", () => {
    const meta = META;
    for (const title of ["Plain title", "Año nuevo — “quoted” 😀", "with a noncharacter \uFFFF here"]) {
      const entries = [entry({ title, contentHtml: `<p>${title}</p>` }), entry({ id: "https://news.example.org/2", summary: title })];
      const bytes = renderJsonFeedBytes(entries, meta);
      expect(bytes.equals(Buffer.from(renderJsonFeed(entries, meta), "utf8"))).toBe(true);
      expect(bytes.at(-1)).toBe(0x0a);
      expect((JSON.parse(bytes.toString("utf8")) as { items: Array<{ title: string }> }).items[0]!.title).toBe(title.replace("\uFFFF", ""));
    }
  });
});

describe("writeFileAtomic", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves identical bytes untouched and replaces same-size or other-size changes", () => {
    dir = mkdtempSync(join(tmpdir(), "fe-write-"));
    const path = join(dir, "out", "all.rss");
    expect(writeFileAtomic(path, "abcdef")).toBe(true);
    const old = new Date("2020-01-01T00:00:00Z");
    utimesSync(path, old, old);
    expect(writeFileAtomic(path, "abcdef")).toBe(false);
    expect(statSync(path).mtimeMs).toBe(old.getTime());
    expect(writeFileAtomic(path, "abcdeX")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("abcdeX");
    expect(writeFileAtomic(path, "longer content")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("longer content");
    writeFileSync(path, "");
    expect(writeFileAtomic(path, "")).toBe(false);
  });

  it("defers the folder fsync to the caller when asked", () => {
    dir = mkdtempSync(join(tmpdir(), "fe-write-"));
    const renamedIn = new Set<string>();
    expect(writeFileAtomic(join(dir, "a.json"), "{}", { deferDirSync: renamedIn })).toBe(true);
    expect(writeFileAtomic(join(dir, "a.json"), "{}", { deferDirSync: renamedIn })).toBe(false);
    expect([...renamedIn]).toEqual([dir]);
  });
});
