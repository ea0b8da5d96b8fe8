import type { Taxonomy, TopicTerm } from "../../src/model/index.js";

/** A taxonomy term with the loader's defaults, for matcher tests. */
export function term(text: string, extra: Partial<TopicTerm> = {}): TopicTerm {
  return { text, lang: "any", weight: 1, caseSensitive: false, requireNear: [], forbidNear: [], windowWords: 12, ...extra };
}

/** A taxonomy of one topic `t` holding `terms`, threshold 1 and no relative cut, so every match shows. */
export function oneTopicTaxonomy(terms: TopicTerm[]): Taxonomy {
  return {
    version: "test",
    threshold: 1,
    relativeThreshold: 0,
    maxTopics: 10,
    titleWeight: 2,
    scheme: "http://example.org/topics/",
    topics: [
      { id: "t", label: "T", labelEs: "T", definition: "", iptcCode: "medtop:20000771", iptcLabel: "immigration", iptcAncestors: [], enabled: true, terms },
    ],
  };
}
