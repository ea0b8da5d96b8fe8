// Which HTML elements separate words in the text of a fragment, and how: the
// one definition that plain text (htmlToText), the news-structure pass (block
// text, the summary's source) and the sanitizer (when it unwraps an element it
// does not keep) all use, so none of them runs the words of two blocks
// together ("<td>Immigration</td><td>policy</td>" is not "Immigrationpolicy").
//
// HTML Living Standard §3.2.5.2.5: phrasing content (a, b, em, span, …) is the
// text of a paragraph and separates nothing — "<b>Im</b>migration" is one
// word. Everything else that holds text is flow content that is not phrasing
// content and is rendered as a box of its own (§15.3 Rendering: display
// block, list-item, table, table-row, table-cell, table-caption), so the words
// on either side of its tags never touch. The rendered-text steps behind
// innerText (§3.2.7) put a line break around those boxes, a line break after a
// table row and a tab between the cells of a row; the plain text here follows
// them, with the tab as a space (plain text collapses runs of spaces).

/** What an element's start and end tags add to plain text: "\n" around a block, " " around a table cell. */
export type TextBreak = "\n" | " ";

const LINE = "\n" as const;
const CELL = " " as const;

/**
 * Elements whose start and end tags separate words, with the separator plain
 * text puts there. `br` is phrasing content but is a line break by definition
 * (§4.5.27), so it is here too.
 */
export const TEXT_BREAK: ReadonlyMap<string, TextBreak> = new Map<string, TextBreak>([
  // §15.3.3 flow content rendered as display: block.
  ["address", LINE],
  ["blockquote", LINE],
  ["center", LINE],
  ["dialog", LINE],
  ["div", LINE],
  ["figcaption", LINE],
  ["figure", LINE],
  ["footer", LINE],
  ["form", LINE],
  ["header", LINE],
  ["hr", LINE],
  ["legend", LINE],
  ["listing", LINE],
  ["main", LINE],
  ["p", LINE],
  ["plaintext", LINE],
  ["pre", LINE],
  ["search", LINE],
  ["xmp", LINE],
  // §15.3.13 and §15.5.4: fieldset, details and summary are blocks too.
  ["fieldset", LINE],
  ["details", LINE],
  ["summary", LINE],
  // §15.3.6 sections and headings.
  ["article", LINE],
  ["aside", LINE],
  ["h1", LINE],
  ["h2", LINE],
  ["h3", LINE],
  ["h4", LINE],
  ["h5", LINE],
  ["h6", LINE],
  ["hgroup", LINE],
  ["nav", LINE],
  ["section", LINE],
  // §15.3.7 lists: each item, term and description on a line of its own.
  ["dd", LINE],
  ["dir", LINE],
  ["dl", LINE],
  ["dt", LINE],
  ["li", LINE],
  ["menu", LINE],
  ["ol", LINE],
  ["ul", LINE],
  // §15.3.8 tables: the caption and each row on a line of their own, the
  // cells of a row side by side — a space reads as the row in a summary and
  // adds no punctuation to word counts, tagging or entity extraction.
  ["caption", LINE],
  ["table", LINE],
  ["tbody", LINE],
  ["tfoot", LINE],
  ["thead", LINE],
  ["tr", LINE],
  ["td", CELL],
  ["th", CELL],
  // A line break, not a block.
  ["br", LINE],
]);
