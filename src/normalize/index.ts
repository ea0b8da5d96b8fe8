// Normalize stage: RawItem → Entry: stable ids, absolute clean links, dates,
// authors, sanitized HTML, plain-text title and summary, dateline, caption,
// images, language. It must not tag (enrich) or touch the store.

export { htmlToText, plainTitle } from "./html-text.js";
export { parseCaption, parseDateline } from "./news-structure.js";
export {
  createDuplicateFilter,
  createNormalizer,
  createTextNormalizer,
  type NormalizedEntry,
  type NormalizeOptions,
  normalizeFeed,
  normalizeFeedWithText,
  takeNormalizedEntries,
} from "./normalize-entry.js";
export { parseDate } from "./parse-date.js";
export { resolveUrl, trackingParamMatcher } from "./resolve-url.js";
