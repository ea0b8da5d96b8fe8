import { collapseSpaces, stripTagLike } from "./html-text.js";

// A sentence ends at . ! or ? (optionally closed by a quote or bracket) followed
// by a space and a capital, digit or opening quote.
const SENTENCE_END = /[.!?]["”’)\]]?(?=\s+["“‘(]?[\p{Lu}\p{N}])/gu;
// …unless the period closes an abbreviation or an initial: "U.S. military", "Mr. Trump", "Jan. 5".
const ABBREVIATION =
  /(?:^|[\s("“])(?:\p{L}|(?:\p{L}\.)+\p{L}|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|No|Nos|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx|Sra|Sr|Dra|Ud|Uds)\.$/u;

/** Cuts plain text to at most maxChars, at a sentence end if one is near, else at a word, with an ellipsis. */
export function summarize(text: string, maxChars = 300): string {
  return cut(collapsedHead(text, maxChars), maxChars);
}

/**
 * summarize(stripTagLike(parts.join(" "))) for a body given as paragraphs,
 * joining only the head it reads: when that head holds no "<", nothing
 * tag-like can start in it, so it is the head of the stripped text too.
 * `collapsed`: every part is collapseSpaces output (single spaces between
 * non-space characters, no other whitespace, trimmed), so parts that are not
 * empty joined by a space have no whitespace run left to collapse.
 */
export function summarizeParts(parts: string[], maxChars = 300, collapsed = false): string {
  const head = headChars(maxChars);
  const prefix = joinedPrefix(parts, " ", head + 1);
  if (prefix.length > head && !prefix.includes("<")) {
    const headText = prefix.slice(0, head);
    const t = (collapsed && !parts.includes("") ? headText : headText.replace(WHITESPACE_RUN, " ")).trim();
    if (t.length > maxChars) return cut(t, maxChars);
  }
  return summarize(stripTagLike(parts.join(" ")), maxChars);
}

/** The first n characters of parts.join(sep), joining no more parts than it needs. */
export function joinedPrefix(parts: string[], sep: string, n: number): string {
  if (parts.length === 1) return parts[0]!.length > n ? parts[0]!.slice(0, n) : parts[0]!;
  const out: string[] = [];
  let length = 0;
  for (let i = 0; i < parts.length && length < n; i++) {
    if (i > 0) {
      out.push(sep);
      length += sep.length;
    }
    out.push(parts[i]!);
    length += parts[i]!.length;
  }
  const joined = out.join("");
  return joined.length > n ? joined.slice(0, n) : joined;
}

function cut(t: string, maxChars: number): string {
  if (t.length <= maxChars) return t;
  const window = t.slice(0, maxChars);
  // Prefer the last sentence end in the second half of the window.
  let sentenceEnd = -1;
  for (const m of window.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    if (end < maxChars * 0.5) continue;
    if (m[0][0] === "." && ABBREVIATION.test(window.slice(Math.max(0, m.index - 12), m.index + 1))) continue;
    sentenceEnd = end;
  }
  if (sentenceEnd > 0) return window.slice(0, sentenceEnd).trim();
  const space = window.lastIndexOf(" ");
  const cut = space > maxChars * 0.5 ? window.slice(0, space) : window.slice(0, maxChars - 1);
  return `${cut.replace(/[\s,;:.\-–—]+$/, "")}…`;
}

/** The head of a text that summarize reads when the text is longer (see collapsedHead). */
function headChars(maxChars: number): number {
  return maxChars * 4 + 64;
}

// A run of \s other than a lone space: replacing only these with a space is
// replacing every run, without a match per word.
const WHITESPACE_RUN = /[^\S ]\s*| \s+/g;

/**
 * text with whitespace runs collapsed and trimmed, or a prefix of that longer
 * than maxChars: only the window is used, and bodies are ten times longer.
 * Collapsing a prefix of the text gives a prefix of the collapsed text, and
 * trimming its end cannot cut into the window once it is longer than it.
 */
function collapsedHead(text: string, maxChars: number): string {
  const head = headChars(maxChars);
  if (text.length > head) {
    const t = text.slice(0, head).replace(WHITESPACE_RUN, " ").trim();
    if (t.length > maxChars) return t;
  }
  return text.replace(WHITESPACE_RUN, " ").trim();
}

// A word may carry inner apostrophes, hyphens, dots and commas: "don't",
// "active-duty", "U.S.", "1,500" are one word each.
const WORD = /[\p{L}\p{N}]+(?:['’.,-][\p{L}\p{N}]+)*/gu;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
// Per UTF-16 code unit: 0 not yet known, 1 letter or digit, 2 joiner (see
// isJoiner), 3 anything else, 4 a space (\s or U+200B, what collapseSpaces
// collapses; for words, anything else). Filled on first sight: one array
// read per character instead of a regex or a Map lookup.
const BMP_CLASS = new Uint8Array(0x10000);
const SPACE = 4;
const SPACE_LIKE = /^[\s\u200b]$/;
const astralWordCache = new Map<number, boolean>();

function bmpClass(c: number): number {
  let k = BMP_CLASS[c]!;
  if (k === 0) {
    const ch = String.fromCharCode(c);
    k = c >= 0xd800 && c <= 0xdfff ? 3 : LETTER_OR_DIGIT.test(ch) ? 1 : isJoiner(c) ? 2 : SPACE_LIKE.test(ch) ? SPACE : 3;
    BMP_CLASS[c] = k;
  }
  return k;
}

/** What collapseCountingWords returns (one object, reused: read it before the next call). */
export interface CollapsedText {
  /** collapseSpaces(text). */
  text: string;
  /** countWords(text), which is countWords of the collapsed text too: spaces only separate words. */
  words: number;
}

const COLLAPSED: CollapsedText = { text: "", words: 0 };

/** Set on rareClassAt's answer when the class is that of a surrogate pair: the caller skips its low half. */
const PAIR = 8;

/**
 * The class of the character at i when the table has no answer yet or it is
 * a high surrogate: a pair's code point (with PAIR set), a lone surrogate
 * (other), or a BMP character classified and remembered in the table. The
 * table read stays inline in the callers, so nearly every character costs one read.
 */
function rareClassAt(text: string, i: number, c: number): number {
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return (isAstralWordCodePoint((c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000) ? 1 : 3) | PAIR;
    return 3;
  }
  return bmpClass(c);
}

/**
 * collapseSpaces and countWords in one pass over the text: the words are
 * counted as countWords counts them, and the text is returned as it is when
 * its spaces are already collapsed (single ASCII spaces between other
 * characters, as in nearly every paragraph), else collapsed.
 */
export function collapseCountingWords(text: string): CollapsedText {
  let count = 0;
  let state = 0;
  // A space that collapseSpaces would change: another space character, two in a row, one at an edge.
  let irregular = false;
  let afterSpace = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let k = BMP_CLASS[c]!;
    if (k === 0 || (c >= 0xd800 && c <= 0xdbff)) {
      k = rareClassAt(text, i, c);
      if (k & PAIR) {
        k &= ~PAIR;
        i++;
      }
    }
    if (k === 1) {
      if (state === 0) count++;
      state = 1;
      afterSpace = false;
    } else {
      state = state === 1 && k === 2 ? 2 : 0;
      if (k === SPACE) {
        if (afterSpace || c !== 0x20) irregular = true;
        afterSpace = true;
      } else afterSpace = false;
    }
  }
  COLLAPSED.text = irregular || afterSpace ? collapseSpaces(text) : text;
  COLLAPSED.words = count;
  return COLLAPSED;
}

function isAstralWordCodePoint(cp: number): boolean {
  let known = astralWordCache.get(cp);
  if (known === undefined) {
    known = LETTER_OR_DIGIT.test(String.fromCodePoint(cp));
    astralWordCache.set(cp, known);
  }
  return known;
}

// The joiners of WORD: ' ’ . , -
function isJoiner(c: number): boolean {
  return c === 0x27 || c === 0x2019 || c === 0x2e || c === 0x2c || c === 0x2d;
}

/**
 * The number of WORD matches, counted in one pass over the code points
 * without building the array of matches: a word starts at a letter or digit
 * that neither follows one nor follows a joiner that follows one.
 */
export function countWords(text: string): number {
  let count = 0;
  // 0: outside a word, 1: after a letter or digit, 2: after a joiner that follows one.
  let state = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // The table first: a class already known (nearly every character) costs one read.
    let k = BMP_CLASS[c]!;
    if (k === 0 || (c >= 0xd800 && c <= 0xdbff)) {
      k = rareClassAt(text, i, c);
      if (k & PAIR) {
        k &= ~PAIR;
        i++;
      }
    }
    if (k === 1) {
      if (state === 0) count++;
      state = 1;
    } else state = state === 1 && k === 2 ? 2 : 0;
  }
  return count;
}

/** countWords by the regular expression itself (the definition; tests compare the two). */
export function countWordsByPattern(text: string): number {
  const m = text.match(WORD);
  return m === null ? 0 : m.length;
}
