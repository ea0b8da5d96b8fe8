import { DecodingMode, decodeHTML } from "entities";
import { Parser } from "htmlparser2";
import { TEXT_BREAK } from "./block-elements.js";
import { HTML_TOKENIZER } from "./fast-text-tokenizer.js";

/** Elements whose content is not text. */
export const TEXT_SKIP = new Set(["script", "style", "noscript", "template", "iframe", "object"]);

/**
 * Plain text of an HTML fragment: entities decoded once, blocks (and table
 * rows) on their own lines, the cells of a row separated by a space, inline
 * elements adding nothing, spaces collapsed (block-elements.ts).
 */
export function htmlToText(html: string): string {
  if (!html.includes("<")) {
    if (!html.includes("&")) return collapseSpaces(html);
    // Markup-free text is one text node to the parser, its references decoded
    // as in HTML text (HTML Living Standard §13.2.5.72): entities' decoder in
    // the same mode, without building a parser (authors, categories, titles).
    return textLines(decodeHTML(html, DecodingMode.Legacy));
  }
  const out: string[] = [];
  let skipDepth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (TEXT_SKIP.has(name)) skipDepth++;
        else {
          const brk = TEXT_BREAK.get(name);
          if (brk !== undefined) out.push(brk);
        }
      },
      onclosetag(name) {
        if (TEXT_SKIP.has(name)) skipDepth = Math.max(0, skipDepth - 1);
        else {
          const brk = TEXT_BREAK.get(name);
          if (brk !== undefined) out.push(brk);
        }
      },
      ontext(text) {
        if (skipDepth === 0) out.push(text);
      },
    },
    { decodeEntities: true, Tokenizer: HTML_TOKENIZER },
  );
  parser.write(html);
  parser.end();
  return textLines(out.join(""));
}

// A run of spaces within a line that is not already a single space (most
// runs are one space between words: matching those would copy every one);
// then a line break with the spaces and blank lines around it.
const INLINE_SPACE_RUN = /(?:[^\S\n ]|\u200b)(?:[^\S\n]|\u200b)*| (?:[^\S\n]|\u200b)+/g;
const LINE_BREAK_RUN = / ?(?:\n ?)+/g;

/**
 * The collected text as htmlToText returns it: lines with spaces collapsed
 * and trimmed, empty lines dropped. Two regular-expression passes over the
 * whole text instead of a collapse per line: every run of spaces within a
 * line becomes one space, then each run of line breaks and the spaces around
 * them one line break.
 */
export function textLines(raw: string): string {
  return raw.replace(INLINE_SPACE_RUN, " ").replace(LINE_BREAK_RUN, "\n").trim();
}

// A run of spaces (with &nbsp; and zero-width spaces) other than a lone
// space: replacing only these gives what replacing every run gives, without
// a match, and a copy, per word.
const SPACE_RUN = /(?:[^\S ]|\u200b)[\s\u200b]*| [\s\u200b]+/g;

/** Runs of spaces (and &nbsp;, zero-width spaces, line breaks) as one space, trimmed. */
export function collapseSpaces(s: string): string {
  return s.replace(SPACE_RUN, " ").trim();
}

// What still looks like a tag after the one decoding (`&amp;lt;b&amp;gt;` in
// the XML): many readers render titles and summaries as HTML, so it must not
// reach them as markup. Real text rarely has `<` directly before a letter.
const TAG_LIKE = /<\/?[a-z][^<>]*>?/gi;

/** Plain text with anything tag-like removed (titles, summaries, captions). */
export function stripTagLike(text: string): string {
  return text.includes("<") ? text.replace(TAG_LIKE, "") : text;
}

// A run of \s other than a lone space (see SPACE_RUN).
const WHITESPACE_RUN = /[^\S ]\s*| \s+/g;

// What plainTitle changes: a tag or reference, an emphasis marker, a space
// other than a single U+0020 between words (collapseSpaces also collapses U+200B).
const TITLE_WORK = /[<&*_\u200b]|[^\S ]| {2}|^ | $/;

const EMPHASIS = /(?<![\p{L}\p{N}_*])(\*\*|__|\*|_)(?=\S)([^*_]+?)(?<=\S)\1(?![\p{L}\p{N}_*])/gu;

/**
 * A title as plain text: tags removed, entities decoded once, whitespace
 * collapsed, markdown emphasis (`*…*`, `_…_`, `**…**`) unwrapped.
 */
export function plainTitle(raw: string | undefined): string {
  if (raw === undefined) return "";
  // Most titles, names and categories: no markup, reference or emphasis
  // marker, and only single spaces between words, which every step below
  // leaves as they are.
  if (!TITLE_WORK.test(raw)) return raw;
  let t = htmlToText(raw).replace(/\n/g, " ");
  // Only markers at word edges: `snake_case` and `5 * 3` are not emphasis.
  t = stripTagLike(t).replace(EMPHASIS, "$2");
  return t.replace(WHITESPACE_RUN, " ").trim();
}
