/**
 * Index just past the `<!DOCTYPE` at `from`: its closing `>`, with an
 * internal subset in `[…]`, quoted strings and comments inside the subset
 * skipped. -1 when it does not end in `s`. The fetch stage reads past a
 * doctype to find a document's root; the parse stage removes it.
 */
export function doctypeEnd(s: string, from: number): number {
  let inSubset = false;
  let quote: string | undefined;
  for (let i = from + 9; i < s.length; i++) {
    const c = s[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[") inSubset = true;
    else if (c === "]") inSubset = false;
    else if (c === "<" && inSubset && s.startsWith("<!--", i)) {
      const close = s.indexOf("-->", i + 4);
      if (close < 0) return -1;
      i = close + 2;
    } else if (c === ">" && !inSubset) return i + 1;
  }
  return -1;
}
