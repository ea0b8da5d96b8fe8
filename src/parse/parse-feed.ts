import Parser from "rss-parser";
import type { RawCategory, RawFeed, RawItem, RawMedia } from "../model/index.js";
import { ParseError } from "./parse-error.js";
import { attr, child, nodes, numberAttr, text } from "./xml-node.js";

export interface ParseOptions {
  /** A parse that takes longer is abandoned (rss-parser can hang on some broken input). */
  timeoutMs: number;
}

// Raw xml2js nodes we read ourselves because rss-parser drops or flattens them.
const RAW_ITEM_FIELDS = [
  "$",
  "category",
  "media:content",
  "media:thumbnail",
  "media:group",
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

function newParser(): Parser<Record<string, unknown>, ParsedItem> {
  // A fresh parser per document: a reused one keeps xml2js state after a failure.
  return new Parser({ defaultRSS: 2, customFields: { item: RAW_ITEM_FIELDS, feed: RAW_FEED_FIELDS } as never, xml2js: { strict: true } });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ParseError("timeout", `parsing took longer than ${ms} ms; the document is abandoned`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function detectFormat(xml: string): RawFeed["format"] | undefined {
  const root = /<(?!\?|!)([\w:-]+)/.exec(xml)?.[1]?.toLowerCase();
  if (root === "feed") return "atom";
  if (root === "rss") return "rss";
  if (root === "rdf:rdf" || root?.endsWith(":rdf") || root === "rdf") return "rdf";
  return undefined;
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

function toItem(raw: ParsedItem, format: RawFeed["format"]): RawItem {
  const item: RawItem = {
    authors: authorsOf(raw),
    categories: categoriesOf(raw),
    enclosures: [],
    media: mediaList(raw),
  };
  const title = typeof raw.title === "string" ? raw.title : undefined;
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
  const base = attr(nodes(raw["x:$"])[0] ?? raw["x:$"], "xml:base");
  if (base) item.base = base;
  const published = text(raw["x:published"]) ?? text(raw["x:fe-published"]) ?? text(raw["x:pubDate"]) ?? text(raw["x:dc:date"]);
  const updated = text(raw["x:updated"]) ?? text(raw["x:fe-updated"]);
  if (published?.trim()) item.published = published.trim();
  if (updated?.trim()) item.updated = updated.trim();
  const encoded = raw["content:encoded"];
  if (format === "atom") {
    if (typeof raw.content === "string") item.content = raw.content;
    if (typeof raw.summary === "string") item.summary = raw.summary;
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
  return item;
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

/** Text → RawFeed. Throws ParseError with a code when the text is no feed. */
export async function parseFeed(xml: string, options: ParseOptions): Promise<RawFeed> {
  const trimmed = xml.trimStart();
  if (trimmed === "") throw new ParseError("empty", "the document is empty; check the source URL");
  const format = detectFormat(trimmed);
  if (format === undefined) {
    throw new ParseError("not-a-feed", "the document is not RSS, RDF or Atom; check the source URL");
  }
  let parsed: Record<string, unknown> & { items: ParsedItem[] };
  try {
    parsed = await withTimeout(newParser().parseString(trimmed), options.timeoutMs);
  } catch (error) {
    if (error instanceof RangeError && format === "atom") {
      parsed = await withTimeout(newParser().parseString(hideAtomDates(trimmed)), options.timeoutMs);
    } else if (error instanceof ParseError) {
      throw error;
    } else {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new ParseError("parse", `the ${format.toUpperCase()} document is not well-formed XML (${reason})`, { cause: error });
    }
  }
  const feedBase = attr(nodes(parsed["x:$"])[0] ?? parsed["x:$"], "xml:base");
  const feed: RawFeed = {
    format,
    items: (parsed.items ?? []).map((raw) => toItem(raw, format)),
    repairs: [],
  };
  if (typeof parsed.title === "string") feed.title = parsed.title;
  if (typeof parsed.link === "string") feed.link = parsed.link;
  if (typeof parsed.description === "string") feed.description = parsed.description;
  const language = typeof parsed.language === "string" ? parsed.language : text(parsed["x:dc:language"]);
  if (language) feed.language = language.trim();
  if (feedBase) feed.base = feedBase;
  const ttl = ttlMinutes(parsed);
  if (ttl !== undefined) feed.ttlMinutes = ttl;
  return feed;
}
