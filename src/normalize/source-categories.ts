import type { RawCategory, SourceCategory } from "../model/index.js";
import { plainTitle } from "./html-text.js";

// A comma with a non-space on both sides, between two parts that are not both
// digits ("1,000" is a number): the mark of a tag list written into one field.
const LIST_COMMA = /,(?=\S)/;
const NUMBER_COMMA = /\d,\d/;
const SPACED_COMMA = /,\s/;

/**
 * The source's categories as plain text, without empty ones. A category that
 * is a tag list written into one element (`<category>DASDING,Podcast,Rap</category>`,
 * as some podcast and CMS feeds do) becomes one category per tag: a reader
 * would otherwise show the whole list as one tag. Only a list with no space
 * after any comma is split, so a name such as "Crime, Law and Justice" stays
 * whole. The split parts keep the scheme; the label named the whole list.
 */
export function sourceCategories(raw: RawCategory[]): SourceCategory[] {
  const out: SourceCategory[] = [];
  const seen = new Set<string>();
  const add = (category: SourceCategory) => {
    const key = `${category.scheme ?? ""}\u0000${category.term}`;
    if (category.term === "" || seen.has(key)) return;
    seen.add(key);
    out.push(category);
  };
  for (const c of raw) {
    const term = plainTitle(c.term);
    if (!isTagList(term)) {
      add({ ...c, term });
      continue;
    }
    for (const part of term.split(",")) add({ term: part.trim(), ...(c.scheme !== undefined ? { scheme: c.scheme } : {}) });
  }
  return out;
}

function isTagList(term: string): boolean {
  return LIST_COMMA.test(term) && !SPACED_COMMA.test(term) && !NUMBER_COMMA.test(term);
}
