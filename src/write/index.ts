// Write stage: Entry[] → RSS 2.0, Atom 1.0 and JSON Feed 1.1 bytes, and atomic
// replacement of the files. It wraps the `feed` package so its traps never reach
// the output. It must not read the store or decide which outputs changed.

export { escapeHtml, feedUpdated, sortNewestFirst } from "./entry-view.js";
export { type FeedMeta, feedUrl, IPTC_SCHEME } from "./feed-meta.js";
export { INDEX_STYLESHEET, type IndexFeed, type IndexPageInput, type IndexTopic, renderIndexPage } from "./render-index-page.js";
export { renderJsonFeed, renderJsonFeedBytes } from "./render-json-feed.js";
export { type OpmlFeed, renderOpml } from "./render-opml.js";
export { renderAtom, renderRss } from "./render-xml-feeds.js";
export { type AtomicWriteIo, syncDir, WriteError, writeFileAtomic, writeFileAtomicAsync } from "./write-file-atomic.js";
export { type OutputFormat, type RenderedFile, renderOutput, type WrittenFile, writeOutput } from "./write-outputs.js";
