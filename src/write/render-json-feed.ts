import type { Entry } from "../model/index.js";
import { utf8Pieces } from "../shared/utf8-pieces.js";
import { stripIllegalXmlChars } from "../shared/xml-text.js";
import { entryDate, entryUpdated, escapeHtml } from "./entry-view.js";
import { type FeedMeta, feedUrl, IPTC_SCHEME } from "./feed-meta.js";
import { enclosureType } from "./media-type.js";

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
  return jsonFeedPieces(entries, meta).join("");
}

/**
 * renderJsonFeed as the UTF-8 bytes of the file (what is written), encoded
 * piece by piece into one buffer. The whole document as one string is about
 * 400,000 characters for 50 entries, two bytes each as soon as one is not
 * Latin-1: on this kind of machine its fresh pages cost more than building
 * it, and adding the final newline to it made a two-part string that the
 * encoder flattened into a second copy (2–3 ms, more than the render).
 */
export function renderJsonFeedBytes(entries: Entry[], meta: FeedMeta): Buffer {
  return utf8Pieces(jsonFeedPieces(entries, meta));
}

/**
 * What stands for an item's body while the item is stringified (see
 * jsonFeedPieces), and how it comes out: `content_html` is a key of the item
 * alone, so its `"content_html": "` is found nowhere else (a string value
 * holding those characters would have its quotes escaped).
 */
const BODY_MARK = "\u0001";
const BODY_KEY = '"content_html": ';
const BODY_SLOT = `${BODY_KEY}${JSON.stringify(BODY_MARK)}`;

/**
 * The feed's text in pieces, exactly what JSON.stringify(feed, null, 2)
 * writes, and a final newline: the feed without its items, then each item
 * stringified on its own and indented to its depth. Every line break
 * JSON.stringify writes is between tokens (a string's own line breaks come
 * out as \n), so indenting an item is adding four spaces after each. An
 * item's body, most of its text, is stringified apart and put in its place:
 * the indenting copies only the rest. JSON.stringify already escapes
 * control characters and lone surrogates (ECMA-262 well-formed
 * JSON.stringify); of what XML forbids only the noncharacters U+FFFE/U+FFFF
 * can reach the text, and they almost never do.
 */
function jsonFeedPieces(entries: Entry[], meta: FeedMeta): string[] {
  const feed = jsonFeedHead(meta);
  // `items` is the last key: its place in the text is the last `"items": 0`
  // (a string value holding those characters would have its quotes escaped).
  feed.items = 0;
  const items = entries.map(jsonFeedItem);
  const clean = !hasNoncharacters(feed) && !items.some(hasNoncharacters);
  const skeleton = JSON.stringify(feed, null, 2);
  const at = skeleton.lastIndexOf('"items": 0') + '"items": '.length;
  const pieces: string[] = [skeleton.slice(0, at)];
  if (items.length === 0) pieces.push("[]");
  for (let i = 0; i < items.length; i++) {
    pieces.push(i === 0 ? "[\n    " : ",\n    ");
    const item = items[i]!;
    const body = item.content_html as string;
    item.content_html = BODY_MARK;
    const text = JSON.stringify(item, null, 2).replaceAll("\n", "\n    ");
    const slot = text.indexOf(BODY_SLOT);
    if (slot >= 0) pieces.push(text.slice(0, slot + BODY_KEY.length), JSON.stringify(body), text.slice(slot + BODY_SLOT.length));
    else pieces.push(JSON.stringify({ ...item, content_html: body }, null, 2).replaceAll("\n", "\n    "));
  }
  if (items.length > 0) pieces.push("\n  ]");
  pieces.push(skeleton.slice(at + 1), "\n");
  return clean ? pieces : pieces.map(stripIllegalXmlChars);
}

/** The feed's own fields; `items` is added last, so that it is the last key. */
function jsonFeedHead(meta: FeedMeta): Record<string, unknown> {
  return {
    version: "https://jsonfeed.org/version/1.1",
    title: meta.title,
    home_page_url: meta.homePage,
    feed_url: feedUrl(meta, "json"),
    description: meta.description,
    ...(meta.language ? { language: meta.language } : {}),
    ...(meta.hub ? { hubs: [{ type: "WebSub", url: meta.hub }] } : {}),
    authors: [{ name: meta.title }],
  };
}

/** One entry as a JSON Feed item. */
function jsonFeedItem(e: Entry): Record<string, unknown> {
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
    mime_type: enclosureType(a.url, a.type) ?? "application/octet-stream",
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
}
