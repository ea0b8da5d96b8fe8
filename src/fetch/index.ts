// Fetch stage: gets a source's bytes from a file or over HTTP(S): conditional GET,
// timeouts, size caps, redirects, decompression, SSRF guard; tells an HTML page
// from a feed. Returns bytes and headers; it must never decode or parse them.

export { isPrivateAddress } from "./address-policy.js";
export { ConnectionPool, type PoolOptions } from "./connection-pool.js";
export { detectHtmlPage, type HtmlPage, notAFeedError } from "./detect-html-page.js";
export { FetchError, type FetchErrorCode } from "./fetch-error.js";
export { ACCEPT, ACCEPT_ENCODING, parseRetryAfter } from "./fetch-http.js";
export { type FetchOptions, type FetchResult, fetchSource, type Validators } from "./fetch-source.js";
