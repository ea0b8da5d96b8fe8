// Scores the topic tagger on a labelled JSONL file (format of
// test/fixtures/tagging/dev.jsonl) by the rule of the labelled set: a
// predicted tag is right when it is in core or mentioned; recall on core.
//
//   npm run eval:tagging -- FILE.jsonl [--taxonomy config/topics.yaml] [--half even|odd] [--worst N] [--lang en|es]
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { compileMatcher, loadTaxonomy, tagText } from "../../src/enrich/index.js";
import { formatScore, type LabeledItem, loadLabeled, scoreTagging } from "./score-tagging.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    taxonomy: { type: "string", default: "config/topics.yaml" },
    half: { type: "string" },
    lang: { type: "string" },
    worst: { type: "string", default: "15" },
    explain: { type: "boolean", default: false },
  },
});

const file = positionals[0] ?? "test/fixtures/tagging/dev.jsonl";
const taxonomy = loadTaxonomy(resolve(values.taxonomy), { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);
let items = loadLabeled(resolve(file));
// Halves for checking generalization: tune on one, look at the other.
if (values.half === "even") items = items.filter((_, i) => i % 2 === 0);
if (values.half === "odd") items = items.filter((_, i) => i % 2 === 1);
if (values.lang) items = items.filter((i) => i.lang === values.lang);

const started = performance.now();
const predictions = new Map<LabeledItem, ReturnType<typeof tagText>>();
for (const item of items) predictions.set(item, tagText(matcher, { title: item.title, body: item.text, language: item.lang }));
const elapsedMs = performance.now() - started;

const score = scoreTagging(
  items,
  (item) => predictions.get(item)!.map((t) => t.id),
  taxonomy.topics.filter((t) => t.enabled).map((t) => t.id),
);
process.stdout.write(`${file} — taxonomy ${taxonomy.version}, threshold ${taxonomy.threshold}, title weight ${taxonomy.titleWeight}\n`);
process.stdout.write(formatScore(score, Number(values.worst)));
if (values.explain) {
  for (const m of score.misses.slice(0, Number(values.worst))) {
    process.stdout.write(`\n${m.item.title}\n`);
    for (const t of predictions.get(m.item)!) {
      process.stdout.write(`  ${t.id} ${t.score}: ${t.matches.map((p) => `${p.phrase}@${p.field}×${p.count}`).join(", ")}\n`);
    }
  }
}
process.stdout.write(`\ntagged ${items.length} items in ${elapsedMs.toFixed(1)} ms\n`);
