// Parse stage: Unicode text → RawFeed through rss-parser's parseString, with
// what rss-parser leaves out or gets wrong fixed here. It must not fetch,
// decode bytes, or clean entries (that is normalize's job).
export { ParseError, type ParseErrorCode } from "./parse-error.js";
export { type ItemsByParts, type ParseOptions, parseFeed } from "./parse-feed.js";
