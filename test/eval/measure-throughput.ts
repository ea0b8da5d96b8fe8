// Tagging throughput with the full bilingual taxonomy: the labelled items'
// text, repeated, tagged as entries (title + body) and as one large text.
//
//   node --import tsx test/eval/measure-throughput.ts [MB]
import { resolve } from "node:path";
import { compileMatcher, loadTaxonomy, tagText } from "../../src/enrich/index.js";
import { loadLabeled } from "./score-tagging.js";

const targetMb = Number(process.argv[2] ?? "20");
const taxonomy = loadTaxonomy(resolve("config/topics.yaml"), { scheme: "http://127.0.0.1:8080/topics/" });
const compileStarted = performance.now();
const matcher = compileMatcher(taxonomy);
const compileMs = performance.now() - compileStarted;
const items = loadLabeled(resolve("test/fixtures/tagging/dev.jsonl"));
const terms = taxonomy.topics.reduce((n, t) => n + t.terms.length, 0);

function mb(chars: number): number {
  return chars / 1e6;
}

// Per entry, as the refresh does it.
let chars = 0;
let rounds = 0;
// CPU time, not wall time: the machine may be shared with other work.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const perItemStarted = cpuSeconds();
while (mb(chars) < targetMb) {
  for (const item of items) {
    tagText(matcher, { title: item.title, body: item.text, language: item.lang });
    chars += item.title.length + item.text.length;
  }
  rounds++;
}
const perItemS = cpuSeconds() - perItemStarted;

// One large text through the scanner alone.
const big = items.map((i) => `${i.title}. ${i.text}`).join("\n");
const copies = Math.ceil((targetMb * 1e6) / big.length);
const large = Array.from({ length: copies }, () => big).join("\n");
matcher.scan(large.slice(0, 100_000));
const scanStarted = cpuSeconds();
const { hits, words } = matcher.scan(large);
const scanS = cpuSeconds() - scanStarted;

process.stdout.write(
  `taxonomy: ${taxonomy.topics.length} topics, ${terms} terms; compiled in ${compileMs.toFixed(1)} ms\n` +
    `per entry (CPU time): ${(mb(chars) / perItemS).toFixed(1)} MB/s (${rounds * items.length} entries, ${mb(chars).toFixed(1)} M chars, ${((perItemS * 1e6) / (rounds * items.length)).toFixed(1)} µs/entry)\n` +
    `one text (CPU time):  ${(mb(large.length) / scanS).toFixed(1)} MB/s (${mb(large.length).toFixed(1)} M chars, ${words} words, ${hits.length} hits)\n`,
);
