// A sentence ends at . ! or ? (optionally closed by a quote or bracket) followed
// by a space and a capital, digit or opening quote.
const SENTENCE_END = /[.!?]["”’)\]]?(?=\s+["“‘(]?[\p{Lu}\p{N}])/gu;
// …unless the period closes an abbreviation or an initial: "U.S. military", "Mr. Trump", "Jan. 5".
const ABBREVIATION =
  /(?:^|[\s("“])(?:\p{L}|(?:\p{L}\.)+\p{L}|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|No|Nos|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx|Sra|Sr|Dra|Ud|Uds)\.$/u;

/** Cuts plain text to at most maxChars, at a sentence end if one is near, else at a word, with an ellipsis. */
export function summarize(text: string, maxChars = 300): string {
  const t = text.replace(/\s+/g, " ").trim();
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

// A word may carry inner apostrophes, hyphens, dots and commas: "don't",
// "active-duty", "U.S.", "1,500" are one word each.
const WORD = /[\p{L}\p{N}]+(?:['’.,-][\p{L}\p{N}]+)*/gu;

export function countWords(text: string): number {
  const m = text.match(WORD);
  return m === null ? 0 : m.length;
}
