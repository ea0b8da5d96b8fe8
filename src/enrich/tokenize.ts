/** A word of the text, folded for matching, with where it came from. */
export interface Token {
  /** Lowercase, accents removed, apostrophes dropped. */
  folded: string;
  /** As written (for case-sensitive terms such as ICE). */
  raw: string;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Case, accents and apostrophes folded: "Inmigración" → "inmigracion", "Trump's" → "trumps". */
export function fold(word: string): string {
  let w = word.toLowerCase();
  // Fast path: plain ASCII needs no Unicode normalization.
  if (/[^\x00-\x7f]/.test(w)) w = w.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  return w.replace(/['’]/g, "");
}

/**
 * Splits text into word tokens on Unicode word boundaries. Hyphenated words
 * become separate tokens ("active-duty" → active, duty) so phrases match either way.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const raw = m[0];
    out.push({ raw, folded: fold(raw) });
  }
  return out;
}
