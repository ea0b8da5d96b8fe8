import sanitizeHtml from "sanitize-html";
import { resolveUrl } from "./resolve-url.js";

export interface SanitizeOptions {
  /** Base of relative URLs (see effectiveBase). */
  base: string | undefined;
  isTracking: (name: string) => boolean;
}

// An allowlist: what a feed reader can show safely. Everything else is dropped
// (script, style, iframe, object, forms, event handlers, inline styles).
const ALLOWED_TAGS = [
  "p",
  "br",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "pre",
  "code",
  "em",
  "strong",
  "b",
  "i",
  "u",
  "s",
  "sub",
  "sup",
  "small",
  "mark",
  "q",
  "cite",
  "abbr",
  "time",
  "ul",
  "ol",
  "li",
  "dl",
  "dt",
  "dd",
  "a",
  "img",
  "figure",
  "figcaption",
  "picture",
  "source",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "th",
  "td",
  "caption",
  "span",
  "div",
  "audio",
  "video",
];

// FeedBurner's per-item beacon (`/~r/<feed>/~4/<id>`) and any 1×1 image: web
// bugs, not pictures. They must neither show nor become the lead image.
const FEEDBURNER_BEACON = /^https?:\/\/feeds\.feedburner\.com\/~r\/[^/]+\/~4\//i;

export function isTrackingPixel(attribs: Record<string, string | undefined>): boolean {
  const w = Number(attribs.width);
  const h = Number(attribs.height);
  if (attribs.width !== undefined && attribs.height !== undefined && w <= 2 && h <= 2) return true;
  return attribs.src !== undefined && FEEDBURNER_BEACON.test(attribs.src);
}

// A character other than whitespace or &nbsp;: its absence makes a block empty.
const NOT_BLANK = /[^\s\u00a0]/;

/** Sanitizes untrusted HTML and makes every URL in it absolute. */
export function sanitizeContent(html: string, options: SanitizeOptions): string {
  const fix = (value: string | undefined) => resolveUrl(value, options.base, options.isTracking);
  const fixSrcset = (srcset: string) =>
    srcset
      .split(",")
      .map((part) => {
        const [url, ...descriptor] = part.trim().split(/\s+/);
        const abs = fix(url);
        return abs === undefined ? undefined : [abs, ...descriptor].join(" ");
      })
      .filter((p): p is string => p !== undefined)
      .join(", ");

  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ["href", "title"],
      img: ["src", "srcset", "alt", "title", "width", "height"],
      source: ["src", "srcset", "type", "media"],
      audio: ["src", "controls"],
      video: ["src", "controls", "poster", "width", "height"],
      time: ["datetime"],
      abbr: ["title"],
      td: ["colspan", "rowspan"],
      th: ["colspan", "rowspan", "scope"],
      blockquote: ["cite"],
      q: ["cite"],
    },
    // data: is refused for links; images may not carry data: either (policy: no inline payloads).
    allowedSchemes: ["http", "https"],
    allowedSchemesAppliedToAttributes: ["href", "src", "cite", "poster"],
    allowProtocolRelative: false,
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "title", "iframe", "object", "embed"],
    transformTags: {
      a: (tagName, attribs) => {
        const href = fix(attribs.href);
        const out: Record<string, string> = {};
        if (href !== undefined) out.href = href;
        if (attribs.title) out.title = attribs.title;
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        // Lazy-loading themes put the real image in data-src and a placeholder in src.
        const candidate = attribs["data-src"] ?? attribs["data-lazy-src"] ?? attribs["data-original"] ?? attribs.src;
        const src = fix(candidate);
        const out: Record<string, string> = {};
        if (src !== undefined) out.src = src;
        const srcset = attribs["data-srcset"] ?? attribs["data-lazy-srcset"] ?? attribs.srcset;
        if (srcset) {
          const fixed = fixSrcset(srcset);
          if (fixed !== "") out.srcset = fixed;
        }
        for (const k of ["alt", "title", "width", "height"]) if (attribs[k] !== undefined) out[k] = attribs[k]!;
        return { tagName, attribs: out };
      },
      source: (tagName, attribs) => {
        const out: Record<string, string> = { ...attribs };
        if (attribs.src !== undefined) {
          const src = fix(attribs.src);
          if (src === undefined) delete out.src;
          else out.src = src;
        }
        if (attribs.srcset !== undefined) out.srcset = fixSrcset(attribs.srcset);
        return { tagName, attribs: out };
      },
    },
    exclusiveFilter: (frame) => {
      if (frame.tag === "img") return frame.attribs.src === undefined || isTrackingPixel(frame.attribs);
      // Empty paragraphs and wrappers (only whitespace or &nbsp;) are noise in a reader.
      if ((frame.tag === "p" || frame.tag === "span" || frame.tag === "div") && frame.mediaChildren.length === 0) {
        return !NOT_BLANK.test(frame.text);
      }
      return false;
    },
  });
}
