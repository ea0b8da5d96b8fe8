import type { RawFeed, RawItem } from "../model/index.js";
import { createTextNormalizer, type NormalizedEntry, type NormalizeOptions } from "../normalize/index.js";

/**
 * normalizeFeedWithText one item at a time: the same entries in the same
 * order, the same story twice (same id or identifying link) kept once — but
 * each raw item is let go as soon as it is normalized and each entry is
 * handed on before the next is made, so a backfill of tens of thousands of
 * items never holds every raw item and every entry at once.
 * test/refresh/normalize-items.test.ts checks it against normalizeFeedWithText.
 * Takes the items out of the feed.
 */
export function* normalizeItems(feed: RawFeed, options: NormalizeOptions): Generator<NormalizedEntry> {
  const normalize = createTextNormalizer(feed, options);
  const items: Array<RawItem | undefined> = feed.items;
  feed.items = [];
  const seenIds = new Set<string>();
  const seenLinks = new Set<string>();
  // A link shared by many items is the site's home page (podcasts, some CMSs),
  // not a story's canonical link: it identifies nothing, so it dedups nothing.
  const linkCounts = new Map<string, number>();
  for (const item of items) if (item?.link !== undefined) linkCounts.set(item.link.trim(), (linkCounts.get(item.link.trim()) ?? 0) + 1);
  const homeLinks = new Set([feed.link?.trim(), ...[...linkCounts].filter(([, n]) => n > 2).map(([link]) => link)]);
  linkCounts.clear();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    items[i] = undefined;
    const normalized = normalize(item);
    if (normalized === undefined) continue;
    const { entry } = normalized;
    const linkIdentifies = entry.link !== undefined && !homeLinks.has(item.link?.trim()) && !homeLinks.has(entry.link);
    if (seenIds.has(entry.id) || (linkIdentifies && seenLinks.has(entry.link!))) continue;
    seenIds.add(entry.id);
    if (linkIdentifies) seenLinks.add(entry.link!);
    yield normalized;
  }
}
