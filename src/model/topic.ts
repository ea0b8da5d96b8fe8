/** One matching rule of a topic: a term or phrase, its weight and its context conditions. */
export interface TopicTerm {
  /** The phrase as written in the taxonomy (one or more words). */
  text: string;
  lang: "en" | "es" | "any";
  weight: number;
  /** Match letter case exactly (acronyms such as ICE). */
  caseSensitive: boolean;
  /** At least one of these words must appear within `windowWords` words. */
  requireNear: string[];
  /** None of these words may appear within `windowWords` words. */
  forbidNear: string[];
  windowWords: number;
}

export interface Topic {
  id: string;
  label: string;
  labelEs: string;
  definition: string;
  iptcCode: string;
  iptcLabel: string;
  /** Nearest first. */
  iptcAncestors: string[];
  /** Said when IPTC has no exact concept for the topic. */
  iptcNote?: string;
  enabled: boolean;
  terms: TopicTerm[];
}

export interface Taxonomy {
  /** Content hash of the taxonomy file: a change re-tags stored entries. */
  version: string;
  /** Score a topic needs to be assigned. */
  threshold: number;
  /** A topic is kept only when its score is at least this fraction of the item's best topic (0 keeps all). */
  relativeThreshold: number;
  /** At most this many topics per item, strongest first. */
  maxTopics: number;
  /** Multiplier for matches in the title. */
  titleWeight: number;
  /** URI written as the category scheme/domain of every topic. */
  scheme: string;
  topics: Topic[];
}
