/** A word of the text, folded for matching, with where it came from. */
export interface Token {
  /** Lowercase, accents removed. */
  folded: string;
  /** As written (for case-sensitive terms such as ICE). */
  raw: string;
}

/**
 * Two tables over the Basic Multilingual Plane, built once, so the scan does
 * one array lookup per character and never builds a folded copy of the text:
 * WORD_CHAR: letters, digits and combining marks (Unicode categories L, N, M);
 * FOLD: the character lowercased, and for Latin, Greek and Cyrillic letters
 * with its accent removed ("É" → "e", "ñ" → "n"), one code unit for one.
 * Astral code points (emoji and the like) separate words.
 */
export const WORD_CHAR = new Uint8Array(0x10000);
export const FOLD = new Uint16Array(0x10000);
{
  const wordRe = /[\p{L}\p{N}\p{M}]/u;
  const marksOnly = /^[\u0300-\u036f]+$/;
  for (let c = 0; c < 0x10000; c++) {
    FOLD[c] = c;
    if (c >= 0xd800 && c <= 0xdfff) continue;
    // CJK ideographs: letters without case; skip the costly per-character tests.
    if (c >= 0x3400 && c <= 0x9fff) {
      WORD_CHAR[c] = 1;
      continue;
    }
    const ch = String.fromCharCode(c);
    if (c < 0x80) {
      WORD_CHAR[c] = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ? 1 : 0;
      if (c >= 0x41 && c <= 0x5a) FOLD[c] = c + 32;
      continue;
    }
    WORD_CHAR[c] = wordRe.test(ch) ? 1 : 0;
    let lower = ch.toLowerCase();
    // U+0130 (İ) is the one BMP letter whose lowercase takes two code units.
    if (lower.length !== 1) lower = c === 0x130 ? "i" : ch;
    if (c < 0x2000) {
      const decomposed = lower.normalize("NFD");
      if (decomposed.length > 1 && marksOnly.test(decomposed.slice(1))) lower = decomposed[0]!;
    }
    FOLD[c] = lower.charCodeAt(0);
  }
}

/** FOLD for word characters and 0 for the rest, so a scan tests and folds a character with one lookup. */
export const WORD_FOLD = new Uint16Array(0x10000);
for (let c = 0; c < 0x10000; c++) WORD_FOLD[c] = WORD_CHAR[c] === 1 ? FOLD[c]! : 0;

/** A combining accent (U+0300–U+036F), which the matcher reads precomposed. */
export const COMBINING = /[\u0300-\u036f]/;

/**
 * Text as the matcher reads it: precomposed (NFC) when it carries combining
 * accents, so "e" + U+0301 folds like "é". Offsets into the result are
 * offsets of the words found in it.
 */
export function prepareText(text: string): string {
  return COMBINING.test(text) ? text.normalize("NFC") : text;
}

/** Case and accents folded: "Inmigración" → "inmigracion". */
export function fold(text: string): string {
  const t = prepareText(text);
  let out = "";
  for (let i = 0; i < t.length; i++) out += String.fromCharCode(FOLD[t.charCodeAt(i)]!);
  return out;
}

export function isWordChar(code: number): boolean {
  return WORD_CHAR[code] === 1;
}

/**
 * Word boundaries of a text: runs of letters, digits and combining marks.
 * Everything else separates words, so "active-duty" is two words, "Trump's"
 * is "Trump" + "s" (a possessive still matches the name), and "U.S." is "U" + "S".
 * Writes start/end offsets into the given buffers (each at least
 * text.length / 2 + 1 long) and returns the count.
 */
export function wordBounds(text: string, starts: Int32Array, ends: Int32Array): number {
  let n = 0;
  let start = -1;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    if (WORD_CHAR[text.charCodeAt(i)] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      starts[n] = start;
      ends[n++] = i;
      start = -1;
    }
  }
  if (start >= 0) {
    starts[n] = start;
    ends[n++] = len;
  }
  return n;
}

/** Splits text into word tokens (see wordBounds), each with its folded form. */
export function tokenize(text: string): Token[] {
  const prepared = prepareText(text);
  const starts = new Int32Array((prepared.length >> 1) + 1);
  const ends = new Int32Array((prepared.length >> 1) + 1);
  const n = wordBounds(prepared, starts, ends);
  const out: Token[] = [];
  for (let i = 0; i < n; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    const raw = prepared.slice(start, end);
    // Most words are already folded (lowercase, no accent): then the folded form is the word itself.
    let folded = true;
    for (let k = start; k < end; k++) {
      const c = prepared.charCodeAt(k);
      if (FOLD[c] !== c || (c >= 0x300 && c < 0x370)) {
        folded = false;
        break;
      }
    }
    out.push({ raw, folded: folded ? raw : foldWord(raw) });
  }
  return out;
}

/** fold, cached per word: capitalized and accented words repeat. */
const foldWord = cachedByText(fold);

/**
 * Character classes for the entity scanners, over the BMP, built on first
 * use: bit 1 uppercase letter (\p{Lu}), bit 2 letter or digit ([\p{L}\p{N}]),
 * bit 4 a surrogate (half of an astral character).
 */
let entityClasses: Uint8Array | undefined;
function entityCharClasses(): Uint8Array {
  if (entityClasses === undefined) {
    const table = new Uint8Array(0x10000);
    const upper = /\p{Lu}/u;
    const letterDigit = /[\p{L}\p{N}]/u;
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) {
        table[c] = 4;
        continue;
      }
      const ch = String.fromCharCode(c);
      table[c] = (upper.test(ch) ? 1 : 0) | (letterDigit.test(ch) ? 2 : 0);
    }
    entityClasses = table;
  }
  return entityClasses;
}

/**
 * Where a capitalized word may start: uppercase letters (\p{Lu}) not preceded
 * by a letter or digit, found with one table lookup per character. Positions
 * preceded by ' ’ or . are stored as -(position + 1). Undefined when the text
 * has astral characters, whose classes the table does not hold.
 */
export function capitalStarts(text: string): number[] | undefined {
  const classes = entityCharClasses();
  const out: number[] = [];
  // One lookup per character: its class, kept for the next one, and or-ed into `seen` (surrogates).
  let previousClass = 0;
  let seen = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const k = classes[text.charCodeAt(i)]!;
    seen |= k;
    if ((k & 1) !== 0 && (previousClass & 2) === 0) {
      const previous = i === 0 ? 0x20 : text.charCodeAt(i - 1);
      out.push(previous === 0x27 || previous === 0x2019 || previous === 0x2e ? -(i + 1) : i);
    }
    previousClass = k;
  }
  return (seen & 4) !== 0 ? undefined : out;
}

/**
 * The matches `global` finds in text, for a pattern that can only match at
 * an uppercase letter not preceded by a letter or digit (nor by ' ’ . when
 * `notAfterPunctuation`): `sticky` (the same pattern, flags "uy") is tried
 * only at those positions (`starts`, from capitalStarts), and only where the
 * first two characters are in `pairs` when given, instead of the regex
 * engine attempting a Unicode lookbehind at every position. Same matches,
 * same order: the leftmost candidate that matches, then on from the end of
 * the match. Without starts (astral text) `global` itself runs.
 */
export function matchesAtCapitals(
  text: string,
  starts: number[] | undefined,
  sticky: RegExp,
  global: RegExp,
  notAfterPunctuation: boolean,
  pairs?: Uint8Array,
): RegExpExecArray[] {
  if (starts === undefined) return [...text.matchAll(global)];
  const out: RegExpExecArray[] = [];
  let from = 0;
  for (const s of starts) {
    if (s < 0 && notAfterPunctuation) continue;
    const i = s < 0 ? -s - 1 : s;
    if (i < from) continue;
    if (pairs !== undefined && pairs[pairKey(text.charCodeAt(i), i + 1 < text.length ? text.charCodeAt(i + 1) : 0)] === 0) continue;
    sticky.lastIndex = i;
    const m = sticky.exec(text);
    if (m !== null) {
      out.push(m);
      from = i + Math.max(1, m[0].length);
    }
  }
  return out;
}

/**
 * A filter on the first two characters of names, for matchesAtCapitals'
 * `pairs`: 1 at the key of each name's first two characters. Different
 * pairs may share a key; the sticky regex decides.
 */
export function firstPairs(names: string[]): Uint8Array {
  const filter = new Uint8Array(0x10000);
  for (const n of names) filter[pairKey(n.charCodeAt(0), n.length > 1 ? n.charCodeAt(1) : 0)] = 1;
  return filter;
}

function pairKey(a: number, b: number): number {
  return ((a << 7) ^ b) & 0xffff;
}

/**
 * A copy that does not keep the text it was cut from alive (V8 keeps a
 * slice of 13 or more characters as a view of its parent string).
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * A pure function of a string, cached: entity extraction meets the same
 * capitalized words and names item after item. Bounded (cleared when full);
 * it only saves work, results never depend on it.
 */
export function cachedByText<V>(fn: (text: string) => V, limit = 20_000): (text: string) => V {
  const cache = new Map<string, V>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined && !cache.has(text)) {
      v = fn(text);
      if (cache.size >= limit) cache.clear();
      cache.set(detached(text), v);
    }
    return v as V;
  };
}
