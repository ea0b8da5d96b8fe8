/** What one output feed is: its title and where it lives. */
export interface FeedMeta {
  /** Path under the feeds folder without extension, e.g. `topics/immigration`. */
  path: string;
  title: string;
  description: string;
  /** Public base URL of the feeds folder, with a trailing slash. */
  baseUrl: string;
  /** The page the feed is about (the source's site, or the index page). */
  homePage: string;
  /** Each source's site, by source id: where an entry with no link of its own points in a feed that spans sources. */
  sourceHomePages?: Readonly<Record<string, string>>;
  language?: string;
  /** Minutes readers should wait between polls (RSS <ttl>). */
  ttlMinutes?: number;
  /** WebSub hub URL. */
  hub?: string;
  /** Category scheme of topics. */
  topicScheme: string;
}

export const IPTC_SCHEME = "http://cv.iptc.org/newscodes/mediatopic/";
export const GENERATOR = "feed-enricher";

export function feedUrl(meta: FeedMeta, ext: "rss" | "atom" | "json"): string {
  return `${meta.baseUrl}${meta.path}.${ext}`;
}
