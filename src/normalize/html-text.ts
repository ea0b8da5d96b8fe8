import { Parser } from "htmlparser2";

/** Elements that put their text on lines of their own. */
export const TEXT_BLOCK = new Set([
  "p",
  "div",
  "br",
  "li",
  "ul",
  "ol",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "pre",
  "tr",
  "table",
  "section",
  "article",
  "header",
  "footer",
  "figure",
  "figcaption",
  "hr",
  "dd",
  "dt",
]);
/** Elements whose content is not text. */
export const TEXT_SKIP = new Set(["script", "style", "noscript", "template", "iframe", "object"]);

/** Plain text of an HTML fragment: entities decoded once, blocks on their own lines, spaces collapsed. */
export function htmlToText(html: string): string {
  if (!html.includes("<") && !html.includes("&")) return collapse(html);
  const out: string[] = [];
  let skipDepth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (TEXT_SKIP.has(name)) skipDepth++;
        else if (TEXT_BLOCK.has(name)) out.push("\n");
      },
      onclosetag(name) {
        if (TEXT_SKIP.has(name)) skipDepth = Math.max(0, skipDepth - 1);
        else if (TEXT_BLOCK.has(name)) out.push("\n");
      },
      ontext(text) {
        if (skipDepth === 0) out.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return textLines(out.join(""));
}

// A run of spaces that holds a line break, with the blank lines and edge
// spaces around it; and a run of spaces within a line.
const LINE_BREAK_RUN = /[\s\u00a0\u200b]*\n[\s\u00a0\u200b]*/g;
const INLINE_SPACE_RUN = /(?:[^\S\n]|\u200b)+/g;

/**
 * The collected text as htmlToText returns it: lines with spaces collapsed
 * and trimmed, empty lines dropped. Two regular-expression passes over the
 * whole text instead of a collapse per line: each run of spaces that holds a
 * line break becomes one line break, every other run one space.
 */
export function textLines(raw: string): string {
  return raw.replace(LINE_BREAK_RUN, "\n").replace(INLINE_SPACE_RUN, " ").trim();
}

function collapse(s: string): string {
  return s.replace(/[\s\u00a0\u200b]+/g, " ").trim();
}

// What still looks like a tag after the one decoding (`&amp;lt;b&amp;gt;` in
// the XML): many readers render titles and summaries as HTML, so it must not
// reach them as markup. Real text rarely has `<` directly before a letter.
const TAG_LIKE = /<\/?[a-z][^<>]*>?/gi;

/** Plain text with anything tag-like removed (titles, summaries, captions). */
export function stripTagLike(text: string): string {
  return text.includes("<") ? text.replace(TAG_LIKE, "") : text;
}

const EMPHASIS = /(?<![\p{L}\p{N}_*])(\*\*|__|\*|_)(?=\S)([^*_]+?)(?<=\S)\1(?![\p{L}\p{N}_*])/gu;

/**
 * A title as plain text: tags removed, entities decoded once, whitespace
 * collapsed, markdown emphasis (`*…*`, `_…_`, `**…**`) unwrapped.
 */
export function plainTitle(raw: string | undefined): string {
  if (raw === undefined) return "";
  let t = htmlToText(raw).replace(/\n/g, " ");
  // Only markers at word edges: `snake_case` and `5 * 3` are not emphasis.
  t = stripTagLike(t).replace(EMPHASIS, "$2");
  return t.replace(/\s+/g, " ").trim();
}
