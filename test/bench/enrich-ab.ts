// A/B of the enrich stage: src/enrich of a git revision (AB_BASE, default
// HEAD) against the working tree, in one process. (c395be9 is the
// implementation before the speed passes; since then entities changed on
// purpose — credited photographers, titles — so against it only topics and
// tokens compare equal.) Both use the working tree's taxonomy, so only the
// matcher and entity code differ.
//
//   node --import tsx test/bench/enrich-ab.ts            check equality, then time (medians of interleaved runs)
//   AB_BASE=c395be9 node --import tsx test/bench/enrich-ab.ts   compare with another revision
//   node --import tsx test/bench/enrich-ab.ts --check    equality only
//   AB_REPS=9 node --import tsx test/bench/enrich-ab.ts  more repetitions
//   AB_SKIP_CHECK=1                                      time without the equality check (while iterating)
//   AB_ONLY=tagText,enrich                               time only some contenders (tagText, tokenize, entities, enrich)
//   AB_INPUT=corpus                                      time on the corpus's entries (or dev: the labelled set) instead of the generated items
//
// Equality is checked on full results (every topic, score, matched phrase with
// field and count, every scan hit in order, every entity with its kind, and tokenize/fold output) over
// the labelled dev set, every corpus feed, the generated bench items and a
// seeded fuzz of taxonomy words mixed with case, accents, punctuation and
// non-Latin text. Any difference is printed and the script exits with 1.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { decodeBytes } from "../../src/decode/index.js";
import { compileMatcher, extractEntities, fold, loadTaxonomy, tagEntry, tagText, tokenize } from "../../src/enrich/index.js";
import type { Entry } from "../../src/model/index.js";
import { normalizeFeedWithText } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { corpusFeedFiles, devSetItems, interleaved, REPO_ROOT, TOPICS_FILE } from "./bench-kit.js";
import { generateFeed } from "./generate-feed.js";

const CHECK_ONLY = process.argv.includes("--check");
const REPS = Number(process.env.AB_REPS ?? 7);
const ONLY = process.env.AB_ONLY?.split(",");
const INPUT = process.env.AB_INPUT ?? "generated";

type EnrichModule = typeof import("../../src/enrich/index.js");

/** src/ of `rev` unpacked into a temp folder (its node_modules links to this checkout's) and its enrich stage imported. */
async function loadOldEnrich(rev: string): Promise<EnrichModule> {
  const dir = mkdtempSync(join(tmpdir(), "enrich-ab-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const tar = execFileSync("git", ["-C", REPO_ROOT, "archive", rev, "src", "package.json"], { maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(join(dir, "old.tar"), tar);
  execFileSync("tar", ["-xf", "old.tar"], { cwd: dir });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  return (await import(pathToFileURL(join(dir, "src/enrich/index.ts")).href)) as EnrichModule;
}

const old = await loadOldEnrich(process.env.AB_BASE ?? "HEAD");
const {
  compileMatcher: oldCompileMatcher,
  extractEntities: oldExtractEntities,
  tagEntry: oldTagEntry,
  tagText: oldTagText,
  fold: oldFold,
  tokenize: oldTokenize,
} = old;

const taxonomy = loadTaxonomy(TOPICS_FILE, { scheme: "http://127.0.0.1:8080/topics/" });
const newMatcher = compileMatcher(taxonomy);
const oldMatcher = oldCompileMatcher(taxonomy);

interface Item {
  where: string;
  entry: Entry;
  body: string;
}

function normalizeOptions(sourceId: string) {
  return {
    sourceId,
    feedUrl: `https://news.example.com/${sourceId}/rss`,
    trackingParams: ["utm_*", "fbclid"],
    boilerplate: ["^Radio Habana Cuba$"],
    now: "2026-11-21T00:00:00.000Z",
  };
}

async function feedItems(bytes: Buffer, where: string): Promise<Item[]> {
  let feed: Awaited<ReturnType<typeof parseFeed>>;
  try {
    feed = await parseFeed(decodeBytes(bytes).text, { timeoutMs: 60_000 });
  } catch {
    return [];
  }
  return normalizeFeedWithText(feed, normalizeOptions("ab")).map(({ entry, contentText }) => ({
    where: `${where} ${entry.id}`,
    entry,
    body: contentText() || entry.summary,
  }));
}

function devItems(): Item[] {
  const base = (generated as Item[])[0]!.entry;
  return devSetItems().map((d, i) => {
    const entry: Entry = { ...base, id: `dev-${i}`, title: d.title, ...(d.lang ? { language: d.lang } : {}) };
    if (!d.lang) delete (entry as { language?: string }).language;
    return { where: `dev.jsonl line ${i + 1}`, entry, body: d.text };
  });
}

/** Seeded text built from the taxonomy's own words, with the noise the matcher must handle. */
function fuzzItems(count: number): Item[] {
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const words: string[] = [];
  for (const t of taxonomy.topics) for (const term of t.terms) words.push(...term.text.split(/\s+/), ...term.requireNear, ...term.forbidNear);
  const extra = [
    "ICE",
    "Ice",
    "U.S.",
    "Trump's",
    "Trump’s",
    "e\u0301",
    "Ñandú",
    "İstanbul",
    "straße",
    "ﬁre",
    "Москва",
    "Αθήνα",
    "東京",
    "😀",
    "\u00a0",
    "—",
    "-",
    "'",
    "deportacio\u0301n",
    "MIGRACIÓN",
    "said",
    "Donald",
    "Washington",
    "New York",
    "House of Representatives",
    "Guardia Civil",
    "de",
    "la",
    "\n",
    ".",
    ",",
    ":",
  ];
  const pool = [...words, ...extra];
  const pick = () => {
    let w = pool[Math.floor(rnd() * pool.length)]!.replace(/\*$/, rnd() < 0.5 ? "ing" : "");
    const r = rnd();
    if (r < 0.15) w = w.toUpperCase();
    else if (r < 0.4) w = w.charAt(0).toUpperCase() + w.slice(1);
    return w;
  };
  const seps = [" ", " ", " ", ", ", ". ", "-", "\n", " (", ") ", "’s ", "'s ", "/", ": "];
  const base = (generated as Item[])[0]!.entry;
  const out: Item[] = [];
  for (let i = 0; i < count; i++) {
    const n = 5 + Math.floor(rnd() * 300);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(pick(), seps[Math.floor(rnd() * seps.length)]!);
    const body = parts.join("");
    const title = body.slice(0, Math.floor(rnd() * 80));
    const language = rnd() < 0.33 ? "en" : rnd() < 0.5 ? "es" : undefined;
    const entry: Entry = { ...base, id: `fuzz-${i}`, title };
    if (language) entry.language = language;
    else delete (entry as { language?: string }).language;
    out.push({ where: `fuzz ${i}`, entry, body });
  }
  return out;
}

let generated: Item[] = [];
generated = await feedItems(generateFeed({ format: "rss", items: 1000, seed: 1 }), "generated");
const corpus: Item[] = [];
for (const file of corpusFeedFiles()) corpus.push(...(await feedItems(readFileSync(file), basename(file))));
const sets: Array<[string, Item[]]> = [
  ["dev.jsonl", devItems()],
  ["corpus", corpus],
  ["generated", generated],
  ["fuzz", fuzzItems(3000)],
];

/** A scan's hits as plain data: topic, term, first word, length in words, and the word count. */
function scanHits(
  matcher: { scan(text: string): { hits: Array<{ ref: { topic: { id: string }; term: { text: string } }; start: number; length: number }>; words: number } },
  text: string,
) {
  const { hits, words } = matcher.scan(text);
  return { words, hits: hits.map((h) => `${h.ref.topic.id} ${h.ref.term.text} @${h.start}+${h.length}`) };
}

let differences = 0;
function compare(what: string, where: string, a: unknown, b: unknown): void {
  if (isDeepStrictEqual(a, b)) return;
  differences++;
  if (differences <= 10) process.stdout.write(`DIFF ${what} at ${where}\n  old: ${JSON.stringify(a)}\n  new: ${JSON.stringify(b)}\n`);
}

const SKIP_CHECK = process.env.AB_SKIP_CHECK === "1";
for (const [name, items] of SKIP_CHECK ? [] : sets) {
  let topics = 0;
  let entities = 0;
  for (const it of items) {
    const input = { title: it.entry.title, body: it.body, ...(it.entry.language ? { language: it.entry.language } : {}) };
    const a = oldTagText(oldMatcher, input);
    compare("tagText", it.where, a, tagText(newMatcher, input));
    topics += a.length;
    for (const lang of [it.entry.language, "en", "es"]) {
      const e = oldExtractEntities(it.entry.title, it.body, lang);
      compare(`extractEntities(${lang})`, it.where, e, extractEntities(it.entry.title, it.body, lang));
      entities += e.length;
    }
    compare("tagEntry", it.where, oldTagEntry(oldMatcher, it.entry, it.body), tagEntry(newMatcher, it.entry, it.body));
    // Every hit in scan order, before scoring (tagText only shows the hits that count).
    for (const text of [it.entry.title, it.body]) compare("scan", it.where, scanHits(oldMatcher, text), scanHits(newMatcher, text));
    compare("tokenize", it.where, oldTokenize(it.body), tokenize(it.body));
    compare("fold", it.where, oldFold(it.entry.title), fold(it.entry.title));
  }
  process.stdout.write(`${name}: ${items.length} items, ${topics} topics, ${entities} entities compared\n`);
}
process.stdout.write(SKIP_CHECK ? "equality not checked\n" : differences === 0 ? "identical results\n" : `${differences} differences\n`);
if (differences > 0) process.exit(1);

if (!CHECK_ONLY) {
  const chosen = INPUT === "corpus" ? corpus : INPUT === "dev" ? devItems() : generated;
  // A small set is timed several times over, so each timing covers about 3 MB of text.
  const chosenBytes = chosen.reduce((s, it) => s + Buffer.byteLength(it.entry.title) + Buffer.byteLength(it.body), 0);
  const timed = Array.from({ length: Math.max(1, Math.ceil(3e6 / chosenBytes)) }, () => chosen).flat();
  const inputs = timed.map((it) => ({ title: it.entry.title, body: it.body, ...(it.entry.language ? { language: it.entry.language } : {}) }));
  const bytes = inputs.reduce((s, i) => s + Buffer.byteLength(i.title) + Buffer.byteLength(i.body), 0);
  const contenders: Record<string, () => void> = {
    "old tagText": () => {
      for (const i of inputs) oldTagText(oldMatcher, i);
    },
    "new tagText": () => {
      for (const i of inputs) tagText(newMatcher, i);
    },
    "old tokenize": () => {
      for (const i of inputs) {
        oldTokenize(i.title);
        oldTokenize(i.body);
      }
    },
    "new tokenize": () => {
      for (const i of inputs) {
        tokenize(i.title);
        tokenize(i.body);
      }
    },
    "old entities": () => {
      for (const it of timed) oldExtractEntities(it.entry.title, it.body, it.entry.language);
    },
    "new entities": () => {
      for (const it of timed) extractEntities(it.entry.title, it.body, it.entry.language);
    },
    "old enrich": () => {
      for (const it of timed) oldTagEntry(oldMatcher, it.entry, it.body);
    },
    "new enrich": () => {
      for (const it of timed) tagEntry(newMatcher, it.entry, it.body);
    },
  };
  for (const name of Object.keys(contenders)) if (ONLY && !ONLY.includes(name.split(" ")[1]!)) delete contenders[name];
  const med = await interleaved(REPS, contenders, { cpu: true });
  const fmt = (name: string, f: (ms: number) => string) => (med[name] === undefined ? "-" : f(med[name]!));
  const mb = bytes / 1e6;
  process.stdout.write(
    `\n${timed.length} ${INPUT} items (${chosen.length} distinct), ${mb.toFixed(2)} MB of text, medians of ${REPS} interleaved runs, CPU time\n`,
  );
  for (const side of ["old", "new"]) {
    const rate = (ms: number) => `${(mb / (ms / 1000)).toFixed(1)} MB/s`;
    const perItem = (ms: number) => `${(ms / timed.length).toFixed(3)} ms/item`;
    process.stdout.write(
      `${side}: tagText ${fmt(`${side} tagText`, rate)}, tokenize ${fmt(`${side} tokenize`, rate)}, ` +
        `entities ${fmt(`${side} entities`, perItem)}, enrich (tagEntry) ${fmt(`${side} enrich`, perItem)}\n`,
    );
  }
}
