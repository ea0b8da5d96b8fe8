import { FeedEnricherError } from "../shared/errors.js";

/**
 * Stable codes: logs, metrics, the source state and tests key on them.
 * docs/fetching.md lists each with what to do about it.
 */
export type FetchErrorCode =
  | "dns"
  | "connect"
  | "timeout"
  | "tls"
  | "protocol"
  | "http-status"
  | "too-large"
  | "decompress"
  | "empty"
  | "not-a-feed"
  | "redirect"
  | "blocked-address"
  | "not-found"
  | "io";

export class FetchError extends FeedEnricherError {
  declare readonly code: FetchErrorCode;
  /** Seconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterSeconds?: number;
  readonly status?: number;
  /** Feeds an HTML page advertises (code `not-a-feed`), as absolute URLs. */
  readonly advertisedFeeds?: string[];

  constructor(code: FetchErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number; status?: number; advertisedFeeds?: string[] }) {
    super("fetch", code, message, options);
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.advertisedFeeds !== undefined) this.advertisedFeeds = options.advertisedFeeds;
  }
}
