// Tagging throughput in a process of its own, as a service runs it: one
// matcher, compiled once, and nothing else run before. In the bench's own
// process, after other sections had tagged entries (tagEntry) or compiled
// other matchers, the same tagText read 83–97 MB/s instead of 105–122
// (docs/benchmarks.md, "Tagging in a process of its own"). Prints the
// medians as JSON on stdout; run by the bench's tag section.

import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, loadTaxonomy, tagText, tokenize } from "../../src/enrich/index.js";
import { htmlToText, normalizeFeed } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { interleaved, TOPICS_FILE } from "./bench-kit.js";
import { generateFeed } from "./generate-feed.js";

const reps = Number(process.env.TAG_REPS ?? 7);
const taxonomy = loadTaxonomy(TOPICS_FILE, { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);
const feed = await parseFeed(decodeBytes(generateFeed({ format: "rss", items: 1000, seed: 1 })).text, { timeoutMs: 600_000 });
const entries = normalizeFeed(feed, {
  sourceId: "bench",
  feedUrl: "https://news.example.com/bench/rss",
  trackingParams: ["utm_*", "fbclid"],
  boilerplate: ["^Radio Habana Cuba$"],
  now: "2026-11-21T00:00:00.000Z",
});
const inputs = entries.map((e) => ({ title: e.title, body: htmlToText(e.contentHtml) || e.summary, ...(e.language ? { language: e.language } : {}) }));
const bytes = inputs.reduce((s, i) => s + Buffer.byteLength(i.title) + Buffer.byteLength(i.body), 0);
let tagged = 0;
// CPU time: on a shared machine wall time mostly measures the wait for a core.
const med = await interleaved(
  reps,
  {
    tag: () => {
      tagged = 0;
      for (const i of inputs) if (tagText(matcher, i).length > 0) tagged++;
    },
    tokenize: () => {
      for (const i of inputs) {
        tokenize(i.title);
        tokenize(i.body);
      }
    },
  },
  // Steady state, and the forced collection's concurrent sweeping done before timing.
  { cpu: true, warmup: 1, settleMs: 50 },
);
process.stdout.write(
  `${JSON.stringify({ topics: taxonomy.topics.length, entries: inputs.length, tagged, bytes, tagMs: med.tag, tokenizeMs: med.tokenize })}\n`,
);
