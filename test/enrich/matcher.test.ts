import { describe, expect, it } from "vitest";
import { compileMatcher, tagText } from "../../src/enrich/index.js";
import type { TopicTerm } from "../../src/model/index.js";
import { oneTopicTaxonomy, term } from "../helpers/one-topic-taxonomy.js";

/** The phrases of the taxonomy that matched the text. */
function matches(terms: TopicTerm[], text: string, language?: string): string[] {
  const m = compileMatcher(oneTopicTaxonomy(terms));
  return tagText(m, { title: "", body: text, ...(language ? { language } : {}) }).flatMap((t) => t.matches.map((p) => p.phrase));
}

describe("the matcher", () => {
  it("folds case and accents both ways", () => {
    expect(matches([term("inmigración")], "La INMIGRACION crece")).toEqual(["inmigración"]);
    expect(matches([term("inmigracion")], "la inmigración")).toEqual(["inmigracion"]);
    // Decomposed accents (e + U+0301) fold like precomposed ones.
    expect(matches([term("deportación")], "deportacio\u0301n masiva")).toEqual(["deportación"]);
  });

  it("matches a name followed by an apostrophe-s, straight or curly", () => {
    expect(matches([term("Trump")], "Trump's order and Trump’s wall")).toEqual(["Trump"]);
  });

  it("treats hyphens as word separators on both sides", () => {
    expect(matches([term("active-duty")], "1,500 active duty troops")).toEqual(["active-duty"]);
    expect(matches([term("cease fire")], "a cease-fire held")).toEqual(["cease fire"]);
  });

  it("matches whole words only", () => {
    expect(matches([term("war")], "a warning and a warden")).toEqual([]);
    expect(matches([term("war")], "the war, (war)")).toEqual(["war"]);
  });

  it("matches stems written with * as prefixes of a word", () => {
    expect(matches([term("deport*")], "deportations began")).toEqual(["deport*"]);
    expect(matches([term("deport*")], "sports deportment").length).toBe(1);
    expect(matches([term("deport*")], "import")).toEqual([]);
    expect(matches([term("border crossing*")], "two border crossings closed")).toEqual(["border crossing*"]);
  });

  it("compares letter case when the term asks for it", () => {
    expect(matches([term("ICE", { caseSensitive: true })], "ICE agents detained him")).toEqual(["ICE"]);
    expect(matches([term("ICE", { caseSensitive: true })], "thin ice on the lake")).toEqual([]);
  });

  it("applies near and not_near context rules, including phrases", () => {
    const border = term("border", { requireNear: ["wall", "patrol*"], forbidNear: ["Doctors Without Borders", "photo"] });
    expect(matches([border], "the border wall")).toEqual(["border"]);
    expect(matches([border], "agents patrolling the border")).toEqual(["border"]);
    expect(matches([border], "a border around the picture")).toEqual([]);
    expect(matches([border], "Doctors Without Borders built a wall by the border")).toEqual([]);
    expect(matches([border], "a photo of the border wall")).toEqual([]);
    // Context outside the window does not count.
    const far = term("border", { requireNear: ["wall"], windowWords: 2 });
    expect(matches([far], "border one two three four wall")).toEqual([]);
  });

  it("keeps a term to texts of its language when the language is known", () => {
    const terms = [term("gobierno", { lang: "es" }), term("government", { lang: "en" })];
    expect(matches(terms, "el gobierno and the government", "es")).toEqual(["gobierno"]);
    expect(matches(terms, "el gobierno and the government", "en")).toEqual(["government"]);
    expect(matches(terms, "el gobierno and the government").sort()).toEqual(["gobierno", "government"]);
  });

  it("counts the longest phrase once where terms overlap, and weighs the title more", () => {
    const m = compileMatcher(oneTopicTaxonomy([term("border"), term("border wall", { weight: 2 })]));
    const [topic] = tagText(m, { title: "Border wall", body: "the border wall" });
    expect(topic!.matches).toHaveLength(2);
    expect(topic!.matches).toEqual(
      expect.arrayContaining([
        { phrase: "border wall", field: "body", count: 1 },
        { phrase: "border wall", field: "title", count: 1 },
      ]),
    );
    expect(topic!.score).toBe(2 + 2 * 2);
  });

  it("scans long text in one pass with the same result as short pieces", () => {
    const m = compileMatcher(oneTopicTaxonomy([term("migrant*"), term("border wall")]));
    const piece = "Migrants reached the border wall. ";
    const hits = m.scan(piece.repeat(5000)).hits.length;
    expect(hits).toBe(m.scan(piece).hits.length * 5000);
  });
});
