// A sentence ends at . ! or ? (optionally closed by a quote or bracket) followed
// by a space and a capital, digit or opening quote.
const SENTENCE_END = /[.!?]["”’)\]]?(?=\s+["“‘(]?[\p{Lu}\p{N}])/gu;
// …unless the period closes an abbreviation or an initial: "U.S. military", "Mr. Trump", "Jan. 5".
const ABBREVIATION =
  /(?:^|[\s("“])(?:\p{L}|(?:\p{L}\.)+\p{L}|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|No|Nos|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx|Sra|Sr|Dra|Ud|Uds)\.$/u;

/** Cuts plain text to at most maxChars, at a sentence end if one is near, else at a word, with an ellipsis. */
export function summarize(text: string, maxChars = 300): string {
  const t = collapsedHead(text, maxChars);
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
  const head = maxChars * 4 + 64;
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
const wordCharCache = new Map<number, boolean>();

function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  let known = wordCharCache.get(cp);
  if (known === undefined) {
    known = LETTER_OR_DIGIT.test(String.fromCodePoint(cp));
    wordCharCache.set(cp, known);
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
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (isWordCodePoint(cp)) {
      if (state === 0) count++;
      state = 1;
    } else state = state === 1 && isJoiner(cp) ? 2 : 0;
  }
  return count;
}

/** countWords by the regular expression itself (the definition; tests compare the two). */
export function countWordsByPattern(text: string): number {
  const m = text.match(WORD);
  return m === null ? 0 : m.length;
}
