/** A feed the service reads, as configured. */
export interface Source {
  id: string;
  title: string;
  /** http(s) URL; exactly one of url and file is set. */
  url?: string;
  /** Absolute path of a local feed file. */
  file?: string;
  /** node-cron expression. */
  schedule: string;
  /** Allow fetching from loopback/private addresses (a feed on this machine or LAN). */
  local: boolean;
  /** Regular expressions (source text) for boilerplate paragraphs to drop from content. */
  boilerplate: string[];
  /** Language to assume when the feed does not say (BCP 47). */
  language?: string;
}

/** What the service remembers about fetching a source between runs. */
export interface SourceState {
  sourceId: string;
  url?: string;
  etag?: string;
  lastModified?: string;
  /** sha256 of the last fetched body: identical bytes skip parsing. */
  bodyHash?: string;
  lastFetch?: string;
  lastSuccess?: string;
  consecutiveFailures: number;
  lastErrorCode?: string;
  lastErrorMessage?: string;
  nextDue?: string;
  /** Minutes the source asked for between fetches. */
  minIntervalMinutes?: number;
}
