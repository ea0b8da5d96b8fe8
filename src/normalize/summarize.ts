/** Cuts plain text to at most maxChars, at a sentence end if one is near, else at a word, with an ellipsis. */
export function summarize(text: string, maxChars = 300): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= maxChars) return t;
  const window = t.slice(0, maxChars);
  // Prefer the last sentence end in the second half of the window.
  const sentenceEnd = Math.max(...[". ", "? ", "! ", "." + "\u201d ", '." '].map((m) => window.lastIndexOf(m)));
  if (sentenceEnd >= maxChars * 0.5) return window.slice(0, sentenceEnd + 1).trim();
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
