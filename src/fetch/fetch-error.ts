import { FeedEnricherError } from "../shared/errors.js";

export type FetchErrorCode = "dns" | "connect" | "timeout" | "http-status" | "too-large" | "redirect" | "blocked-address" | "not-found" | "tls" | "io";

export class FetchError extends FeedEnricherError {
  declare readonly code: FetchErrorCode;
  /** Seconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterSeconds?: number;
  readonly status?: number;

  constructor(code: FetchErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number; status?: number }) {
    super("fetch", code, message, options);
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options?.status !== undefined) this.status = options.status;
  }
}
