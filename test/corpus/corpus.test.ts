import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeHTML } from "entities";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { detectHtmlPage, fetchSource, notAFeedError } from "../../src/fetch/index.js";
import type { Entry, RawFeed, Source } from "../../src/model/index.js";
import { normalizeFeed } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { FeedEnricherError } from "../../src/shared/errors.js";

// Every file of the corpus (test/fixtures/corpus, copied from the project's feed
// corpus; origins and licences in SOURCES.md there) goes through fetch → page
// check → decode → parse → normalize, as a refresh takes it, and is compared
// with what Universal Feed Parser recovers from the same bytes
// (feedparser-expected.json, made by make-feedparser-expectations.py).

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "corpus");

interface Expected {
  entries: number;
  distinctEntries: number;
  titles: string[];
  feedTitle: string;
}
interface Exceptions {
  entries: Record<string, string>;
  titles: Record<string, string>;
}

const expected = (JSON.parse(readFileSync(join(CORPUS, "feedparser-expected.json"), "utf8")) as { files: Record<string, Expected> }).files;
const exceptions = JSON.parse(readFileSync(join(CORPUS, "feedparser-exceptions.json"), "utf8")) as Exceptions;
const files = readdirSync(CORPUS)
  .filter((f) => !f.endsWith(".md") && !f.endsWith(".json"))
  .sort();

interface Outcome {
  feed?: RawFeed;
  entries: Entry[];
  error?: unknown;
}

const FETCH = { timeoutMs: 10_000, connectTimeoutMs: 5_000, maxBytes: 20_000_000, maxRedirects: 3, userAgent: "test", allowPrivate: false };
const CODES = new Set(["not-a-feed", "empty", "parse", "hostile-xml", "decode"]);

async function run(file: string): Promise<Outcome> {
  const source: Source = { id: file, title: file, file: join(CORPUS, file), schedule: "* * * * *", local: true, boilerplate: [] };
  try {
    const fetched = await fetchSource(source, {}, FETCH);
    if (fetched.status !== "ok") throw new Error("a file cannot be not-modified");
    // What refreshSource does before it decodes: an HTML page is refused, a feed behind a page's doctype is not.
    const page = detectHtmlPage(fetched.body, fetched.contentType, fetched.url);
    if (page) throw notAFeedError(fetched.url, page);
    const decoded = decodeBytes(fetched.body, fetched.contentType);
    const feed = await parseFeed(decoded.text, { timeoutMs: 20_000 });
    const entries = normalizeFeed(feed, { sourceId: file, feedUrl: fetched.url, trackingParams: [], boilerplate: [], now: "2026-01-01T00:00:00.000Z" });
    return { feed, entries };
  } catch (error) {
    return { entries: [], error };
  }
}

/** Titles compared as text: feedparser keeps HTML markup and entities in some titles, normalize makes them plain. */
function canonicalTitle(title: string): string {
  return decodeHTML(decodeHTML(title).replace(/<[^>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
}

const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  for (const file of files) outcomes.set(file, await run(file));
}, 600_000);

describe("corpus", () => {
  it("has every file described in SOURCES.md and in the feedparser expectations", () => {
    const sources = readFileSync(join(CORPUS, "SOURCES.md"), "utf8");
    expect(files.length).toBeGreaterThanOrEqual(100);
    for (const file of files) {
      expect(sources, file).toContain(`\`${file}\``);
      expect(expected[file], file).toBeDefined();
    }
  });

  it("every file yields entries or a clear coded error: zero crashes", () => {
    for (const file of files) {
      const { feed, error } = outcomes.get(file) as Outcome;
      if (error !== undefined) {
        expect(error, `${file}: ${String(error)}`).toBeInstanceOf(FeedEnricherError);
        expect(CODES, file).toContain((error as FeedEnricherError).code);
      } else {
        expect(feed?.items, file).toBeDefined();
      }
    }
  });

  it("parse recovers at least as many entries as feedparser on at least 95% of the files", () => {
    const below = files.filter((f) => (outcomes.get(f)?.feed?.items.length ?? 0) < (expected[f]?.entries ?? 0));
    expect(below).toEqual([]);
    expect((files.length - below.length) / files.length).toBeGreaterThanOrEqual(0.95);
  });

  it("after normalize, at least feedparser's distinct entries on at least 95% of the files; each shortfall is explained", () => {
    const below = files.filter((f) => (outcomes.get(f)?.entries.length ?? 0) < (expected[f]?.distinctEntries ?? 0));
    for (const f of below) expect(exceptions.entries, `${f} is below feedparser without a listed reason`).toHaveProperty([f]);
    expect((files.length - below.length) / files.length).toBeGreaterThanOrEqual(0.95);
  });

  it("entry titles match feedparser's (as text) on the files sampled, with listed exceptions", () => {
    let compared = 0;
    for (const file of files) {
      if (exceptions.titles[file] !== undefined) continue;
      const ours = new Set((outcomes.get(file)?.entries ?? []).map((e) => canonicalTitle(e.title)));
      for (const title of expected[file]?.titles ?? []) {
        if (canonicalTitle(title) === "") continue;
        expect(ours, `${file}: feedparser title ${JSON.stringify(title)}`).toContain(canonicalTitle(title));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(150);
  });

  it("feed titles match feedparser's (as text)", () => {
    for (const file of files) {
      const want = canonicalTitle(expected[file]?.feedTitle ?? "");
      if (want === "" || exceptions.titles[file] !== undefined) continue;
      expect(canonicalTitle(outcomes.get(file)?.feed?.title ?? ""), file).toBe(want);
    }
  });
});

describe("corpus: non-UTF-8 files come out with the right characters", () => {
  const title = (file: string) => outcomes.get(file)?.feed?.title;
  const entryTitles = (file: string) => (outcomes.get(file)?.entries ?? []).map((e) => e.title);
  const text = (file: string) => JSON.stringify(outcomes.get(file)?.feed);

  it("KOI8-R and windows-1251 (Cyrillic)", () => {
    expect(title("miniflux__koi8r.xml")).toBe("Пример RSS ленты");
    expect(entryTitles("miniflux__koi8r.xml")).toEqual(["Первая новость", "Вторая новость"]);
    expect(entryTitles("miniflux__encoding_WINDOWS-1251.xml")).toContain("Цитата #17703");
    expect(text("miniflux__encoding_WINDOWS-1251.xml")).not.toContain("\uFFFD");
  });

  it("EUC-KR and GB2312 (CJK)", () => {
    expect(title("feedparser__euc-kr.xml")).toBe("년");
    expect(title("rsparser__kc0011.rss")).toBe("投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文");
    expect(entryTitles("rsparser__kc0011.rss")).toContain("建国35周年纪念，华表，和平鸽");
  });

  it("ISO-8859-1 and windows-1252 (accents, the euro sign)", () => {
    expect(entryTitles("huginn__iso-8859-1.rss")).toEqual(["Mëkanïk Zaïn"]);
    expect(title("miniflux__iso-8859-1.xml")).toBe("Café");
    expect(title("miniflux__windows-1252.xml")).toBe("Euro €");
    expect(title("rss-parser__encoding.rss")).toBe("Jornal de Notícias - Últimas Notícias");
    expect(entryTitles("rss-parser__encoding.rss")).toContain("Mãe de utente é a nova presidente da Raríssimas");
    expect(text("miniflux__encoding_ISO-8859-1.xml")).toMatch(/[äöüß]/);
    expect(entryTitles("miniflux__no_encoding_ISO-8859-1.xml")).toContain("La criminalité liée surtout à... l'ennui ?");
    expect(entryTitles("rss-parser__uolNoticias.rss").some((t) => t.includes("inquérito"))).toBe(true);
  });

  it("a declaration that lies about UTF-8 bytes does not garble them", () => {
    expect(title("miniflux__utf8-incorrect-prolog.xml")).toBe("테스트 피드");
    expect(entryTitles("miniflux__utf8-incorrect-prolog.xml")).toEqual(["Café"]);
    expect(title("miniflux__windows-1252-incorrect-prolog.xml")).toBe("Euro €");
    expect(title("miniflux__invalid-prolog.xml")).toBe("테스트 피드");
  });

  it("UTF-16 with and without a BOM", () => {
    expect(outcomes.get("feedparser__utf-16le-bom.xml")?.feed?.items).toEqual([]);
    expect(entryTitles("simplepie__feed-utf16le.xml")).toEqual(["Test feed title 1"]);
    expect(title("simplepie__feed-utf16le.xml")).toBe("Test feed");
  });
});

describe("corpus: malformed files are repaired and say so", () => {
  it.each([
    ["feedjira__InvalidDateFormat.xml", 2, "truncated"],
    ["feedparser__rss_incomplete_cdata.xml", 1, "truncated"],
    ["feedjira__ITunesWithSingleQuotedAttributes.xml", 3, "unbalanced"],
  ])("%s gives %i entries and a repair note", (file, count, note) => {
    const feed = outcomes.get(file)?.feed;
    expect(feed?.items.length).toBeGreaterThanOrEqual(count);
    expect(feed?.repairs.join(" ")).toContain(note);
  });

  it("HTML named entities without a DTD are mapped", () => {
    expect(outcomes.get("feedparser__aacute.xml")?.feed?.title).toBe("testing á entity");
  });

  it("an HTML page is not-a-feed", () => {
    const error = outcomes.get("rss-parser__unrecognized.rss")?.error;
    expect(error).toBeInstanceOf(FeedEnricherError);
    expect((error as FeedEnricherError).code).toBe("not-a-feed");
  });

  it("well-formed files report no repairs", () => {
    for (const file of ["rss-parser__guardian.rss", "miniflux__large_atom.xml", "feedsmith__rdf-10.xml", "rss-parser__giantbomb-podcast.rss"]) {
      expect(outcomes.get(file)?.feed?.repairs, file).toEqual([]);
    }
  });
});
