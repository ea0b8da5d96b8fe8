// A peer for the backfill rows: the pipeline a user might write instead of
// feed-enricher. rss-parser's parseString, the taxonomy's terms as one
// case-insensitive regular expression each (`stem*` as a prefix), tested on
// each item's title and tag-stripped body, and the `feed` package writing
// RSS 2.0, Atom 1.0 and JSON Feed of every item with its topics as
// categories. No cleaning, no store, no per-topic feeds. Prints the items,
// the tags, its own time and peak RSS as JSON.
//
//   node test/bench/peer-naive-pipeline.mjs FEED TOPICS_YAML OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Feed } from "feed";
import Parser from "rss-parser";
import { parse } from "yaml";

const [file, topicsFile, outDir] = process.argv.slice(2);
const started = performance.now();

/** Every term of a topic's `terms` (per language: strings, lists, { term } and { terms } groups). */
function termsOf(node, out = []) {
  if (typeof node === "string") out.push(node);
  else if (Array.isArray(node)) for (const n of node) termsOf(n, out);
  else if (node && typeof node === "object") {
    if (typeof node.term === "string") out.push(node.term);
    else if (node.terms !== undefined) termsOf(node.terms, out);
    else for (const lang of Object.values(node)) termsOf(lang, out);
  }
  return out;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const taxonomy = parse(readFileSync(topicsFile, "utf8"));
const rules = taxonomy.topics.map((t) => ({
  id: t.id,
  patterns: termsOf(t.terms).map((term) => new RegExp(`\\b${escapeRegExp(term).replace(/\\\*$/, "\\w*")}\\b`, "i")),
}));

const feed = await new Parser().parseString(readFileSync(file, "utf8"));
const out = new Feed({ title: feed.title ?? "feed", id: feed.link ?? "urn:feed", link: feed.link, copyright: "" });
let tags = 0;
for (const item of feed.items) {
  const body = item["content:encoded"] ?? item.content ?? "";
  const text = `${item.title ?? ""} ${body.replace(/<[^>]+>/g, " ")}`;
  const topics = rules.filter((r) => r.patterns.some((re) => re.test(text))).map((r) => r.id);
  tags += topics.length;
  out.addItem({
    title: item.title ?? "",
    id: item.guid ?? item.link,
    link: item.link ?? "",
    date: new Date(item.isoDate ?? Date.now()),
    description: item.contentSnippet,
    content: body,
    category: topics.map((name) => ({ name })),
  });
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "all.rss"), out.rss2());
writeFileSync(join(outDir, "all.atom"), out.atom1());
writeFileSync(join(outDir, "all.json"), out.json1());
process.stdout.write(
  `${JSON.stringify({
    items: feed.items.length,
    terms: rules.reduce((sum, r) => sum + r.patterns.length, 0),
    tags,
    ms: performance.now() - started,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
