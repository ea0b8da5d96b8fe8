// Tagging throughput in a process of its own, as a service runs it: one
// matcher, compiled once, and nothing else run before. In the bench's own
// process, after other sections had tagged entries (tagEntry) or compiled
// other matchers, the same tagText read 83–97 MB/s instead of 105–122
// (docs/benchmarks.md, "Tagging in a process of its own"). Prints the
// medians as JSON on stdout; run by the bench's tag section, once per input
// (TAG_INPUT), each in a process of its own:
//   generated  the bench's seeded feed of 1,000 wire stories (the target row)
//   corpus     every entry of the real feeds in test/fixtures/corpus, as refresh tags them
//   dev        the labelled news items of test/fixtures/tagging/dev.jsonl (title and text)

import { readFileSync } from "node:fs";
import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, loadTaxonomy, type TagInput, tagText, tokenize } from "../../src/enrich/index.js";
import { htmlToText, type NormalizeOptions, normalizeFeed } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { corpusFeedFiles, devSetItems, interleaved, TOPICS_FILE } from "./bench-kit.js";
import { generateFeed } from "./generate-feed.js";

const reps = Number(process.env.TAG_REPS ?? 7);
const taxonomy = loadTaxonomy(TOPICS_FILE, { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);
const OPTIONS: NormalizeOptions = {
  sourceId: "bench",
  feedUrl: "https://news.example.com/bench/rss",
  trackingParams: ["utm_*", "fbclid"],
  boilerplate: ["^Radio Habana Cuba$"],
  now: "2026-11-21T00:00:00.000Z",
};

/** What refresh tags for each entry of a parsed feed: the title, and the content's text or else the summary. */
async function feedInputs(text: string): Promise<TagInput[]> {
  const entries = normalizeFeed(await parseFeed(text, { timeoutMs: 600_000 }), OPTIONS);
  return entries.map((e) => ({ title: e.title, body: htmlToText(e.contentHtml) || e.summary, ...(e.language ? { language: e.language } : {}) }));
}

async function corpusInputs(): Promise<TagInput[]> {
  const inputs: TagInput[] = [];
  for (const file of corpusFeedFiles()) {
    try {
      inputs.push(...(await feedInputs(decodeBytes(readFileSync(file)).text)));
    } catch {
      // A feed the pipeline rejects (the corpus holds broken ones on purpose) has nothing to tag.
    }
  }
  return inputs;
}

function devInputs(): TagInput[] {
  return devSetItems().map((item) => ({ title: item.title, body: item.text, ...(item.lang ? { language: item.lang } : {}) }));
}

const input = process.env.TAG_INPUT ?? "generated";
const inputs =
  input === "corpus"
    ? await corpusInputs()
    : input === "dev"
      ? devInputs()
      : await feedInputs(decodeBytes(generateFeed({ format: "rss", items: 1000, seed: 1 })).text);
const bytes = inputs.reduce((s, i) => s + Buffer.byteLength(i.title) + Buffer.byteLength(i.body), 0);
// Small inputs are tagged several times per timing, so each timing covers about 3 MB.
const passes = Math.max(1, Math.ceil(3e6 / bytes));
let tagged = 0;
// CPU time: on a shared machine wall time mostly measures the wait for a core.
const med = await interleaved(
  reps,
  {
    tag: () => {
      for (let p = 0; p < passes; p++) {
        tagged = 0;
        for (const i of inputs) if (tagText(matcher, i).length > 0) tagged++;
      }
    },
    tokenize: () => {
      for (let p = 0; p < passes; p++) {
        for (const i of inputs) {
          tokenize(i.title);
          tokenize(i.body);
        }
      }
    },
  },
  // Steady state, and the forced collection's concurrent sweeping done before timing.
  { cpu: true, warmup: 1, settleMs: 50 },
);
process.stdout.write(
  `${JSON.stringify({ input, topics: taxonomy.topics.length, entries: inputs.length, tagged, bytes, tagMs: med.tag! / passes, tokenizeMs: med.tokenize! / passes })}\n`,
);
