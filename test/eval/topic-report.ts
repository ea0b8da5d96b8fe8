// Per-topic error listing for tuning the taxonomy: for each topic, the core
// items it missed and the items it was wrongly given, with the phrases behind
// every tag.
//
//   node --import tsx test/eval/topic-report.ts [FILE.jsonl] [--topic ID] [--half even|odd] [--lang en|es]
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { compileMatcher, loadTaxonomy, tagText } from "../../src/enrich/index.js";
import { loadLabeled } from "./score-tagging.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    taxonomy: { type: "string", default: "config/topics.yaml" },
    topic: { type: "string" },
    half: { type: "string" },
    lang: { type: "string" },
  },
});
const taxonomy = loadTaxonomy(resolve(values.taxonomy), { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);
let items = loadLabeled(resolve(positionals[0] ?? "test/fixtures/tagging/dev.jsonl")).map((item, index) => ({ item, index }));
if (values.half === "even") items = items.filter((x) => x.index % 2 === 0);
if (values.half === "odd") items = items.filter((x) => x.index % 2 === 1);
if (values.lang) items = items.filter((x) => x.item.lang === values.lang);
const topics = values.topic ? [values.topic] : taxonomy.topics.map((t) => t.id);
const tagged = items.map((x) => ({ ...x, tags: tagText(matcher, { title: x.item.title, body: x.item.text, language: x.item.lang }) }));
const show = (x: (typeof tagged)[number]) => {
  const lines = [`  #${x.index} [${x.item.lang}] ${x.item.title.slice(0, 100)}${x.item.text === "" ? " (title only)" : ""}`];
  lines.push(`     core ${x.item.core.join(",") || "-"}; mentioned ${x.item.mentioned.join(",") || "-"}`);
  for (const t of x.tags) lines.push(`     ${t.id} ${t.score}: ${t.matches.map((p) => `${p.phrase}@${p.field[0]}×${p.count}`).join(", ")}`);
  return lines.join("\n");
};
for (const topic of topics) {
  const missed = tagged.filter((x) => x.item.core.includes(topic) && !x.tags.some((t) => t.id === topic));
  const wrong = tagged.filter((x) => x.tags.some((t) => t.id === topic) && !x.item.core.includes(topic) && !x.item.mentioned.includes(topic));
  if (missed.length === 0 && wrong.length === 0) continue;
  process.stdout.write(`== ${topic}: ${missed.length} missed, ${wrong.length} wrong\n`);
  if (missed.length) process.stdout.write(` missed:\n${missed.map(show).join("\n")}\n`);
  if (wrong.length) process.stdout.write(` wrong:\n${wrong.map(show).join("\n")}\n`);
}
