import { describe, expect, it } from "vitest";
import { compileMatcher, tagText } from "../../src/enrich/index.js";
import type { Taxonomy, TopicTerm } from "../../src/model/index.js";
import { term } from "../helpers/one-topic-taxonomy.js";

/** One topic per entry, ids a, b, c…, in this order: threshold 3, relative threshold 0.5, at most two topics, title counts twice. */
function taxonomy(termsPerTopic: TopicTerm[][]): Taxonomy {
  return {
    version: "test",
    threshold: 3,
    relativeThreshold: 0.5,
    maxTopics: 2,
    titleWeight: 2,
    scheme: "http://example.org/topics/",
    topics: termsPerTopic.map((terms, i) => {
      const id = String.fromCharCode(0x61 + i);
      return { id, label: id, labelEs: id, definition: "", iptcCode: "medtop:20000771", iptcLabel: "immigration", iptcAncestors: [], enabled: true, terms };
    }),
  };
}

const matcher = compileMatcher(
  taxonomy([
    [term("alpha", { weight: 4 }), term("aleph", { weight: 4 })],
    [term("beta", { weight: 3.5 })],
    [term("gamma", { weight: 3 })],
    [term("delta", { weight: 1.5 })],
    [term("epsilon")],
    [term("eta", { weight: 3 })],
  ]),
);
const tag = (title: string, body: string) => tagText(matcher, { title, body }).map((t) => `${t.id}:${t.score}`);

describe("topic scores", () => {
  it("keeps headline topics first under max_topics, then the strongest, output strongest first", () => {
    // a 4, b 3.5, c 3, d 3 from the title alone (a headline topic), e 1 under the threshold.
    expect(tag("delta", "alpha beta gamma epsilon")).toEqual(["a:4", "d:3"]);
    expect(tag("", "alpha beta gamma epsilon")).toEqual(["a:4", "b:3.5"]);
  });

  it("drops topics under half the best score unless the title alone reaches the threshold", () => {
    // alpha three times: 4 × (1 + 0.5 + 0.25) = 7, so gamma's 3 is under 3.5.
    expect(tag("", "alpha alpha alpha gamma")).toEqual(["a:7"]);
    expect(tag("gamma", "alpha alpha alpha")).toEqual(["a:7", "c:6"]);
  });

  it("orders equal scores by taxonomy order", () => {
    expect(tag("", "eta gamma")).toEqual(["c:3", "f:3"]);
    expect(tag("", "gamma eta")).toEqual(["c:3", "f:3"]);
  });

  it("explains a topic with its phrases, most repeated first, then in alphabetical order, per field", () => {
    const [a] = tagText(matcher, { title: "Alpha", body: "alpha aleph aleph" });
    expect(a!.matches).toEqual([
      { phrase: "aleph", field: "body", count: 2 },
      { phrase: "alpha", field: "title", count: 1 },
      { phrase: "alpha", field: "body", count: 1 },
    ]);
    expect(a!.score).toBe(8 + 4 * 1.5 + 4);
    const [b] = tagText(matcher, { title: "", body: "alpha aleph" });
    expect(b!.matches.map((m) => m.phrase)).toEqual(["aleph", "alpha"]);
  });
});
