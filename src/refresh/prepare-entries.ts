import { type Matcher, tagEntry } from "../enrich/index.js";
import type { Entry, RawItem } from "../model/index.js";
import type { NormalizedEntry } from "../normalize/index.js";

/**
 * One item normalized and, unless the store already holds it as it is,
 * tagged: what a chunk of items becomes, on either thread. `entry` is
 * undefined for an item that normalizes to nothing (no title, body or link).
 */
export interface PreparedItem {
  /** The item's raw link: the duplicate filter reads it (normalize's createDuplicateFilter). */
  itemLink: string | undefined;
  /** The entry, tagged (tagEntry(matcher, entry, its text)) when `tagged` says so. */
  entry: Entry | undefined;
  /** False when the store holds this content under this taxonomy: tagging it would be wasted. */
  tagged: boolean;
}

/** Normalizes and tags items, in order; `known` maps the ids stored under the current taxonomy to their content hashes. */
export function prepareItems(
  normalize: (item: RawItem) => NormalizedEntry | undefined,
  matcher: Matcher,
  known: ReadonlyMap<string, string>,
  items: RawItem[],
): PreparedItem[] {
  const out: PreparedItem[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const normalized = normalize(item);
    if (normalized === undefined) {
      out[i] = { itemLink: item.link, entry: undefined, tagged: false };
      continue;
    }
    const { entry, contentText } = normalized;
    // tagEntry reads neither firstSeen nor the dates the refresh later takes
    // from the store, so tagging before those are set gives what tagging after
    // gives. One entry object per item, tagged or not: the content is copied
    // once when a chunk crosses to the other thread.
    out[i] =
      known.get(entry.id) === entry.contentHash
        ? { itemLink: item.link, entry, tagged: false }
        : { itemLink: item.link, entry: tagEntry(matcher, entry, contentText() || entry.summary), tagged: true };
  }
  return out;
}
