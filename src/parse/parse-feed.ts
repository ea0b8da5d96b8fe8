import Parser from "rss-parser";
import rssParserUtils from "rss-parser/lib/utils.js";
import type { RawCategory, RawFeed, RawItem, RawMedia } from "../model/index.js";
import { escapeText } from "../shared/xml-text.js";
import { ParseError } from "./parse-error.js";
import { prepareXml } from "./prepare-xml.js";
import { rebuildTree, repairText } from "./repair-xml.js";
import { splitItems } from "./split-items.js";
import { wrapMarkupBodies } from "./wrap-markup-bodies.js";
import { attr, child, nodes, numberAttr, text } from "./xml-node.js";

export interface ParseOptions {
  /** A parse that takes longer is abandoned (rss-parser can hang on some broken input). */
  timeoutMs: number;
  /**
   * Takes the items of a long feed part by part, as they are read, so that
   * normalizing them can start before the parse ends. Without it, or for a
   * feed that is not one plain run of items, the document is parsed whole.
   */
  parts?: ItemsByParts;
}

/** What parseFeed hands out while it parses a long feed in parts. */
export interface ItemsByParts {
  /** Items per part (default PART_ITEMS); a feed needs two parts' worth to be cut. */
  partItems?: number;
  /** The next part's items, in document order; `head` holds the feed's own fields (and no items). */
  items(head: RawFeed, items: RawItem[]): void;
  /** A part did not parse as the whole would: every item handed out so far is void, and the document is parsed whole. */
  discard(): void;
}

/**
 * Items per part: small enough that the first part's items reach the other
 * thread soon after the parse starts (about 0.1 s), large enough that a
 * part's own cost (a parser, the feed's head and tail read again) is noise.
 */
const PART_ITEMS = 512;

// Raw xml2js nodes we read ourselves because rss-parser drops or flattens them.
const RAW_ITEM_FIELDS = [
  "$",
  "title",
  "content",
  "summary",
  "category",
  "media:content",
  "media:thumbnail",
  "media:group",
  "media:description",
  "dc:creator",
  "dc:date",
  "author",
  "itunes:author",
  "published",
  "updated",
  "fe-published",
  "fe-updated",
  "id",
  "guid",
  "link",
  "enclosure",
  "dc:language",
  "pubDate",
  "issued",
  "modified",
  "created",
].map((f) => [f, `x:${f}`, { keepArray: true }] as [string, string, { keepArray: boolean }]);

const RAW_FEED_FIELDS = ["$", "ttl", "sy:updatePeriod", "sy:updateFrequency", "link", "language", "dc:language"].map(
  (f) => [f, `x:${f}`, { keepArray: true }] as [string, string, { keepArray: boolean }],
);

type ParsedItem = Record<string, unknown> & {
  title?: string;
  link?: string;
  content?: string;
  summary?: string;
  "content:encoded"?: string;
  contentSnippet?: string;
  id?: string;
  guid?: string;
  pubDate?: string;
};

/**
 * A fresh parser per document (a reused xml2js parser keeps state after a
 * failure), strict XML, and xml2js's chunked mode so the event loop gets a turn
 * every chunk: the time limit can then stop a parse instead of waiting for it.
 */
type Parsed = Record<string, unknown> & { items: ParsedItem[] };

function newParser(): Parser<Record<string, unknown>, ParsedItem> {
  return new Parser({
    defaultRSS: 2,
    customFields: { item: RAW_ITEM_FIELDS, feed: RAW_FEED_FIELDS } as never,
    xml2js: { strict: true, async: true, chunkSize: PARSE_CHUNK_CHARS } as never,
  });
}

const PARSE_CHUNK_CHARS = 256 * 1024;

const BUILDERS = ["buildAtomFeed", "buildRSS0_9", "buildRSS1", "buildRSS2"] as const;

/**
 * rss-parser gives every item a plain-text `contentSnippet` of its body (two
 * regular expressions and an entity decode over the whole body), which
 * nothing here reads: normalize makes its own text and summary. That was a
 * sixth of the parse (a quarter at 1,000 items). While one of this file's
 * parsers builds its feed, a call that returns "" stands in for it. The
 * builder runs synchronously, so no other code sees the swap: another
 * rss-parser user in the process (the bench's yardstick) still gets its
 * snippets.
 */
function withoutSnippets<T>(build: () => T): T {
  const getSnippet = rssParserUtils.getSnippet;
  if (typeof getSnippet !== "function") return build();
  rssParserUtils.getSnippet = noSnippet;
  try {
    return build();
  } finally {
    rssParserUtils.getSnippet = getSnippet;
  }
}

function noSnippet(): string {
  return "";
}

/** xml2js's parser, as far as this file reaches into it. */
interface Xml2jsParser {
  processAsync: () => void;
  saxParser: { write(chunk: string): Xml2jsParser["saxParser"]; close(): unknown; errThrown?: boolean };
  emit(event: unknown): unknown;
}

/**
 * Makes xml2js read one document given as pieces (a part of a long feed:
 * its head, a slice of the whole document, its tail), chunk by chunk as it
 * reads a string. Joined, the pieces would be copied whole: xml2js trims
 * the string it is given, which flattens it into a fresh copy, and on a
 * long feed those copies' new pages cost about as much as parsing them.
 * Slices of the document's own string are no copies. The same steps as
 * xml2js's processAsync, over the pieces instead of `remaining`.
 */
function readPieces(xmlParser: Xml2jsParser, pieces: string[], chunkSize: number): void {
  let piece = 0;
  let at = 0;
  xmlParser.processAsync = () => {
    try {
      while (piece < pieces.length && at >= pieces[piece]!.length) {
        piece++;
        at = 0;
      }
      if (piece >= pieces.length) {
        xmlParser.saxParser.close();
        return;
      }
      const text = pieces[piece]!;
      const chunk = at === 0 && text.length <= chunkSize ? text : text.slice(at, at + chunkSize);
      at += chunk.length;
      xmlParser.saxParser = xmlParser.saxParser.write(chunk);
      setImmediate(xmlParser.processAsync);
    } catch (error) {
      if (!xmlParser.saxParser.errThrown) {
        xmlParser.saxParser.errThrown = true;
        xmlParser.emit(error);
      }
    }
  };
}

/**
 * Runs one rss-parser pass, abandoning (and halting) it when the deadline
 * passes. The document is one string, or pieces read in turn (readPieces).
 */
function parseWithDeadline(xml: string | string[], deadline: number): Promise<Parsed> {
  const parser = newParser();
  const xmlParser = (parser as unknown as { xmlParser: Xml2jsParser }).xmlParser;
  // xml2js is handed the first piece (it trims and schedules it), then reads every piece from readPieces.
  if (Array.isArray(xml)) readPieces(xmlParser, xml, PARSE_CHUNK_CHARS);
  // In chunked mode xml2js loses an exception thrown by rss-parser's feed builders
  // (it emits the error object as an event name), so the promise would never settle:
  // catch it in the builder and settle it here.
  let builderError: unknown;
  const builders = parser as unknown as Record<(typeof BUILDERS)[number], (xmlObj: unknown) => unknown>;
  for (const name of BUILDERS) {
    const build = builders[name].bind(parser);
    builders[name] = (xmlObj: unknown) => {
      try {
        objectifyEmptyElements(xmlObj);
        if (name === "buildAtomFeed") giveAtomLinksAttributes(xmlObj);
        return withoutSnippets(() => build(xmlObj));
      } catch (error) {
        builderError = error;
        return { items: [] };
      }
    };
  }
  const ms = Math.max(1, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The next scheduled chunk finds nothing to do: the abandoned parse stops using CPU.
      xmlParser.processAsync = () => {};
      reject(
        new ParseError(
          "timeout",
          "parsing took longer than the limit; the document is abandoned (if the feed is just large, raise parse.timeoutMs in the config)",
        ),
      );
    }, ms);
  });
  const parse = (parser.parseString(Array.isArray(xml) ? xml[0]! : xml) as Promise<Parsed>).then((parsed) => {
    if (builderError !== undefined) throw builderError;
    return parsed;
  });
  return Promise.race([parse, timeout]).finally(() => clearTimeout(timer));
}

/**
 * xml2js turns an element with no children and no attributes (`<entry></entry>`,
 * `<feed> </feed>`) into a string, and rss-parser then reads `entry.link` —
 * which on a string is String.prototype.link, a function — and crashes. Such
 * elements become empty objects.
 */
function objectifyEmptyElements(xmlObj: unknown): void {
  if (xmlObj === null || typeof xmlObj !== "object") return;
  const root = xmlObj as Record<string, unknown>;
  const asObjects = (list: unknown) => (Array.isArray(list) ? list.map((e) => (e !== null && typeof e === "object" ? e : {})) : list);
  if (typeof root.feed === "string") root.feed = {};
  const feed = root.feed as Record<string, unknown> | undefined;
  if (feed && Array.isArray(feed.entry)) feed.entry = asObjects(feed.entry);
  const rdf = root["rdf:RDF"] as Record<string, unknown> | undefined;
  if (rdf !== null && typeof rdf === "object") {
    if (Array.isArray(rdf.channel)) rdf.channel = asObjects(rdf.channel);
    if (Array.isArray(rdf.item)) rdf.item = asObjects(rdf.item);
  }
  const rss = root.rss as Record<string, unknown> | undefined;
  if (rss !== null && typeof rss === "object" && Array.isArray(rss.channel)) {
    rss.channel = asObjects(rss.channel);
    const channel = (rss.channel as Array<Record<string, unknown>>)[0];
    if (channel && Array.isArray(channel.item)) channel.item = asObjects(channel.item);
  }
}

/**
 * rss-parser reads `link.$.rel` on every Atom link: a `<link>URL</link>` (text,
 * no attributes, as some generators write) throws. Such a link becomes `href`.
 */
function giveAtomLinksAttributes(xmlObj: unknown): void {
  const feed = (xmlObj as { feed?: Record<string, unknown> }).feed;
  if (feed === undefined || feed === null || typeof feed !== "object") return;
  const fix = (owner: Record<string, unknown>) => {
    if (!Array.isArray(owner.link)) return;
    owner.link = owner.link.map((l: unknown) => {
      if (typeof l === "string") return { $: { href: l.trim() } };
      if (l !== null && typeof l === "object" && (l as { $?: unknown }).$ === undefined) {
        return { ...(l as object), $: { href: String((l as { _?: unknown })._ ?? "").trim() } };
      }
      return l;
    });
  };
  fix(feed);
  if (Array.isArray(feed.entry)) for (const entry of feed.entry) if (entry !== null && typeof entry === "object") fix(entry as Record<string, unknown>);
}

/**
 * Text of an element that has child elements (an Atom type="xhtml" title, HTML
 * left unescaped in an RSS title). xml2js keeps an element's own text apart
 * from its children, so mixed content comes out in that order; iterative,
 * because the element may be deep.
 */
function deepText(node: unknown): string | undefined {
  if (node === null || typeof node !== "object") return undefined;
  const parts: string[] = [];
  const stack: unknown[] = [node];
  while (stack.length > 0 && parts.length < 10_000) {
    const n = stack.pop();
    if (typeof n === "string") parts.push(n);
    else if (Array.isArray(n)) for (let i = n.length - 1; i >= 0; i--) stack.push(n[i]);
    else if (n !== null && typeof n === "object") {
      const children = Object.entries(n as Record<string, unknown>).filter(([k]) => k !== "$" && k !== "_");
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]?.[1]);
      const own = (n as { _?: unknown })._;
      if (typeof own === "string") parts.push(own);
    }
  }
  const text = parts.join(" ").replace(/\s+/g, " ").trim();
  return text === "" ? undefined : text;
}

interface Root {
  format: RawFeed["format"];
  /** xml:base on the root element (on <rss> it is not visible through rss-parser). */
  base?: string;
}

function detectRoot(xml: string): Root | undefined {
  const m = /<([A-Za-z_][\w.:-]*)([^>]*)>/.exec(
    xml
      .slice(0, 64 * 1024)
      .replace(/^(?:\s*(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->))*/, "")
      .slice(0, 4096),
  );
  const name = m?.[1]?.toLowerCase();
  let format: RawFeed["format"] | undefined;
  if (name === "feed") format = "atom";
  else if (name === "rss") format = "rss";
  else if (name === "rdf:rdf" || name?.endsWith(":rdf") || name === "rdf") format = "rdf";
  if (format === undefined) return undefined;
  const base = /\bxml:base\s*=\s*(["'])([^"']*)\1/.exec(m?.[2] ?? "")?.[2];
  return { format, ...(base ? { base } : {}) };
}

function categoriesOf(raw: ParsedItem): RawCategory[] {
  const out: RawCategory[] = [];
  for (const node of nodes(raw["x:category"])) {
    const term = (attr(node, "term") ?? text(node) ?? "").trim();
    if (term === "") continue;
    const scheme = attr(node, "scheme") ?? attr(node, "domain");
    const label = attr(node, "label");
    out.push({ term, ...(scheme ? { scheme } : {}), ...(label ? { label } : {}) });
  }
  return out;
}

function mediaOf(node: unknown): RawMedia | undefined {
  const url = attr(node, "url");
  if (url === undefined || url.trim() === "") return undefined;
  const media: RawMedia = { url: url.trim() };
  const type = attr(node, "type");
  const medium = attr(node, "medium");
  const width = numberAttr(node, "width");
  const height = numberAttr(node, "height");
  const length = numberAttr(node, "fileSize") ?? numberAttr(node, "length");
  const title = text(child(node, "media:title"));
  const description = text(child(node, "media:description"));
  const credit = text(child(node, "media:credit"));
  if (type) media.type = type;
  if (medium) media.medium = medium;
  if (width !== undefined) media.width = width;
  if (height !== undefined) media.height = height;
  if (length !== undefined) media.length = length;
  if (title) media.title = title;
  if (description) media.description = description;
  if (credit) media.credit = credit;
  return media;
}

function mediaList(raw: ParsedItem): RawMedia[] {
  const out: RawMedia[] = [];
  const push = (m: RawMedia | undefined) => m && out.push(m);
  for (const n of nodes(raw["x:media:content"])) push(mediaOf(n));
  for (const group of nodes(raw["x:media:group"])) {
    for (const n of nodes(child(group, "media:content"))) push(mediaOf(n));
    for (const n of nodes(child(group, "media:thumbnail"))) push({ ...mediaOf(n), medium: "image" } as RawMedia);
  }
  for (const n of nodes(raw["x:media:thumbnail"])) {
    const m = mediaOf(n);
    if (m) push({ ...m, medium: m.medium ?? "image" });
  }
  return out;
}

function authorsOf(raw: ParsedItem): string[] {
  const names: string[] = [];
  for (const n of nodes(raw["x:dc:creator"])) names.push(text(n) ?? "");
  for (const n of nodes(raw["x:author"])) {
    const name = text(child(n, "name")) ?? text(n);
    if (name) names.push(name);
  }
  for (const n of nodes(raw["x:itunes:author"])) names.push(text(n) ?? "");
  return [...new Set(names.map((s) => s.trim()).filter((s) => s !== ""))];
}

function atomLink(raw: ParsedItem): string | undefined {
  const links = nodes(raw["x:link"]);
  const alternate = links.find((l) => (attr(l, "rel") ?? "alternate") === "alternate" && attr(l, "href"));
  return attr(alternate, "href") ?? attr(links[0], "href") ?? (typeof links[0] === "string" ? links[0] : undefined);
}

function toItem(raw: ParsedItem, format: RawFeed["format"], feedBase: string | undefined): RawItem {
  const item: RawItem = {
    authors: authorsOf(raw),
    categories: categoriesOf(raw),
    enclosures: [],
    media: mediaList(raw),
  };
  const titleNode = nodes(raw["x:title"])[0];
  const hasChildren = typeof titleNode === "object" && Object.keys(titleNode).some((k) => k !== "$" && k !== "_");
  const title = hasChildren ? deepText(titleNode) : typeof raw.title === "string" ? raw.title : deepText(raw.title);
  if (title !== undefined) item.title = title;
  const link = format === "atom" ? atomLink(raw) : (text(nodes(raw["x:link"])[0]) ?? raw.link);
  if (typeof link === "string" && link.trim() !== "") item.link = link.trim();
  const guidNode = nodes(raw["x:guid"])[0] ?? nodes(raw["x:id"])[0];
  const guid = text(guidNode)?.trim();
  if (guid) {
    item.guid = guid;
    const isPermaLink = attr(guidNode, "isPermaLink");
    if (format !== "atom") item.guidIsPermaLink = isPermaLink === undefined || isPermaLink.toLowerCase() === "true";
  }
  const attrs = raw["x:$"] as Record<string, unknown> | undefined;
  const base = resolveBase(typeof attrs?.["xml:base"] === "string" ? (attrs["xml:base"] as string) : undefined, feedBase);
  if (base) item.base = base;
  // Atom 0.3 (issued/modified/created) and RSS 1.0 (dc:date) spell the dates differently.
  const published =
    text(raw["x:published"]) ??
    text(raw["x:fe-published"]) ??
    text(raw["x:pubDate"]) ??
    text(raw["x:issued"]) ??
    text(raw["x:created"]) ??
    text(raw["x:dc:date"]);
  const updated = text(raw["x:updated"]) ?? text(raw["x:fe-updated"]) ?? text(raw["x:modified"]);
  if (published?.trim()) item.published = published.trim();
  if (updated?.trim()) item.updated = updated.trim();
  const encoded = raw["content:encoded"];
  if (format === "atom") {
    if (typeof raw.content === "string") item.content = raw.content;
    if (typeof raw.summary === "string") item.summary = raw.summary;
    const bodyNode = nodes(raw["x:content"])[0] ?? nodes(raw["x:summary"])[0];
    const bodyBase = typeof bodyNode === "object" ? bodyNode.$?.["xml:base"] : undefined;
    if (bodyBase !== undefined) {
      const contentBase = resolveBase(bodyBase, item.base);
      if (contentBase) item.contentBase = contentBase;
    }
  } else {
    if (typeof raw.content === "string") item.summary = raw.content; // rss-parser puts <description> in `content`
    if (typeof encoded === "string") item.content = encoded;
  }
  for (const n of nodes(raw["x:enclosure"])) {
    const url = attr(n, "url") ?? attr(n, "href");
    if (!url) continue;
    const type = attr(n, "type");
    const length = numberAttr(n, "length");
    item.enclosures.push({ url: url.trim(), ...(type ? { type } : {}), ...(length ? { length } : {}) });
  }
  const language = text(raw["x:dc:language"]);
  if (language) item.language = language.trim();
  if (!item.content?.trim() && !item.summary?.trim()) {
    const description = mediaDescription(raw);
    if (description !== undefined) item.summary = description;
  }
  return item;
}

/**
 * The Media RSS description of an item that has no body of its own, as HTML:
 * a video feed (YouTube channels) says what each video is about only in
 * `media:group/media:description` or an item-level `media:description`.
 * Plain text (Media RSS's default type) is escaped, its blank lines made
 * paragraphs and its other line breaks kept.
 */
function mediaDescription(raw: ParsedItem): string | undefined {
  const node =
    nodes(raw["x:media:description"])[0] ??
    nodes(raw["x:media:group"])
      .map((g) => nodes(child(g, "media:description"))[0])
      .find((n) => n !== undefined);
  const description = text(node)?.trim();
  if (!description) return undefined;
  if (attr(node, "type")?.toLowerCase() === "html") return description;
  return description
    .split(/\r?\n\s*\r?\n/)
    .map((p) => `<p>${escapeText(p.trim()).replace(/\r?\n/g, "<br>")}</p>`)
    .join("");
}

function ttlMinutes(feed: Record<string, unknown>): number | undefined {
  const ttl = Number(text(feed["x:ttl"]));
  if (Number.isFinite(ttl) && ttl > 0) return ttl;
  const period = text(feed["x:sy:updatePeriod"])?.trim().toLowerCase();
  if (period === undefined) return undefined;
  const perPeriod = { hourly: 60, daily: 1440, weekly: 10080, monthly: 43200, yearly: 525600 }[period];
  if (perPeriod === undefined) return undefined;
  const frequency = Number(text(feed["x:sy:updateFrequency"]) ?? 1);
  return Math.round(perPeriod / (Number.isFinite(frequency) && frequency > 0 ? frequency : 1));
}

// rss-parser turns an invalid Atom date into a RangeError for the whole feed: move
// the date elements aside so one bad date costs one field, not the document.
function hideAtomDates(xml: string): string {
  return xml.replace(/<(\/?)(published|updated)(\s*>)/g, "<$1fe-$2$3");
}

// rss-parser reads `channel[0]` without checking: an <rss> or <rdf:RDF> with no
// <channel> throws a TypeError. Give it an empty channel (RSS 2.0 requires one).
function addEmptyChannel(xml: string): string {
  return xml.replace(/<((?:rss|[\w.-]*:?RDF)\b[^>]*?)(\/?)>/, (_m, open: string, selfClosing: string) =>
    selfClosing ? `<${open}><channel></channel></${open.split(/\s/)[0]}>` : `<${open}><channel></channel>`,
  );
}

/** One strict parse, with rss-parser's own failures on valid XML worked around. */
async function parseStrict(xml: string, format: RawFeed["format"], deadline: number): Promise<Parsed> {
  try {
    return await parseWithDeadline(xml, deadline);
  } catch (error) {
    if (isStackOverflow(error)) {
      throw new ParseError("hostile-xml", "the document nests elements too deeply to read; it is refused", { cause: error });
    }
    if (error instanceof RangeError && format === "atom") return parseWithDeadline(hideAtomDates(xml), deadline);
    // An empty <rss/> reaches rss-parser as "" ("not recognized"); one without <channel> as a TypeError.
    const channelless = error instanceof TypeError || (error instanceof Error && error.message.includes("not recognized"));
    if (channelless && format !== "atom" && !/<channel[\s>]/.test(xml)) return parseWithDeadline(addEmptyChannel(xml), deadline);
    throw error;
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

/** The well-formed parse, or — only when it fails — the repairs that real readers make, in order. */
async function parseOrRepair(xml: string, root: Root, entities: Map<string, string>, deadline: number, repairs: string[]): Promise<Parsed> {
  let firstError: unknown;
  try {
    return await parseStrict(xml, root.format, deadline);
  } catch (error) {
    if (error instanceof ParseError) throw error;
    firstError = error;
  }
  // Entities declared in a DOCTYPE count toward a budget: a quadratic blowup is refused, not expanded.
  const fixed = repairText(xml, entities, Math.max(MIN_EXPANSION_CHARS, xml.length));
  if (fixed.repairs.length > 0) {
    try {
      const parsed = await parseStrict(fixed.xml, root.format, deadline);
      repairs.push(...fixed.repairs);
      return parsed;
    } catch (error) {
      if (error instanceof ParseError) throw error;
    }
  }
  if (Date.now() >= deadline)
    throw new ParseError(
      "timeout",
      "parsing took longer than the limit; the document is abandoned (if the feed is just large, raise parse.timeoutMs in the config)",
    );
  const rebuilt = rebuildTree(fixed.xml);
  try {
    const parsed = await parseStrict(rebuilt, root.format, deadline);
    repairs.push(...fixed.repairs, describeRebuild(fixed.xml));
    return parsed;
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw new ParseError("parse", `the ${root.format.toUpperCase()} document is not well-formed XML and could not be repaired (${reasonOf(firstError)})`, {
      cause: firstError,
    });
  }
}

const MIN_EXPANSION_CHARS = 1_000_000;

function describeRebuild(xml: string): string {
  const tail = xml.slice(-256).trimEnd();
  return /<\/(rss|feed|[\w.-]*:?RDF)>$/i.test(tail)
    ? "closed unbalanced elements (lenient re-parse)"
    : "document was truncated: closed the open elements and kept what came before the cut (lenient re-parse)";
}

function resolveBase(base: string | undefined, against: string | undefined): string | undefined {
  if (base === undefined || base.trim() === "") return against;
  if (against === undefined) return base.trim();
  try {
    return new URL(base.trim(), against).href;
  } catch {
    return base.trim();
  }
}

/** The RawFeed of a parsed document: its items mapped, the feed's own fields read. */
function rawFeedOf(parsed: Parsed, root: Root, repairs: string[]): RawFeed {
  const channelAttrs = parsed["x:$"] as Record<string, unknown> | undefined;
  const channelBase = typeof channelAttrs?.["xml:base"] === "string" ? (channelAttrs["xml:base"] as string) : undefined;
  const feedBase = resolveBase(channelBase, root.base);
  const feed: RawFeed = {
    format: root.format,
    items: (parsed.items ?? []).map((raw) => toItem(raw, root.format, feedBase)),
    repairs,
  };
  const feedTitle = typeof parsed.title === "string" ? parsed.title : deepText(parsed.title);
  if (feedTitle !== undefined) feed.title = feedTitle;
  if (typeof parsed.link === "string") feed.link = parsed.link;
  if (typeof parsed.description === "string") feed.description = parsed.description;
  const language = typeof parsed.language === "string" ? parsed.language : text(parsed["x:dc:language"]);
  if (language) feed.language = language.trim();
  if (feedBase) feed.base = feedBase;
  const ttl = ttlMinutes(parsed);
  if (ttl !== undefined) feed.ttlMinutes = ttl;
  return feed;
}

/** Whether two parts of one feed read the same feed fields from their common head and tail. */
function sameFeedFields(a: RawFeed, b: RawFeed): boolean {
  return (
    a.format === b.format &&
    a.title === b.title &&
    a.link === b.link &&
    a.description === b.description &&
    a.language === b.language &&
    a.base === b.base &&
    a.ttlMinutes === b.ttlMinutes
  );
}

/**
 * A long feed parsed part after part (split-items.ts), each part's items
 * handed out as soon as it is read. A part is parsed as it is: no repair
 * and none of parseStrict's second tries, so it either gives exactly the
 * items the whole document gives for it or fails. Undefined when the feed
 * is not one plain run of items, or a part fails or disagrees with the
 * first: the caller then parses the document whole (after `discard`).
 */
async function parseInParts(xml: string, root: Root, parts: ItemsByParts, deadline: number, repairs: string[]): Promise<RawFeed | undefined> {
  const split = splitItems(xml, root.format === "atom" ? "entry" : "item", parts.partItems ?? PART_ITEMS);
  if (split === undefined) return undefined;
  let whole: RawFeed | undefined;
  try {
    for (let p = 0; p < split.runs.length; p++) {
      const [start, end] = split.runs[p]!;
      const part = rawFeedOf(await parseWithDeadline([split.head, xml.slice(start, end), split.tail], deadline), root, repairs);
      if (part.items.length !== split.counts[p] || (whole !== undefined && !sameFeedFields(whole, part))) {
        parts.discard();
        return undefined;
      }
      const items = part.items;
      part.items = [];
      parts.items(part, items);
      if (whole === undefined) whole = { ...part, items: [] };
      for (const item of items) whole.items.push(item);
    }
  } catch (error) {
    // A timeout ends the parse, in parts or whole; anything else is the whole document's parser's to judge.
    parts.discard();
    if (error instanceof ParseError) throw error;
    return undefined;
  }
  return whole;
}

/** Text → RawFeed. Throws ParseError with a code when the text is no feed. */
export async function parseFeed(xml: string, options: ParseOptions): Promise<RawFeed> {
  const deadline = Date.now() + options.timeoutMs;
  if (!/\S/.test(xml)) throw new ParseError("empty", "the document is empty; check the source URL");
  const prepared = prepareXml(xml);
  const root = detectRoot(prepared.xml);
  if (root === undefined) {
    throw new ParseError("not-a-feed", "the document is not RSS, RDF or Atom (maybe an HTML page); check the source URL");
  }
  const repairs = [...prepared.repairs];
  // Atom says how its bodies are written (type="xhtml"); RSS bodies written as elements are made text
  // here. Not when the DOCTYPE declared entities: a reference in a CDATA section is no longer expanded.
  if (root.format !== "atom" && prepared.entities.size === 0) prepared.xml = wrapMarkupBodies(prepared.xml).xml;
  // Entities declared in a DOCTYPE would not reach the parts; repairs made before the parse are the whole document's.
  if (options.parts !== undefined && prepared.entities.size === 0) {
    const inParts = await parseInParts(prepared.xml, root, options.parts, deadline, repairs);
    if (inParts !== undefined) return inParts;
  }
  const parsed = await parseOrRepair(prepared.xml, root, prepared.entities, deadline, repairs);
  return rawFeedOf(parsed, root, repairs);
}
