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

const COMBINING = /[\u0300-\u036f]/;

/**
 * Text as the matcher reads it: precomposed (NFC) when it carries combining
 * accents, so "e" + U+0301 folds like "é". Offsets into the result are
 * offsets of the words found in it.
 */
export function prepareText(text: string): string {
  return COMBINING.test(text) ? text.normalize("NFC") : text;
}

/** The folded form of one code unit. */
export function foldCode(code: number): number {
  return FOLD[code]!;
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
    const raw = prepared.slice(starts[i], ends[i]);
    out.push({ raw, folded: fold(raw) });
  }
  return out;
}
