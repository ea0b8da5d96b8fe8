import { Parser } from "htmlparser2";
import { escapeText, stripIllegalXmlChars } from "../shared/xml-text.js";
import { TEXT_BREAK } from "./block-elements.js";
import { HTML_TOKENIZER } from "./fast-text-tokenizer.js";
import { resolveUrl, type UrlResolver } from "./resolve-url.js";

export interface SanitizeOptions {
  /** Base of relative URLs (see effectiveBase). */
  base: string | undefined;
  isTracking: (name: string) => boolean;
  /** resolveUrl with `isTracking` (a memoizing one from createUrlResolver, shared by a feed's items). */
  resolve?: UrlResolver;
}

// An allowlist: what a feed reader can show safely. Everything else is dropped
// (script, style, iframe, object, svg, math, forms, event handlers, inline
// styles, comments, CDATA, processing instructions).
const ALLOWED_TAGS = new Set([
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
]);

// Attributes kept per tag, in the order the tag's transform (below) puts them;
// a tag not listed keeps none.
const ALLOWED_ATTRIBUTES: Record<string, ReadonlySet<string>> = {
  a: new Set(["href", "title"]),
  img: new Set(["src", "srcset", "alt", "title", "width", "height"]),
  source: new Set(["src", "srcset", "type", "media"]),
  audio: new Set(["src", "controls"]),
  video: new Set(["src", "controls", "poster", "width", "height"]),
  time: new Set(["datetime"]),
  abbr: new Set(["title"]),
  td: new Set(["colspan", "rowspan"]),
  th: new Set(["colspan", "rowspan", "scope"]),
  blockquote: new Set(["cite"]),
  q: new Set(["cite"]),
};
// Attributes that are URLs: only http(s) survives (no javascript:, data:, or
// protocol-relative //host, whose scheme depends on the reader's page).
const URL_ATTRIBUTES = new Set(["href", "src", "cite", "poster"]);
// Attributes that mean nothing when empty (HTML Living Standard: not boolean
// attributes); an empty `alt` is meaningful (a decorative image) and kept.
const NON_BOOLEAN = new Set([
  "href",
  "title",
  "src",
  "srcset",
  "width",
  "height",
  "type",
  "media",
  "poster",
  "datetime",
  "colspan",
  "rowspan",
  "scope",
  "cite",
]);
// Disallowed elements whose content is not prose either: dropped with it.
const NON_TEXT = new Set(["script", "style", "textarea", "option", "noscript", "template", "title", "iframe", "object", "embed"]);
// Written as `<img … />`, never closed.
const SELF_CLOSING = new Set(["img", "br", "hr"]);
// A child that makes an otherwise blank paragraph or wrapper worth keeping.
const MEDIA = new Set(["img", "audio", "video", "picture"]);
// A name the HTML tokenizer could have produced without a parse error
// (HTML Living Standard §13.2.5.32–33): anything else is dropped.
const VALID_ATTRIBUTE_NAME = /^[^\0\t\n\f\r /<=>]+$/;

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

/**
 * True for a URL whose scheme is not http or https, or that is
 * protocol-relative, read the way browsers read it: spaces and control
 * characters ignored (`java\tscript:`, ` javascript:`), and `<!--…-->` removed.
 */
export function isUnsafeUrl(href: string): boolean {
  // What resolveUrl returns (nearly every URL here) starts so: the scheme is read before anything is removed.
  if (href.startsWith("https://") || href.startsWith("http://")) return false;
  let h = href.replace(/[\u0000-\u0020]+/g, "");
  for (;;) {
    const open = h.indexOf("<!--");
    if (open === -1) break;
    const close = h.indexOf("-->", open + 4);
    if (close === -1) break;
    h = h.slice(0, open) + h.slice(close + 3);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9.\-+]*):/.exec(h);
  if (scheme === null) return /^[/\\]{2}/.test(h);
  const s = scheme[1]!.toLowerCase();
  return s !== "http" && s !== "https";
}

interface SrcsetCandidate {
  url: string;
  w?: number;
  h?: number;
  d?: number;
}

const SRCSET_SPACE = /[ \t\n\r\f]/;
const NON_NEGATIVE_INTEGER = /^\d+$/;
const FLOATING_POINT = /^-?(?:[0-9]+|[0-9]*\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * The image candidates of a srcset (HTML Living Standard §4.8.4.3.10, "parse a
 * srcset attribute"); a candidate with an invalid descriptor is dropped.
 */
export function parseSrcset(input: string): SrcsetCandidate[] {
  const n = input.length;
  const out: SrcsetCandidate[] = [];
  const isSpace = (c: string) => c !== "" && SRCSET_SPACE.test(c);
  let pos = 0;
  for (;;) {
    while (pos < n && (input[pos] === "," || isSpace(input[pos]!))) pos++;
    if (pos >= n) return out;
    const urlStart = pos;
    while (pos < n && !isSpace(input[pos]!)) pos++;
    let url = input.slice(urlStart, pos);
    const descriptors: string[] = [];
    if (url.endsWith(",")) {
      url = url.replace(/,+$/, "");
    } else {
      while (pos < n && isSpace(input[pos]!)) pos++;
      let current = "";
      let state: "in descriptor" | "in parens" | "after descriptor" = "in descriptor";
      for (;;) {
        const c = pos < n ? input[pos]! : "";
        if (state === "in descriptor") {
          if (isSpace(c)) {
            if (current !== "") {
              descriptors.push(current);
              current = "";
              state = "after descriptor";
            }
          } else if (c === ",") {
            pos++;
            if (current !== "") descriptors.push(current);
            break;
          } else if (c === "(") {
            current += c;
            state = "in parens";
          } else if (c === "") {
            if (current !== "") descriptors.push(current);
            break;
          } else current += c;
        } else if (state === "in parens") {
          if (c === ")") {
            current += c;
            state = "in descriptor";
          } else if (c === "") {
            descriptors.push(current);
            break;
          } else current += c;
        } else if (c === "") {
          break;
        } else if (!isSpace(c)) {
          state = "in descriptor";
          pos--;
        }
        pos++;
      }
    }
    let w: number | undefined;
    let h: number | undefined;
    let d: number | undefined;
    let error = false;
    for (const desc of descriptors) {
      const last = desc[desc.length - 1];
      const value = desc.slice(0, -1);
      if (NON_NEGATIVE_INTEGER.test(value) && last === "w") {
        if (w || d) error = true;
        if (Number.parseInt(value, 10) === 0) error = true;
        else w = Number.parseInt(value, 10);
      } else if (FLOATING_POINT.test(value) && last === "x") {
        if (w || d || h) error = true;
        if (Number.parseFloat(value) < 0) error = true;
        else d = Number.parseFloat(value);
      } else if (NON_NEGATIVE_INTEGER.test(value) && last === "h") {
        if (h || d) error = true;
        if (Number.parseInt(value, 10) === 0) error = true;
        else h = Number.parseInt(value, 10);
      } else error = true;
    }
    if (!error) out.push({ url, ...(w ? { w } : {}), ...(d ? { d } : {}), ...(h ? { h } : {}) });
  }
}

function stringifySrcset(candidates: SrcsetCandidate[]): string {
  return candidates.map((c) => c.url + (c.w ? ` ${c.w}w` : "") + (c.h ? ` ${c.h}h` : "") + (c.d ? ` ${c.d}x` : "")).join(", ");
}

function escapeAttribute(raw: string): string {
  const s = stripIllegalXmlChars(raw);
  return s.includes("&") || s.includes("<") || s.includes(">") || s.includes('"')
    ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    : s;
}

/**
 * What the sanitizer wrote, as the events a parser of its output would
 * report (`end` exclusive): news-structure reads these instead of tokenizing
 * the sanitized HTML again. In SanitizedHtml the offsets are into `html`; in
 * SanitizedChunks they are chunk indices.
 */
export type SanitizedEvent =
  | { kind: "open"; name: string; start: number; end: number; attribs: Record<string, string> }
  | { kind: "text"; text: string; start: number; end: number }
  | { kind: "close"; name: string; end: number };

export interface SanitizedHtml {
  html: string;
  /** Open and close events are balanced: the output is well-formed. */
  events: SanitizedEvent[];
}

/**
 * The sanitizer's output as it wrote it: the HTML is `chunks.join("")`, each
 * event covers whole chunks (an open or close tag, or a text, is one chunk).
 * normalize builds the content from ranges of chunks, so the sanitized
 * document itself is never joined.
 */
export interface SanitizedChunks {
  chunks: string[];
  events: SanitizedEvent[];
}

interface Frame {
  tag: string;
  attribs: Record<string, string>;
  /** Disallowed: not written, its text is. */
  skip: boolean;
  /** Where its opening tag starts in the output (chunk index and length) and in the events. */
  chunk: number;
  length: number;
  event: number;
  /** Holds text other than whitespace and &nbsp; (its own or a kept descendant's). */
  nonBlank: boolean;
  /** Has a kept img/audio/video/picture child. */
  mediaChild: boolean;
}

const NO_ATTRIBUTES: Record<string, string> = {};
// The attributes of an <img> kept as they are, in the order they are written.
const IMG_COPIED = ["alt", "title", "width", "height"] as const;

/**
 * Sanitizes untrusted HTML and makes every URL in it absolute, in one
 * htmlparser2 pass, and reports what it wrote as events.
 */
export function sanitizeHtml(html: string, options: SanitizeOptions): SanitizedHtml {
  const { chunks, events } = sanitizeToChunks(html, options);
  const offsets = new Array<number>(chunks.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < chunks.length; i++) offsets[i + 1] = offsets[i]! + chunks[i]!.length;
  return {
    html: chunks.join(""),
    events: events.map((e) => (e.kind === "close" ? { ...e, end: offsets[e.end]! } : { ...e, start: offsets[e.start]!, end: offsets[e.end]! })),
  };
}

// Tags without attributes, written once per name instead of once per element.
const OPEN_TAGS = new Map<string, string>();
const CLOSE_TAGS = new Map<string, string>();

function closeTag(name: string): string {
  let tag = CLOSE_TAGS.get(name);
  if (tag === undefined) {
    tag = `</${name}>`;
    CLOSE_TAGS.set(name, tag);
  }
  return tag;
}

/** sanitizeHtml, its output as written (see SanitizedChunks). */
export function sanitizeToChunks(html: string, options: SanitizeOptions): SanitizedChunks {
  const { base, isTracking, resolve } = options;
  const fix = resolve !== undefined ? (value: string | undefined) => resolve(value, base) : (value: string | undefined) => resolveUrl(value, base, isTracking);
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

  /** The attributes a tag's transform keeps (before the allowlist), with its URLs made absolute. */
  const transform = (name: string, attribs: Record<string, string>): Record<string, string> => {
    if (name === "a") {
      const href = fix(attribs.href);
      const out: Record<string, string> = {};
      if (href !== undefined) out.href = href;
      if (attribs.title) out.title = attribs.title;
      return out;
    }
    if (name === "img") {
      // Lazy-loading themes put the real image in data-src and a placeholder in src.
      const src = fix(attribs["data-src"] ?? attribs["data-lazy-src"] ?? attribs["data-original"] ?? attribs.src);
      const out: Record<string, string> = {};
      if (src !== undefined) out.src = src;
      const srcset = attribs["data-srcset"] ?? attribs["data-lazy-srcset"] ?? attribs.srcset;
      if (srcset) {
        const fixed = fixSrcset(srcset);
        if (fixed !== "") out.srcset = fixed;
      }
      for (const k of IMG_COPIED) if (attribs[k] !== undefined) out[k] = attribs[k]!;
      return out;
    }
    if (name === "source") {
      const out: Record<string, string> = { ...attribs };
      if (attribs.src !== undefined) {
        const src = fix(attribs.src);
        if (src === undefined) delete out.src;
        else out.src = src;
      }
      if (attribs.srcset !== undefined) out.srcset = fixSrcset(attribs.srcset);
      return out;
    }
    return attribs;
  };

  // The output as chunks, so that dropping a just-closed element is a truncation.
  const chunks: string[] = [];
  let length = 0;
  const write = (s: string) => {
    chunks.push(s);
    length += s.length;
  };
  const events: SanitizedEvent[] = [];
  // An element that is not kept but separates words (<section>, <header>,
  // <summary>, …: block-elements.ts) leaves a line break in its place, so its
  // text does not run into the text around it ("<header>Head</header>Body" is
  // not "HeadBody"); in HTML it renders as a space. Not at the very start or
  // after a line break already written.
  const separate = () => {
    if (length === 0 || chunks[chunks.length - 1]!.endsWith("\n")) return;
    const start = chunks.length;
    write("\n");
    events.push({ kind: "text", text: "\n", start, end: start + 1 });
  };
  const stack: Frame[] = [];
  // Inside a dropped element whose content is dropped too: the depth of elements opened in it.
  let skipDepth = 0;

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (skipDepth > 0) {
          skipDepth++;
          return;
        }
        const skip = !ALLOWED_TAGS.has(name);
        const frame: Frame = {
          tag: name,
          attribs: skip ? attribs : transform(name, attribs),
          skip,
          chunk: chunks.length,
          length,
          event: events.length,
          nonBlank: false,
          mediaChild: false,
        };
        stack.push(frame);
        if (skip) {
          if (NON_TEXT.has(name)) skipDepth = 1;
          else if (TEXT_BREAK.has(name)) separate();
          return;
        }
        const start = chunks.length;
        const allowed = ALLOWED_ATTRIBUTES[name];
        if (allowed === undefined) {
          let tag = OPEN_TAGS.get(name);
          if (tag === undefined) {
            tag = SELF_CLOSING.has(name) ? `<${name} />` : `<${name}>`;
            OPEN_TAGS.set(name, tag);
          }
          write(tag);
          events.push({ kind: "open", name, start, end: start + 1, attribs: NO_ATTRIBUTES });
          return;
        }
        let tag = `<${name}`;
        const kept = frame.attribs;
        for (const a of Object.keys(kept)) {
          let value = kept[a]!;
          if (!allowed.has(a) || !VALID_ATTRIBUTE_NAME.test(a) || (value === "" && NON_BOOLEAN.has(a)) || (URL_ATTRIBUTES.has(a) && isUnsafeUrl(value))) {
            delete kept[a];
            continue;
          }
          if (a === "srcset") {
            const candidates = parseSrcset(value).filter((c) => !isUnsafeUrl(c.url));
            if (candidates.length === 0) {
              delete kept[a];
              continue;
            }
            value = stringifySrcset(candidates);
            kept[a] = value;
          }
          tag += value !== "" ? ` ${a}="${escapeAttribute(value)}"` : a === "alt" ? ' alt=""' : ` ${a}`;
        }
        tag += SELF_CLOSING.has(name) ? " />" : ">";
        write(tag);
        events.push({ kind: "open", name, start, end: start + 1, attribs: frame.attribs });
      },
      ontext(raw) {
        if (skipDepth > 0) return;
        // Character references are decoded here ("&#1;" in escaped HTML): what
        // XML cannot carry is dropped after decoding. htmlparser2 reports a
        // decoded reference as a text of its own, one code point (≤ 2 code
        // units); any longer text is a slice of the input, which was cleaned
        // whole before parsing, and a slice ends at "<" or "&", never inside a
        // surrogate pair. (test/normalize/sanitize-content.test.ts: references
        // between letters.)
        const text = raw.length <= 2 ? stripIllegalXmlChars(raw) : raw;
        const start = chunks.length;
        write(escapeText(text));
        events.push({ kind: "text", text, start, end: start + 1 });
        const top = stack.length > 0 ? stack[stack.length - 1]! : undefined;
        if (top !== undefined && !top.nonBlank && NOT_BLANK.test(text)) top.nonBlank = true;
      },
      onclosetag(name) {
        if (skipDepth > 0) {
          skipDepth--;
          if (skipDepth > 0) return;
        }
        const frame = stack.pop();
        if (frame === undefined) return;
        if (frame.tag !== name) {
          stack.push(frame);
          return;
        }
        const parent = stack.length > 0 ? stack[stack.length - 1]! : undefined;
        if (!frame.skip) {
          // Images without a usable src, web bugs, and paragraphs or wrappers
          // with nothing to read or see are dropped with everything in them.
          const drop =
            name === "img"
              ? frame.attribs.src === undefined || isTrackingPixel(frame.attribs)
              : (name === "p" || name === "span" || name === "div") && !frame.mediaChild && !frame.nonBlank;
          if (drop) {
            chunks.length = frame.chunk;
            length = frame.length;
            events.length = frame.event;
            return;
          }
          if (parent !== undefined && MEDIA.has(name)) parent.mediaChild = true;
        }
        if (parent !== undefined && frame.nonBlank) parent.nonBlank = true;
        if (frame.skip) {
          if (TEXT_BREAK.has(name)) separate();
          return;
        }
        if (!SELF_CLOSING.has(name)) write(closeTag(name));
        events.push({ kind: "close", name, end: chunks.length });
      },
    },
    { decodeEntities: true, Tokenizer: HTML_TOKENIZER },
  );
  parser.write(stripIllegalXmlChars(html));
  parser.end();
  return { chunks, events };
}

/** Sanitizes untrusted HTML and makes every URL in it absolute. */
export function sanitizeContent(html: string, options: SanitizeOptions): string {
  return sanitizeToChunks(html, options).chunks.join("");
}
