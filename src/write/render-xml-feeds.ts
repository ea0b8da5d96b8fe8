import type { Entry } from "../model/index.js";
import { cdataSafe, entryDate, entryUpdated, escapeHtml, feedUpdated } from "./entry-view.js";
import { type FeedMeta, feedUrl, GENERATOR, IPTC_SCHEME } from "./feed-meta.js";

// RSS 2.0 and Atom 1.0 written straight to a string. The documents are byte
// for byte what the `feed` package (6.0, xml-js compact mode, four-space
// indent) wrote for the same items — readers, caches and the golden files
// depend on those bytes — without building an object tree per item and
// serializing it generically, which cost more than the rest of the render.
// test/write/render-parity.test.ts compares both on real and hostile entries.

const RSS_DOCS = "https://validator.w3.org/feed/docs/rss2.html";
const NS_DC = "http://purl.org/dc/elements/1.1/";
const NS_CONTENT = "http://purl.org/rss/1.0/modules/content/";
const NS_ATOM = "http://www.w3.org/2005/Atom";
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

// Line breaks plus indentation for depths 0–3 (feed indents four spaces).
const N0 = "\n";
const N1 = "\n    ";
const N2 = "\n        ";
const N3 = "\n            ";

const TEXT_SPECIAL = /[&<>]/;
const AMP_ENTITY = /&amp;/g;
const AMP = /&/g;
const LT = /</g;
const GT = />/g;
const QUOTE = /"/g;

/** Element text as xml-js writes it: `&amp;` is first undone so it is not escaped twice. */
function text(value: string | number): string {
  const s = `${value}`;
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(AMP_ENTITY, "&").replace(AMP, "&amp;").replace(LT, "&lt;").replace(GT, "&gt;");
}

/** Attribute value as xml-js writes it: only `"` is escaped (callers escape `&` where feed did). */
function attr(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return "";
  const s = `${value}`;
  return ` ${name}="${s.includes('"') ? s.replace(QUOTE, "&quot;") : s}"`;
}

/** xml-js replaces only the first `]]>` (cdataSafe has already removed them all). */
function cdata(value: string): string {
  return `<![CDATA[${value.replace("]]>", "]]]]><![CDATA[>")}]]>`;
}

/** A leaf element as xml-js writes a string value: `<name/>` when empty. */
function leaf(indent: string, name: string, value: string | undefined): string {
  return value === undefined || value === "" ? `${indent}<${name}/>` : `${indent}<${name}>${text(value)}</${name}>`;
}

// feed's own helpers: `&` escaped in attribute values and URLs, URLs normalized by WHATWG URL.
function escapeAmp(value: string): string {
  return value.includes("&") ? value.replace(AMP, "&amp;") : value;
}

function sanitizeUrl(url: string): string;
function sanitizeUrl(url: string | undefined): string | undefined;
function sanitizeUrl(url: string | undefined): string | undefined {
  return url === undefined ? undefined : escapeAmp(new URL(url).toString());
}

/** The last dot-separated part of the path, which feed uses as the media subtype of an enclosure. */
function pathExtension(sanitizedUrl: string): string | undefined {
  return new URL(sanitizedUrl).pathname.split(".").slice(-1)[0];
}

function entityScheme(meta: FeedMeta, kind: string): string {
  return `${meta.baseUrl}entities/${kind}`;
}

function entryLink(entry: Entry, meta: FeedMeta): string {
  if (entry.link) return entry.link;
  if (/^https?:\/\//.test(entry.id)) return entry.id;
  return meta.homePage;
}

/** Summary and content as every format writes them: HTML, never empty content. */
function itemDescription(entry: Entry): string {
  return cdataSafe(escapeHtml(entry.summary));
}

function itemContent(entry: Entry): string {
  return cdataSafe(entry.contentHtml !== "" ? entry.contentHtml : `<p>${escapeHtml(entry.summary)}</p>`);
}

interface Media {
  url: string;
  type?: string;
  length?: number;
}

/** The first enclosure, else none; the image wins over it (as feed's `image` overrode `enclosure`). */
function itemMedia(entry: Entry): Media | undefined {
  if (entry.image) {
    const m: Media = { url: entry.image.url };
    if (entry.image.type) m.type = entry.image.type;
    if (entry.image.length) m.length = entry.image.length;
    return m;
  }
  const enc = entry.enclosures[0];
  if (!enc) return undefined;
  const m: Media = { url: enc.url };
  if (enc.type) m.type = enc.type;
  if (enc.length) m.length = enc.length;
  return m;
}

/** RSS categories: the topic, its IPTC code, the IPTC ancestors not already listed, entities, the source's own. */
function rssCategories(entry: Entry, meta: FeedMeta): string {
  let out = "";
  // feed wrote a category `domain` without escaping `&`: it is escaped here.
  const topicDomain = escapeAmp(meta.topicScheme);
  const category = (name: string, domain: string | undefined) => `${N3}<category${attr("domain", domain)}>${text(name)}</category>`;
  for (const t of entry.topics) {
    out += category(t.id, topicDomain);
    out += category(t.iptcCode, IPTC_SCHEME);
  }
  const seen = new Set<string>();
  for (const t of entry.topics) {
    for (const code of t.iptcAncestors) {
      if (!seen.has(code) && !entry.topics.some((x) => x.iptcCode === code)) {
        seen.add(code);
        out += category(code, IPTC_SCHEME);
      }
    }
  }
  for (const e of entry.entities) out += category(e.name, escapeAmp(entityScheme(meta, e.kind)));
  for (const c of entry.categories) out += category(c.term, c.scheme ? escapeAmp(c.scheme) : undefined);
  return out;
}

/** RSS 2.0 with dc:creator for authors (RSS <author> must be an e-mail address). */
export function renderRss(entries: Entry[], meta: FeedMeta): string {
  const self = feedUrl(meta, "rss");
  const homePage = sanitizeUrl(meta.homePage);
  let items = "";
  for (const entry of entries) {
    items += `${N2}<item>`;
    const title = cdataSafe(entry.title);
    if (title) items += `${N3}<title>${cdata(title)}</title>`;
    items += `${N3}<link>${text(sanitizeUrl(entryLink(entry, meta)))}</link>`;
    // The id as a non-permalink guid; feed fell back to the link for an empty id.
    items += entry.id
      ? `${N3}<guid isPermaLink="false">${text(entry.id)}</guid>`
      : `${N3}<guid isPermaLink="true">${text(sanitizeUrl(entryLink(entry, meta)))}</guid>`;
    items += `${N3}<pubDate>${new Date(entryDate(entry)).toUTCString()}</pubDate>`;
    const description = itemDescription(entry);
    if (description) items += `${N3}<description>${cdata(description)}</description>`;
    items += `${N3}<content:encoded>${cdata(itemContent(entry))}</content:encoded>`;
    items += rssCategories(entry, meta);
    const media = itemMedia(entry);
    if (media) {
      const url = sanitizeUrl(media.url);
      items += `${N3}<enclosure${attr("length", media.length ?? 0)}${attr("type", media.type ?? `image/${pathExtension(url)}`)}${attr("url", url)}/>`;
    }
    for (const author of entry.authors) items += leafText(N3, "dc:creator", cdataSafe(author));
    items += `${N2}</item>`;
  }
  // feed declares dc and content only when an item has content (every item here has).
  const namespaces = entries.length > 0 ? `${attr("xmlns:dc", NS_DC)}${attr("xmlns:content", NS_CONTENT)}` : "";
  let channel = `${N1}<channel>`;
  channel += leafText(N2, "title", meta.title);
  channel += leafText(N2, "link", homePage);
  channel += leafText(N2, "description", meta.description);
  // Fixed from the newest entry, never the clock: same inputs → same bytes.
  channel += leafText(N2, "lastBuildDate", feedUpdated(entries).toUTCString());
  channel += leafText(N2, "docs", RSS_DOCS);
  channel += leafText(N2, "generator", GENERATOR);
  if (meta.language) channel += leafText(N2, "language", meta.language);
  if (meta.ttlMinutes) channel += leafText(N2, "ttl", meta.ttlMinutes);
  channel += `${N2}<atom:link${attr("href", sanitizeUrl(self))}${attr("rel", "self")}${attr("type", "application/rss+xml")}/>`;
  if (meta.hub) channel += `${N2}<atom:link${attr("href", sanitizeUrl(meta.hub))}${attr("rel", "hub")}/>`;
  channel += `${items}${N1}</channel>`;
  return `${DECLARATION}${N0}<rss${attr("version", "2.0")}${namespaces}${attr("xmlns:atom", NS_ATOM)}>${channel}${N0}</rss>`;
}

/** `{ _text: value }` in xml-js: always an open and a close tag, even when empty. */
function leafText(indent: string, name: string, value: string | number): string {
  return `${indent}<${name}>${text(value)}</${name}>`;
}

/** Atom categories: term + scheme + label for every topic, its IPTC code and ancestors, the entities, the source's own. */
function atomCategories(entry: Entry, meta: FeedMeta): string {
  let out = "";
  // Attribute order is feed's: label, scheme, term; label and term had `&` escaped, scheme went through URL.
  const category = (term: string, scheme: string | undefined, label: string | undefined) =>
    `${N2}<category${attr("label", label === undefined ? undefined : escapeAmp(label))}${attr("scheme", sanitizeUrl(scheme))}${attr("term", escapeAmp(term))}/>`;
  const seen = new Set<string>();
  for (const t of entry.topics) {
    out += category(t.id, meta.topicScheme, t.label);
    out += category(t.iptcCode, IPTC_SCHEME, t.iptcLabel);
    seen.add(`${meta.topicScheme}|${t.id}`);
    seen.add(`${IPTC_SCHEME}|${t.iptcCode}`);
  }
  for (const t of entry.topics) {
    for (const code of t.iptcAncestors) {
      const key = `${IPTC_SCHEME}|${code}`;
      if (!seen.has(key)) {
        seen.add(key);
        out += category(code, IPTC_SCHEME, undefined);
      }
    }
  }
  for (const e of entry.entities) out += category(e.name, entityScheme(meta, e.kind), e.name);
  for (const c of entry.categories) {
    out += category(c.term, c.scheme && /^https?:\/\//.test(c.scheme) ? c.scheme : undefined, c.label ? c.label : undefined);
  }
  return out;
}

/** Atom 1.0 (RFC 4287): html-typed title, published and updated, categories with term/scheme/label. */
export function renderAtom(entries: Entry[], meta: FeedMeta): string {
  const self = feedUrl(meta, "atom");
  let out = `${DECLARATION}${N0}<feed${attr("xmlns", NS_ATOM)}>`;
  out += leaf(N1, "id", self);
  out += leaf(N1, "title", meta.title);
  out += leaf(N1, "updated", feedUpdated(entries).toISOString());
  out += leaf(N1, "generator", escapeAmp(GENERATOR));
  // RFC 4287 §4.1.1: an entry needs an author unless the feed has one.
  out += `${N1}<author>${leaf(N2, "name", meta.title)}${N1}</author>`;
  out += `${N1}<link${attr("rel", "alternate")}${attr("href", sanitizeUrl(meta.homePage))}/>`;
  out += `${N1}<link${attr("rel", "self")}${attr("href", sanitizeUrl(self))}/>`;
  if (meta.hub) out += `${N1}<link${attr("rel", "hub")}${attr("href", sanitizeUrl(meta.hub))}/>`;
  if (meta.description) out += leaf(N1, "subtitle", meta.description);
  for (const entry of entries) {
    out += `${N1}<entry>`;
    // Atom titles are written type="html": the plain text is escaped once.
    out += `${N2}<title type="html">${cdata(cdataSafe(escapeHtml(entry.title)))}</title>`;
    const link = sanitizeUrl(entryLink(entry, meta));
    out += leaf(N2, "id", sanitizeUrl(entry.id));
    out += `${N2}<link${attr("href", link)}/>`;
    const media = itemMedia(entry);
    if (media) {
      const url = sanitizeUrl(media.url);
      // feed wrote the path's extension as the subtype, whatever type was given.
      out += `${N2}<link${attr("rel", "enclosure")}${attr("href", url)}${attr("type", `image/${pathExtension(url)}`)}${attr("length", media.length)}/>`;
    }
    out += leaf(N2, "updated", new Date(entryUpdated(entry)).toISOString());
    const description = itemDescription(entry);
    if (description) out += `${N2}<summary type="html">${cdata(description)}</summary>`;
    out += `${N2}<content type="html">${cdata(itemContent(entry))}</content>`;
    for (const name of entry.authors) out += `${N2}<author>${leaf(N3, "name", cdataSafe(escapeHtml(name)))}${N2}</author>`;
    out += atomCategories(entry, meta);
    out += leaf(N2, "published", new Date(entryDate(entry)).toISOString());
    out += `${N1}</entry>`;
  }
  return `${out}${N0}</feed>`;
}
