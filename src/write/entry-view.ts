import type { Entry } from "../model/index.js";
import { stripIllegalXmlChars } from "../shared/xml-text.js";

/** Date an entry is filed under: published, else when we first saw it. */
export function entryDate(entry: Entry): string {
  return entry.published ?? entry.firstSeen;
}

/** Last change: updated, else the filing date. */
export function entryUpdated(entry: Entry): string {
  return entry.updated ?? entryDate(entry);
}

/** Newest first; ties broken by id so the order never depends on insertion. */
export function sortNewestFirst(entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => {
    const da = entryDate(a);
    const db = entryDate(b);
    if (da !== db) return da < db ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** The newest change among the entries: the feed's `updated`, so output does not depend on the clock. */
export function feedUpdated(entries: Entry[]): Date {
  let newest = "1970-01-01T00:00:00.000Z";
  for (const e of entries) {
    const u = entryUpdated(e);
    if (u > newest) newest = u;
  }
  return new Date(newest);
}

const HTML_SPECIAL = /[&<>"]/;

export function escapeHtml(s: string): string {
  // Most titles and summaries have nothing to escape: one scan instead of four replaces.
  if (!HTML_SPECIAL.test(s)) return s;
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Text safe inside CDATA and XML 1.0: no control characters, no `]]>`. */
export function cdataSafe(s: string): string {
  const clean = stripIllegalXmlChars(s);
  return clean.includes("]]>") ? clean.replace(/]]>/g, "]]&gt;") : clean;
}
