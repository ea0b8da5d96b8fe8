import type { Entry } from "../model/index.js";
import { stripIllegalXmlChars } from "../shared/xml-text.js";
import { entryDate, entryUpdated, escapeHtml } from "./entry-view.js";
import { type FeedMeta, feedUrl, IPTC_SCHEME } from "./feed-meta.js";

/**
 * Whether a string anywhere in the value holds U+FFFE or U+FFFF. Checked on
 * the values rather than on the document: a scan of JSON.stringify's output
 * first has to flatten the whole string it built from pieces, which costs
 * more than the rest of the render.
 */
function hasNoncharacters(value: unknown): boolean {
  if (typeof value === "string") return value.indexOf("\uFFFE") !== -1 || value.indexOf("\uFFFF") !== -1;
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasNoncharacters(v)) return true;
    return false;
  }
  for (const k in value) if (hasNoncharacters((value as Record<string, unknown>)[k])) return true;
  return false;
}

/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1). Written here rather than
 * with `feed`, whose JSON output says version 1 and lacks `authors`/`language`.
 * `_enrichment` is a JSON Feed extension (underscore-prefixed, §Extensions)
 * carrying the evidence behind every tag.
 */
export function renderJsonFeed(entries: Entry[], meta: FeedMeta): string {
  return `${jsonFeedText(entries, meta)}\n`;
}

/**
 * renderJsonFeed as the UTF-8 bytes of the file, encoded straight from
 * JSON.stringify's flat string. Appending the newline to the text first
 * makes a two-part string that the encoder must flatten into a fresh copy:
 * for a 50-entry feed (about 400,000 characters, two bytes each once one of
 * them is not Latin-1) that copy cost 2–3 ms, more than the render itself.
 */
export function renderJsonFeedBytes(entries: Entry[], meta: FeedMeta): Buffer {
  const json = jsonFeedText(entries, meta);
  const length = Buffer.byteLength(json, "utf8");
  const bytes = Buffer.allocUnsafe(length + 1);
  bytes.write(json, 0, "utf8");
  bytes[length] = 0x0a;
  return bytes;
}

/** The feed's JSON, without the final newline. */
function jsonFeedText(entries: Entry[], meta: FeedMeta): string {
  const feed: Record<string, unknown> = {
    version: "https://jsonfeed.org/version/1.1",
    title: meta.title,
    home_page_url: meta.homePage,
    feed_url: feedUrl(meta, "json"),
    description: meta.description,
    ...(meta.language ? { language: meta.language } : {}),
    ...(meta.hub ? { hubs: [{ type: "WebSub", url: meta.hub }] } : {}),
    authors: [{ name: meta.title }],
    items: entries.map((e) => {
      const item: Record<string, unknown> = {
        id: e.id,
        ...(e.link ? { url: e.link } : {}),
        title: e.title,
        content_html: e.contentHtml !== "" ? e.contentHtml : `<p>${escapeHtml(e.summary)}</p>`,
        summary: e.summary,
        ...(e.image ? { image: e.image.url } : {}),
        date_published: entryDate(e),
        date_modified: entryUpdated(e),
        ...(e.authors.length > 0 ? { authors: e.authors.map((name) => ({ name })) } : {}),
        tags: [...e.topics.map((t) => t.id), ...e.categories.map((c) => c.term)].filter((t, i, all) => all.indexOf(t) === i),
        ...(e.language ? { language: e.language } : {}),
      };
      const attachments = e.enclosures.map((a) => ({
        url: a.url,
        mime_type: a.type ?? "application/octet-stream",
        ...(a.length ? { size_in_bytes: a.length } : {}),
      }));
      if (attachments.length > 0) item.attachments = attachments;
      item._enrichment = {
        source: e.sourceId,
        ...(e.taxonomyVersion ? { taxonomy_version: e.taxonomyVersion } : {}),
        topics: e.topics.map((t) => ({
          id: t.id,
          label: t.label,
          iptc: { code: t.iptcCode, label: t.iptcLabel, scheme: IPTC_SCHEME, ancestors: t.iptcAncestors },
          score: t.score,
          matches: t.matches,
        })),
        entities: e.entities,
        ...(e.dateline ? { dateline: e.dateline } : {}),
        ...(e.image && (e.image.caption || e.image.credit) ? { image: e.image } : {}),
        word_count: e.wordCount,
        reading_time_min: e.readingTimeMin,
      };
      return item;
    }),
  };
  // JSON.stringify already escapes control characters and lone surrogates
  // (ECMA-262 well-formed JSON.stringify); of what XML forbids only the
  // noncharacters U+FFFE/U+FFFF can reach the text, and they almost never do.
  const json = JSON.stringify(feed, null, 2);
  return hasNoncharacters(feed) ? stripIllegalXmlChars(json) : json;
}
