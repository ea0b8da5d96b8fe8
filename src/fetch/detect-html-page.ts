import { Parser } from "htmlparser2";
import { doctypeEnd } from "../shared/doctype-end.js";
import { FetchError } from "./fetch-error.js";

/** An HTML page served where a feed was expected. */
export interface HtmlPage {
  /** Feeds the page advertises with <link rel="alternate" type="…">, absolute, in page order, without duplicates. */
  feeds: string[];
}

// Feed autodiscovery (RSS Autodiscovery 1.0; RFC 4287 §7.1 for Atom). Only the
// formats the parse stage reads: JSON links on pages are mostly APIs, not feeds.
const FEED_TYPES = new Set(["application/rss+xml", "application/atom+xml", "application/rdf+xml"]);

// The <link> elements live in <head>; a page's first half megabyte holds it.
const SCAN_BYTES = 512 * 1024;
// A feed's root element comes after an XML declaration, perhaps a stylesheet
// instruction and a comment: the first 4 KB nearly always hold it. Every fetched
// body passes here, so a feed is told from these few bytes instead of making a
// string of half a megabyte (≈ 2 ms each, 3 % of a cycle of many sources).
const ROOT_SCAN_BYTES = 4096;

/** Text of the first bytes, enough to find markup: UTF-16 by its BOM, anything else byte-per-char (tags are ASCII). */
function headText(body: Buffer, bytes: number): string {
  const head = body.subarray(0, bytes);
  if (head[0] === 0xff && head[1] === 0xfe) return head.subarray(2).toString("utf16le");
  if (head[0] === 0xfe && head[1] === 0xff) {
    const swapped = Buffer.from(head.subarray(2, 2 + ((head.length - 2) & ~1)));
    return swapped.swap16().toString("utf16le");
  }
  return head.toString("latin1");
}

/** Skips the declarations, processing instructions and comments `text` starts with; undefined if one does not end in it. */
function skipProlog(text: string): string | undefined {
  let rest = text;
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith("<?")) {
      const end = rest.indexOf("?>");
      if (end < 0) return undefined;
      rest = rest.slice(end + 2);
    } else if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->");
      if (end < 0) return undefined;
      rest = rest.slice(end + 3);
    } else return rest;
  }
}

/**
 * Name of the document's root (lowercase): its first element's when that is
 * a feed's, else the doctype's when there is one, else the first element's.
 * A feed may sit behind a page's doctype (an RSS document that starts with
 * an XHTML DOCTYPE is still read as RSS by feed readers); a page's doctype
 * otherwise settles what it is, whatever element comes first.
 */
function rootName(text: string, cut = false): string | undefined {
  let rest = skipProlog(text.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ""));
  if (rest === undefined) return undefined;
  const doctype = /^<!doctype\s+([^\s>[]+)/i.exec(rest);
  const doctypeName = doctype?.[1]?.toLowerCase();
  if (doctype) {
    const end = doctypeEnd(rest, 0);
    rest = end < 0 ? undefined : skipProlog(rest.slice(end));
    // A doctype or a comment after it that runs past the bytes read: the doctype is all there is to go by.
    if (rest === undefined) return cut ? undefined : doctypeName;
  }
  const element = /^<([A-Za-z_][\w:.-]*)/.exec(rest);
  // In the first bytes of a longer body, a name that runs to their end may be cut short.
  const whole = element !== null && !(cut && element.index + element[0].length === rest.length);
  const name = whole ? element[1]!.toLowerCase() : undefined;
  if (isFeedRoot(name)) return name;
  if (doctypeName !== undefined) return doctypeName;
  return name;
}

function isFeedRoot(name: string | undefined): boolean {
  return name === "rss" || name === "feed" || name === "rdf:rdf" || name === "rdf" || (name?.endsWith(":feed") ?? false) || (name?.endsWith(":rdf") ?? false);
}

/**
 * Tells an HTML page from a feed before anything is parsed, and lists the feeds
 * the page advertises. Returns undefined for anything that is not HTML. A feed
 * wrongly served as text/html is still a feed: the bytes decide, the
 * Content-Type only settles documents whose root says nothing.
 */
export function detectHtmlPage(body: Buffer, contentType: string | undefined, url: string): HtmlPage | undefined {
  if (body.length > ROOT_SCAN_BYTES && isFeedRoot(rootName(headText(body, ROOT_SCAN_BYTES), true))) return undefined;
  const text = headText(body, SCAN_BYTES);
  const root = rootName(text);
  if (isFeedRoot(root)) return undefined;
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const saysHtml = mediaType === "text/html" || mediaType === "application/xhtml+xml";
  // Under a text/html label, a root that is neither a feed nor namespaced XML is a page (a fragment, or text).
  const isHtml = root === "html" || (saysHtml && (root === undefined || !root.includes(":")));
  if (!isHtml) return undefined;

  const feeds: string[] = [];
  let base = url;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === "base" && attributes.href) {
          try {
            base = new URL(attributes.href, url).href;
          } catch {
            // An unusable <base> changes nothing.
          }
          return;
        }
        if (name !== "link" || !attributes.href) return;
        const rel = (attributes.rel ?? "").toLowerCase().split(/\s+/);
        const type = (attributes.type ?? "").split(";")[0]!.trim().toLowerCase();
        if (!rel.includes("alternate") || !FEED_TYPES.has(type)) return;
        try {
          const href = new URL(attributes.href.trim(), base);
          if ((href.protocol === "http:" || href.protocol === "https:") && !feeds.includes(href.href)) feeds.push(href.href);
        } catch {
          // A malformed href advertises nothing usable.
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(text);
  return { feeds };
}

/** The coded error for a page that is not a feed, naming the feeds it advertises. */
export function notAFeedError(url: string, page: HtmlPage): FetchError {
  const advice =
    page.feeds.length > 0
      ? `it advertises ${page.feeds.join(", ")}; set the source url to ${page.feeds.length === 1 ? "that feed" : "one of them"}`
      : "it advertises no feed; find the feed's address on the site and set it as the source url";
  return new FetchError("not-a-feed", `${url} is an HTML page, not a feed; ${advice}`, { advertisedFeeds: page.feeds });
}
