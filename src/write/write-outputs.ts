import { join } from "node:path";
import type { Entry } from "../model/index.js";
import type { FeedMeta } from "./feed-meta.js";
import { renderJsonFeedBytes } from "./render-json-feed.js";
import { renderAtomBytes, renderRssBytes } from "./render-xml-feeds.js";
import { writeFileAtomic } from "./write-file-atomic.js";

export type OutputFormat = "rss" | "atom" | "json";

export interface WrittenFile {
  path: string;
  changed: boolean;
}

/** One file of an output, rendered and not yet written. */
export interface RenderedFile {
  path: string;
  /** The file's text, or its UTF-8 bytes (the feeds, built as bytes). */
  content: string | Buffer;
}

/** What each format's file holds: built as bytes, one copy less than text converted on write. */
const FILE_RENDERERS: Record<OutputFormat, (entries: Entry[], meta: FeedMeta) => string | Buffer> = {
  rss: renderRssBytes,
  atom: renderAtomBytes,
  json: renderJsonFeedBytes,
};

/** Renders one output in every format: the path and content of each file. */
export function renderOutput(feedsDir: string, meta: FeedMeta, entries: Entry[], formats: OutputFormat[]): RenderedFile[] {
  return formats.map((format) => ({ path: join(feedsDir, `${meta.path}.${format}`), content: FILE_RENDERERS[format](entries, meta) }));
}

/** Renders one output in every format and replaces the files whose bytes changed. */
export function writeOutput(
  feedsDir: string,
  meta: FeedMeta,
  entries: Entry[],
  formats: OutputFormat[],
  writeFile: (path: string, content: string | Buffer) => boolean = writeFileAtomic,
): WrittenFile[] {
  return renderOutput(feedsDir, meta, entries, formats).map(({ path, content }) => ({ path, changed: writeFile(path, content) }));
}
