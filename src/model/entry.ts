/** A topic assigned to an entry, with the evidence that put it there. */
export interface TopicMatch {
  id: string;
  label: string;
  /** IPTC Media Topic qcode, e.g. `medtop:20000771`. */
  iptcCode: string;
  iptcLabel: string;
  /** Broader IPTC concepts, nearest first (qcodes). */
  iptcAncestors: string[];
  score: number;
  /** The phrases that matched, per field, so a tag can be explained. */
  matches: PhraseMatch[];
}

export interface PhraseMatch {
  phrase: string;
  field: "title" | "body";
  count: number;
}

export type EntityKind = "person" | "place" | "organization";

export interface Entity {
  name: string;
  kind: EntityKind;
}

export interface EntryImage {
  url: string;
  type?: string;
  /** Bytes, from an enclosure length. */
  length?: number;
  width?: number;
  height?: number;
  caption?: string;
  credit?: string;
}

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
}

/** "Washington, January 23 (RHC)--" split into its parts. */
export interface Dateline {
  text: string;
  place?: string;
  date?: string;
  agency?: string;
}

/** A category the source itself gave the item (kept as a plain category). */
export interface SourceCategory {
  term: string;
  scheme?: string;
  label?: string;
}

/**
 * One normalized, enriched news entry: what every output is rendered from.
 * Dates are ISO 8601 strings in UTC so an Entry survives JSON round trips.
 */
export interface Entry {
  /** Public id: written as RSS guid, Atom id and JSON Feed id. Always an absolute URI. */
  id: string;
  sourceId: string;
  title: string;
  /** Absolute http(s) link to the story, tracking parameters removed. */
  link?: string;
  published?: string;
  updated?: string;
  /** When feed-enricher first saw the entry; the date of record when the source gives none. */
  firstSeen: string;
  authors: string[];
  /** Plain text, at most about 300 characters. */
  summary: string;
  /** Sanitized HTML. */
  contentHtml: string;
  language?: string;
  categories: SourceCategory[];
  image?: EntryImage;
  enclosures: Enclosure[];
  dateline?: Dateline;
  wordCount: number;
  readingTimeMin: number;
  topics: TopicMatch[];
  entities: Entity[];
  /** Hash of what the source said (not of our enrichment): a change bumps `updated`. */
  contentHash: string;
  /** Version of the taxonomy that produced `topics`. */
  taxonomyVersion?: string;
}
