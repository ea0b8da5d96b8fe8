import type { Entry, SourceState } from "../../src/model/index.js";

/** Entry n of a source, published n hours into 2026, with the given topic ids. */
export function entry(sourceId: string, n: number, topics: string[] = [], published?: string): Entry {
  return {
    id: `https://news.example.org/${sourceId}/${n}`,
    sourceId,
    title: `Story ${n}`,
    firstSeen: "2026-01-01T00:00:00.000Z",
    ...(published ? { published } : { published: new Date(Date.UTC(2026, 0, 1, n)).toISOString() }),
    authors: [],
    summary: `Summary ${n}`,
    contentHtml: `<p>Body ${n}</p>`,
    categories: [],
    enclosures: [],
    wordCount: 2,
    readingTimeMin: 1,
    topics: topics.map((id) => ({ id, label: id, iptcCode: "medtop:1", iptcLabel: id, iptcAncestors: [], score: 3, matches: [] })),
    entities: [],
    contentHash: `hash-${n}`,
  };
}

/** A healthy source state, last successful at `lastSuccess`. */
export const state = (sourceId: string, lastSuccess = "2026-01-02T00:00:00.000Z"): SourceState => ({ sourceId, consecutiveFailures: 0, lastSuccess });
