import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { normalizeFeed } from "../../src/normalize/index.js";
import { sourceCategories } from "../../src/normalize/source-categories.js";
import { parseFeed } from "../../src/parse/index.js";

describe("sourceCategories", () => {
  it("splits a tag list written into one category, keeping the scheme", () => {
    expect(sourceCategories([{ term: "DASDING,Alice Merton,Voice of Germany,Interview", scheme: "https://e.org/tags", label: "all" }])).toEqual([
      { term: "DASDING", scheme: "https://e.org/tags" },
      { term: "Alice Merton", scheme: "https://e.org/tags" },
      { term: "Voice of Germany", scheme: "https://e.org/tags" },
      { term: "Interview", scheme: "https://e.org/tags" },
    ]);
  });

  it("keeps names with a spaced comma, numbers, and single terms whole; drops empty and repeated ones", () => {
    expect(
      sourceCategories([
        { term: "Crime, Law and Justice" },
        { term: "100,000 jobs" },
        { term: "Politics", label: "Politics" },
        { term: "Politics" },
        { term: "  " },
        { term: "Rap,Politics," },
      ]),
    ).toEqual([{ term: "Crime, Law and Justice" }, { term: "100,000 jobs" }, { term: "Politics", label: "Politics" }, { term: "Rap" }]);
  });

  it("gives the corpus podcast's comma-joined categories as separate tags", async () => {
    const bytes = readFileSync(new URL("../fixtures/corpus/rss-parser__itunes-keywords-astext.rss", import.meta.url));
    const entries = normalizeFeed(await parseFeed(decodeBytes(bytes).text, { timeoutMs: 10_000 }), {
      sourceId: "p",
      feedUrl: "https://www.dasding.de/podcast.xml",
      trackingParams: [],
      boilerplate: [],
      now: "2026-01-01T00:00:00.000Z",
    });
    const merton = entries.find((e) => e.categories.some((c) => c.term === "Alice Merton"));
    expect(merton?.categories.map((c) => c.term)).toEqual(["DASDING", "Alice Merton", "Voice of Germany", "Interview"]);
    for (const e of entries) for (const c of e.categories) expect(c.term, e.title).not.toMatch(/,\S/);
  });
});
