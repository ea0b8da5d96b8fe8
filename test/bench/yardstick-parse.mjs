// The whole-process yardstick: read a feed file and parse it with rss-parser's
// parseString alone, as a program that only wanted the items would. Prints
// its wall time and peak RSS as JSON on stdout.
import { readFileSync } from "node:fs";
import Parser from "rss-parser";

const started = performance.now();
const files = process.argv.slice(2);
let items = 0;
for (const file of files) {
  const feed = await new Parser().parseString(readFileSync(file, "utf8"));
  items += feed.items.length;
}
process.stdout.write(`${JSON.stringify({ items, ms: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS })}\n`);
