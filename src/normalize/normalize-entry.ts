import type { Entry, EntryImage, RawFeed, RawItem, RawMedia } from "../model/index.js";
import { fastHash, fastHashHex, uuidFromName } from "../shared/hash.js";
import { stripIllegalXmlChars } from "../shared/xml-text.js";
import { detectLanguage, LANGUAGE_SAMPLE_CHARS, normalizeLanguageTag } from "./detect-language.js";
import { unescapeTwiceEscaped } from "./escaped-html.js";
import { htmlToText, plainTitle, stripTagLike, textLines } from "./html-text.js";
import { extractNewsStructure, figureText, renderFigure } from "./news-structure.js";
import { parseDate } from "./parse-date.js";
import { createUrlResolver, effectiveBase, trackingParamMatcher, type UrlResolver } from "./resolve-url.js";
import { sanitizeToChunks } from "./sanitize-content.js";
import { sourceCategories } from "./source-categories.js";
import { joinedPrefix, summarize, summarizeParts } from "./summarize.js";

export interface NormalizeOptions {
  sourceId: string;
  /** Where the feed was fetched from (base of last resort for relative links). */
  feedUrl?: string;
  /** Tracking parameter names or `prefix*` globs removed from links. */
  trackingParams: string[];
  /** Per-source boilerplate patterns (regular expression source, case-insensitive). */
  boilerplate: string[];
  /** Language to assume when neither the item nor the feed says. */
  defaultLanguage?: string;
  /** The time of this run (ISO); also the first-seen time of new entries. */
  now: string;
  /** Dates further in the future than this are clamped to `now`. */
  futureToleranceMs?: number;
  /**
   * When an entry with this id was first seen in an earlier run (from the
   * store). Keeps `firstSeen`, the date of record of an undated entry, the same
   * from run to run; entries it does not know get `now`.
   */
  firstSeenOf?: (id: string) => string | undefined;
}

const WORDS_PER_MINUTE = 230;

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function isImage(m: RawMedia): boolean {
  if (m.medium === "image") return true;
  if (m.type?.startsWith("image/")) return true;
  return m.type === undefined && m.medium === undefined && /\.(jpe?g|png|gif|webp|avif)(\?|$)/i.test(m.url);
}

// Google Alerts and Google News link through a redirect
// (https://www.google.com/url?…&url=<story>&ct=ga&usg=…): the story is the link.
const GOOGLE_REDIRECT = /^https:\/\/(?:www\.)?google\.[a-z.]+\/url\?/i;

function unwrapRedirect(link: string | undefined, resolveTracked: UrlResolver): string | undefined {
  if (link === undefined || !GOOGLE_REDIRECT.test(link)) return link;
  const params = new URL(link).searchParams;
  return resolveTracked(params.get("url") ?? params.get("q") ?? undefined, undefined) ?? link;
}

// "Photograph: POOL/Reuters" (media:credit) → "POOL/Reuters".
const CREDIT_PREFIX = /^(?:Photograph|Photo|Foto|Fotograf[ií]a|Image|Imagen|Picture|Credit|Cr[eé]dito)s?\s*:\s*/iu;

/**
 * The lead image among enclosures and media elements: an image enclosure
 * first (RSS 2.0 <enclosure>), else the widest media:content/thumbnail
 * (Media RSS lists renditions of one picture; readers want the large one).
 */
function leadMediaImage(item: RawItem): RawMedia | undefined {
  const enclosure = item.enclosures.find(isImage);
  if (enclosure !== undefined) return enclosure;
  let best: RawMedia | undefined;
  for (const m of item.media) {
    if (!isImage(m)) continue;
    if (best === undefined || (m.width ?? 0) > (best.width ?? 0)) best = m;
  }
  return best;
}

// RSS 2.0 <author> is "email (Name)"; Atom and dc:creator give a name, some feeds "Name <email>".
const EMAIL_THEN_NAME = /^\S+@\S+\s*\((.+)\)$/u;
const NAME_THEN_EMAIL = /^(.+?)\s*<\S+@\S+>$/u;

/** Author names in order, without e-mail decoration or repeats (dc:creator and author often say the same). */
function authorNames(raw: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const a of raw) {
    const text = plainTitle(a);
    const name = (EMAIL_THEN_NAME.exec(text)?.[1] ?? NAME_THEN_EMAIL.exec(text)?.[1] ?? text).trim();
    const key = name.toLowerCase();
    if (name === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

// Values some generators write when they have no id: not an identity.
const PLACEHOLDER_GUID = /^(?:|0|-|null|undefined|none|n\/a|\[object object\])$/i;

/**
 * Stable id: the source's guid/id when it is real, else the canonical link,
 * else a hash of source + title + date (`date()`: read only then).
 */
function entryId(item: RawItem, link: string | undefined, title: string, date: () => string | undefined, sourceId: string): string {
  const guid = item.guid?.trim();
  if (guid !== undefined && !PLACEHOLDER_GUID.test(guid)) {
    // An absolute URI is already a global id; anything else is only unique within its source.
    if (/^(https?:\/\/\S+|urn:[a-z0-9][a-z0-9-]{0,31}:\S+|tag:\S+)$/i.test(guid) && !/\s/.test(guid)) {
      try {
        return new URL(guid).href;
      } catch {
        // fall through to a name-based id
      }
    }
    return `urn:uuid:${uuidFromName(`${sourceId}\u0000guid\u0000${guid}`)}`;
  }
  if (link !== undefined) return link;
  return `urn:uuid:${uuidFromName(`${sourceId}\u0000${title}\u0000${date() ?? ""}`)}`;
}

function isoDate(d: Date | undefined, now: Date, toleranceMs: number): string | undefined {
  if (d === undefined) return undefined;
  // A date in the future would pin the entry to the top of every reader.
  if (d.getTime() > now.getTime() + toleranceMs) return now.toISOString();
  return d.toISOString();
}

/** The non-empty lines joined by "\n": htmlToText of the pieces they come from, joined by "\n". */
function joinLines(lines: string[]): string {
  let empty = 0;
  for (const l of lines) if (l === "") empty++;
  return (empty === 0 ? lines : lines.filter((l) => l !== "")).join("\n");
}

function compileBoilerplate(patterns: string[]): RegExp[] {
  return patterns.map((p) => new RegExp(p, "iu"));
}

/** An entry and the plain text of its content (htmlToText(entry.contentHtml)), which is not stored. */
export interface NormalizedEntry {
  entry: Entry;
  contentText: () => string;
}

/** Prepares per-feed work once (tracking matcher, boilerplate regexes). */
export function createNormalizer(feed: RawFeed, options: NormalizeOptions): (item: RawItem) => Entry | undefined {
  const normalize = createTextNormalizer(feed, options);
  return (item) => normalize(item)?.entry;
}

/** createNormalizer that also returns the content's plain text, computed in the same pass. */
export function createTextNormalizer(feed: RawFeed, options: NormalizeOptions): (item: RawItem) => NormalizedEntry | undefined {
  const isTracking = trackingParamMatcher(options.trackingParams);
  // Links lose tracking parameters; media URLs (lead image, enclosures) are kept as given.
  const resolveTracked = createUrlResolver(isTracking);
  const resolveMedia = createUrlResolver();
  const boilerplate = compileBoilerplate(options.boilerplate);
  const now = new Date(options.now);
  const tolerance = options.futureToleranceMs ?? 10 * 60 * 1000;
  const feedBases = [
    feed.base,
    feed.link && /^https?:/i.test(feed.link) ? feed.link : undefined,
    options.feedUrl?.startsWith("http") ? options.feedUrl : undefined,
  ];
  const feedBase = effectiveBase(feedBases);
  const feedLanguage = normalizeLanguageTag(feed.language) ?? options.defaultLanguage;

  return (item) => {
    const base = item.base === undefined ? feedBase : effectiveBase([item.base, ...feedBases]);
    const title = stripIllegalXmlChars(plainTitle(item.title));
    const link = unwrapRedirect(resolveTracked(item.link ?? (item.guidIsPermaLink ? item.guid : undefined), base), resolveTracked);
    const publishedDate = parseDate(item.published);
    const updatedDate = parseDate(item.updated);
    const published = isoDate(publishedDate, now, tolerance);
    const updatedRaw = isoDate(updatedDate, now, tolerance);
    const rawHtml = unescapeTwiceEscaped(item.content ?? item.summary ?? "");
    const sanitized = sanitizeToChunks(rawHtml, { base, isTracking, resolve: resolveTracked });
    const structure = extractNewsStructure(sanitized, boilerplate);
    const bodyParts = structure.bodyParts;
    // bodyParts.join("\n") === "": no paragraph, or one empty one (a dateline with nothing after it).
    const bodyEmpty = bodyParts.length === 0 || (bodyParts.length === 1 && bodyParts[0] === "");
    if (title === "" && bodyEmpty && link === undefined) return undefined;

    // Lead image: enclosure, then media:content/thumbnail, then the first image in the content.
    let image: EntryImage | undefined;
    const mediaImage = leadMediaImage(item);
    if (mediaImage) {
      const url = resolveMedia(mediaImage.url, base);
      if (url) {
        image = { url };
        if (mediaImage.type) image.type = mediaImage.type;
        if (mediaImage.length) image.length = mediaImage.length;
        if (mediaImage.width) image.width = mediaImage.width;
        if (mediaImage.height) image.height = mediaImage.height;
        const caption = mediaImage.description ?? mediaImage.title;
        if (caption) image.caption = plainTitle(caption);
        if (mediaImage.credit) image.credit = plainTitle(mediaImage.credit).replace(CREDIT_PREFIX, "");
      }
    }
    if (image === undefined && structure.firstImage) {
      image = { url: structure.firstImage.url };
      if (structure.firstImage.width) image.width = structure.firstImage.width;
      if (structure.firstImage.height) image.height = structure.firstImage.height;
    }
    if (image && structure.caption !== undefined) image.caption = structure.caption;
    if (image && structure.credit !== undefined) image.credit = structure.credit;

    let contentHtml = structure.contentHtml;
    // htmlToText(contentHtml), line by line: the non-empty lines of each piece joined by "\n".
    let lines = structure.contentLines;
    const before: string[] = [];
    const linesBefore: string[] = [];
    const standfirst = structure.standfirst !== undefined ? `<p>${escapeHtml(structure.standfirst)}</p>` : undefined;
    if (
      image &&
      !structure.captionInContent &&
      (structure.caption !== undefined || structure.credit !== undefined) &&
      !contentHtml.includes(image.url) &&
      !standfirst?.includes(image.url)
    ) {
      const img = `<img src="${escapeHtml(image.url)}" alt="${escapeHtml(image.caption ?? "")}" />`;
      const figure = renderFigure(img, image.caption ?? "", image.credit);
      before.push(figure);
      linesBefore.push(figureText(image.caption ?? "", image.credit));
    }
    if (standfirst !== undefined) {
      before.push(standfirst);
      // A paragraph of escaped text: its text is the text, collapsed.
      linesBefore.push(textLines(structure.standfirst!));
    }
    if (before.length > 0) {
      // One join: a flat string (the store and the hash read it whole).
      before.push(contentHtml);
      contentHtml = before.join("\n");
      lines = [...linesBefore, ...lines];
    }
    // Only entries that are tagged need it: joined on first use. htmlToText
    // reads markup-free text as one line.
    const finalHtml = contentHtml;
    let text: string | undefined;
    const contentText = () => {
      text ??= finalHtml.includes("<") || finalHtml.includes("&") ? joinLines(lines) : htmlToText(finalHtml);
      return text;
    };

    const summary = bodyEmpty ? summarize(stripTagLike(htmlToText(item.summary ?? "").replace(/\n/g, " "))) : summarizeParts(bodyParts, 300, true);
    const wordCount = structure.bodyWords;
    const language = normalizeLanguageTag(item.language) ?? feedLanguage ?? detectLanguage(`${title}. ${joinedPrefix(bodyParts, "\n", LANGUAGE_SAMPLE_CHARS)}`);
    const enclosures = item.enclosures
      .filter((e) => !isImage(e))
      .map((e) => ({ url: resolveMedia(e.url, base), type: e.type, length: e.length }))
      .filter((e): e is { url: string; type: string | undefined; length: number | undefined } => e.url !== undefined)
      .map((e) => ({ url: e.url, ...(e.type ? { type: e.type } : {}), ...(e.length ? { length: e.length } : {}) }));
    const authors = authorNames(item.authors);
    const categories = sourceCategories(item.categories);

    // The hash fallback uses the parsed date, not its text, so a feed that
    // rewrites "Thu, 23 Jan 2025 14:10:00 -0500" as RFC 3339 keeps its ids.
    // Not the clamped date: a clamped date moves with `now`.
    const dateText = item.published ?? item.updated;
    const dateOfText = item.published !== undefined ? publishedDate : updatedDate;
    const id = entryId(item, link, title, () => dateOfText?.toISOString() ?? dateText, options.sourceId);
    const updated = updatedRaw !== undefined && updatedRaw !== published ? updatedRaw : undefined;
    const entry: Entry = {
      id,
      sourceId: options.sourceId,
      title: title !== "" ? title : summarize(structure.bodyText, 80) || "(untitled)",
      ...(link !== undefined ? { link } : {}),
      ...(published !== undefined ? { published } : updated !== undefined ? { published: updated } : {}),
      ...(updated !== undefined && published !== undefined ? { updated } : {}),
      firstSeen: options.firstSeenOf?.(id) ?? options.now,
      authors,
      summary,
      contentHtml,
      ...(language !== undefined ? { language } : {}),
      categories,
      ...(image !== undefined ? { image } : {}),
      enclosures,
      ...(structure.dateline !== undefined ? { dateline: structure.dateline } : {}),
      wordCount,
      readingTimeMin: Math.max(1, Math.round(wordCount / WORDS_PER_MINUTE)),
      topics: [],
      entities: [],
      contentHash: "",
    };
    // What the source said, to tell a changed entry (refresh): the content
    // hashed on its own, the other fields' JSON (small) chained to it, so the
    // content is neither copied into a JSON string nor escaped.
    entry.contentHash = fastHashHex(
      JSON.stringify([entry.title, entry.link, entry.published, entry.updated, entry.authors, entry.summary, entry.categories, entry.image, entry.enclosures]),
      fastHash(entry.contentHtml),
    );
    return { entry, contentText };
  };
}

/** Normalizes every item of a feed; the same story twice (same id or link) is kept once. */
export function normalizeFeed(feed: RawFeed, options: NormalizeOptions): Entry[] {
  return normalizeFeedWithText(feed, options).map((n) => n.entry);
}

/**
 * normalizeFeed, each entry with the plain text of its content: what enrich
 * tags, so that refresh does not parse the content HTML once more.
 */
export function normalizeFeedWithText(feed: RawFeed, options: NormalizeOptions): NormalizedEntry[] {
  return [...takeNormalizedEntries({ ...feed, items: [...feed.items] }, options)];
}

/**
 * The rule takeNormalizedEntries keeps an entry by, for a caller that
 * normalizes the items itself (refresh, in chunks on two threads): true the
 * first time a story (same id, or same identifying link) is met, called in item
 * order with each item's raw link. Reads the links of the feed's items once,
 * so it is made before the items are taken.
 */
export function createDuplicateFilter(feed: RawFeed): (itemLink: string | undefined, entry: Entry) => boolean {
  const seenIds = new Set<string>();
  const seenLinks = new Set<string>();
  // A link shared by many items is the site's home page (podcasts, some CMSs),
  // not a story's canonical link: it identifies nothing, so it dedups nothing.
  const linkCounts = new Map<string, number>();
  for (const item of feed.items) if (item?.link !== undefined) linkCounts.set(item.link.trim(), (linkCounts.get(item.link.trim()) ?? 0) + 1);
  const homeLinks = new Set([feed.link?.trim(), ...[...linkCounts].filter(([, n]) => n > 2).map(([link]) => link)]);
  linkCounts.clear();
  return (itemLink, entry) => {
    const linkIdentifies = entry.link !== undefined && !homeLinks.has(itemLink?.trim()) && !homeLinks.has(entry.link);
    if (seenIds.has(entry.id) || (linkIdentifies && seenLinks.has(entry.link!))) return false;
    seenIds.add(entry.id);
    if (linkIdentifies) seenLinks.add(entry.link!);
    return true;
  };
}

/**
 * The feed's entries one at a time, the same story twice (same id or
 * identifying link) kept once. Takes the items out of the feed and lets each
 * raw item go as soon as it is normalized, so a refresh that hands each entry
 * on before asking for the next never holds every raw item and every entry of
 * a backfill of tens of thousands of items at once.
 */
export function* takeNormalizedEntries(feed: RawFeed, options: NormalizeOptions): Generator<NormalizedEntry> {
  const normalize = createTextNormalizer(feed, options);
  const isFirst = createDuplicateFilter(feed);
  const items: Array<RawItem | undefined> = feed.items;
  feed.items = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    items[i] = undefined;
    const normalized = normalize(item);
    if (normalized === undefined || !isFirst(item.link, normalized.entry)) continue;
    yield normalized;
  }
}
