/** What the parse stage hands to normalize: the feed as the source wrote it, quirks fixed. */
export interface RawCategory {
  term: string;
  scheme?: string;
  label?: string;
}

export interface RawMedia {
  url: string;
  type?: string;
  medium?: string;
  width?: number;
  height?: number;
  length?: number;
  title?: string;
  description?: string;
  credit?: string;
}

export interface RawItem {
  guid?: string;
  guidIsPermaLink?: boolean;
  title?: string;
  link?: string;
  /** xml:base in scope for the item, when the document set one. */
  base?: string;
  /** Date text exactly as the source wrote it. */
  published?: string;
  updated?: string;
  authors: string[];
  /** description / summary (may be HTML). */
  summary?: string;
  /** content:encoded / content (HTML). */
  content?: string;
  /**
   * xml:base set on the Atom <content> (or <summary> when there is no content)
   * itself, resolved against `base`: relative links inside the content resolve
   * against it (RFC 4287 §2, XML Base §4.2). Absent when the element sets none.
   */
  contentBase?: string;
  categories: RawCategory[];
  enclosures: RawMedia[];
  /** media:content, media:group and media:thumbnail, in document order. */
  media: RawMedia[];
  language?: string;
}

export interface RawFeed {
  format: "rss" | "atom" | "rdf";
  title?: string;
  link?: string;
  description?: string;
  language?: string;
  base?: string;
  /** Minutes the source asks readers to wait between fetches (<ttl>, sy:updatePeriod). */
  ttlMinutes?: number;
  items: RawItem[];
  /** What had to be repaired before the document parsed (empty when it was well-formed). */
  repairs: string[];
}
