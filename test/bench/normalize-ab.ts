// A/B of the normalize stage: `normalizeFeedWithText` of a git revision
// (default HEAD) against the working tree, on generated feeds, interleaved in
// one process (medians of CPU time: on a shared machine wall time mostly
// measures the wait for a core), with rss-parser's `parseString` of the same text as
// the yardstick. Also checks that both produce the same entries.
//
//   node --import tsx test/bench/normalize-ab.ts [--base REV] [--items 100,1000] [--reps 9] [--format rss|atom]
//   node --import tsx test/bench/normalize-ab.ts --only-new --items 1000   # no A/B: for `node --cpu-prof`
//   node --import tsx test/bench/normalize-ab.ts --hash-changed   # against a revision with another content hash
//   node --import tsx test/bench/normalize-ab.ts --check [--fuzz 3000]   # equality only: corpus, fixtures, generated and fuzzed items
//
// The old tree is `git archive REV src` unpacked into a temp folder whose
// node_modules links to this checkout's, so the old code must only need
// packages that are still installed (sanitize-html for revisions before the
// one-pass sanitizer: `npm install --no-save sanitize-html`).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Parser from "rss-parser";
import { decodeBytes } from "../../src/decode/index.js";
import type { NormalizeOptions } from "../../src/normalize/index.js";
import * as current from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
import { seededRandom } from "../helpers/seeded-random.js";
import { interleaved, REPO_ROOT } from "./bench-kit.js";
import { type FeedFormat, generateFeed } from "./generate-feed.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const base = arg("base", "HEAD");
const sizes = arg("items", "100,1000").split(",").map(Number);
const reps = Number(arg("reps", "9"));
const format = arg("format", "rss") as FeedFormat;
const onlyNew = process.argv.includes("--only-new");
const checkOnly = process.argv.includes("--check");
const fuzzItems = Number(arg("fuzz", "3000"));

/** Entries and their plain text (what enrich tags), as refresh uses them. */
function entriesWithText(mod: NormalizeModule, feed: Parameters<NormalizeModule["normalizeFeedWithText"]>[0]) {
  return mod.normalizeFeedWithText(feed, OPTIONS).map((n) => ({ ...n.entry, text: n.contentText() }));
}

const OPTIONS: NormalizeOptions = {
  sourceId: "bench",
  feedUrl: "https://news.example.com/bench/rss",
  trackingParams: ["utm_*", "fbclid"],
  boilerplate: ["^Radio Habana Cuba$"],
  now: "2026-01-01T00:00:00.000Z",
};

type NormalizeModule = typeof current;

async function loadOld(rev: string): Promise<{ mod: NormalizeModule; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "normalize-ab-"));
  const tar = execFileSync("git", ["-C", REPO_ROOT, "archive", rev, "src", "package.json"], { maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(join(dir, "old.tar"), tar);
  execFileSync("tar", ["-xf", "old.tar"], { cwd: dir });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const mod = (await import(pathToFileURL(join(dir, "src/normalize/index.ts")).href)) as NormalizeModule;
  return { mod, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// The content hash is compared only when both revisions compute it the same
// way (`--hash-changed`: the old revision used another hash; every other field must still agree).
const hashChanged = process.argv.includes("--hash-changed");

function firstDifference(a: unknown[], b: unknown[]): string | undefined {
  if (a.length !== b.length) return `entry count ${a.length} vs ${b.length}`;
  const strip = (e: unknown) => (hashChanged ? { ...(e as object), contentHash: undefined } : e);
  for (let i = 0; i < a.length; i++) {
    const x = JSON.stringify(strip(a[i]));
    const y = JSON.stringify(strip(b[i]));
    if (x !== y) {
      let k = 0;
      while (k < x.length && x[k] === y[k]) k++;
      return `entry ${i} differs at ${k}:\n  old …${x.slice(Math.max(0, k - 80), k + 120)}\n  new …${y.slice(Math.max(0, k - 80), k + 120)}`;
    }
  }
  return undefined;
}

// Pieces of hostile and news-like HTML: every kind of space, references
// (control characters, astral, escaped tags), joiners, captions, credits,
// datelines, separators, boilerplate, tags kept, unwrapped and dropped.
const WORDS = [
  "the",
  "U.S.",
  "don't",
  "1,500",
  "active-duty",
  "Ünïcödé",
  "niño",
  "año",
  "東京",
  "😀",
  "x",
  "said",
  "and",
  "troops",
  "border",
  "—",
  "-",
  ".",
  ",",
  "’",
];
const SPACES = [" ", " ", " ", "  ", "\n", "\t", "\r\n", "\u00a0", "&nbsp;", "\u200b", " \n ", "\u2028", "\ufeff"];
const REFS = ["&amp;", "&lt;b&gt;", "&#1;", "&#8212;", "&eacute;", "&#x1F600;", "&#xD800;", "&NotEqualTilde;", "&amp", "AT&T", "&#11;", "<", ">"];
const PHRASES = [
  "Photo: Jane Roe/Reuters",
  "Troops at the border. [John Doe/AP Photo]",
  "Soldiers patrol (Photo: EFE)",
  "WASHINGTON (AP) — The story starts.",
  "Washington, January 23 (RHC)-- The U.S. military",
  "MADRID, 5 ene (EFE).- El gobierno",
  "HAVANA —",
  "* * *",
  "---",
  "Radio Habana Cuba",
  "el gobierno y los ministros dijeron que las medidas también",
  "the military said that the troops were sent to the border",
];
const TAGS = [
  "p",
  "div",
  "span",
  "b",
  "em",
  "a",
  "img",
  "br",
  "hr",
  "figure",
  "figcaption",
  "table",
  "tr",
  "td",
  "ul",
  "li",
  "script",
  "style",
  "section",
  "header",
  "pre",
  "h2",
  "blockquote",
  "font",
  "iframe",
  "video",
  "small",
  "p",
  "p",
  "div",
];

function fuzzHtml(rnd: () => number, depth = 0): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out: string[] = [];
  const n = 1 + Math.floor(rnd() * (depth === 0 ? 8 : 4));
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.3) {
      const k = 1 + Math.floor(rnd() * 12);
      for (let j = 0; j < k; j++) out.push(rnd() < 0.15 ? pick(REFS) : pick(WORDS), pick(SPACES));
    } else if (r < 0.45) out.push(pick(PHRASES), pick(SPACES));
    else if (depth < 5) {
      const tag = pick(TAGS);
      if (tag === "img") {
        const attrs = [
          rnd() < 0.9 ? ` src="${rnd() < 0.5 ? "/img/a.jpg" : "https://media.example.org/b.jpg?utm_source=x&amp;id=1"}"` : "",
          rnd() < 0.3 ? ' width="1" height="1"' : rnd() < 0.5 ? ' width="640" height="360"' : "",
          rnd() < 0.5 ? ' alt="A &quot;photo&quot;"' : "",
        ];
        out.push(`<img${attrs.join("")}>`);
      } else if (tag === "br" || tag === "hr") out.push(`<${tag}>`);
      else {
        const attrs = tag === "a" ? ` href="${rnd() < 0.5 ? "/story?utm_medium=feed&amp;id=2" : "javascript:alert(1)"}"` : "";
        const close = rnd() < 0.9 ? `</${tag}>` : "";
        out.push(`<${tag}${attrs}>`, fuzzHtml(rnd, depth + 1), close);
      }
    } else out.push(pick(WORDS));
  }
  return out.join("");
}

function fuzzFeed(items: number, seed: number): string {
  const rnd = seededRandom(seed);
  const esc = (s: string) => s.replace(/]]>/g, "]]]]><![CDATA[>");
  const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>fuzz</title><link>https://news.example.org/</link>'];
  for (let i = 0; i < items; i++) {
    const title = rnd() < 0.1 ? "" : rnd() < 0.2 ? "*Breaking*: &lt;b&gt;news&lt;/b&gt; _now_" : `Story ${i} about the border`;
    const lang = rnd() < 0.3 ? "<language>es-ES</language>" : "";
    const summary = rnd() < 0.5 ? `<description><![CDATA[${esc(fuzzHtml(rnd, 3))}]]></description>` : "";
    const content = rnd() < 0.9 ? `<content:encoded><![CDATA[${esc(fuzzHtml(rnd))}]]></content:encoded>` : "";
    const media =
      rnd() < 0.3
        ? '<media:content url="https://media.example.org/m.jpg" medium="image" width="800"><media:credit>Photograph: POOL/Reuters</media:credit></media:content>'
        : "";
    out.push(
      `<item><title>${xmlText(title)}</title>${rnd() < 0.9 ? `<link>https://news.example.org/s/${i}?utm_source=rss</link>` : ""}${lang}${summary}${content}${media}<pubDate>Thu, 23 Jan 2025 14:10:00 -0500</pubDate></item>`,
    );
  }
  out.push("</channel></rss>");
  return out.join("").replace("<rss ", '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/" ');
}

/** Old and new on every corpus feed, the normalize fixtures, generated feeds and fuzzed items: exits with 1 on a difference. */
async function check(mod: NormalizeModule): Promise<void> {
  const sets: Array<[string, string]> = [];
  const fixtures = join(REPO_ROOT, "test/fixtures");
  for (const dir of ["corpus", "normalize"])
    for (const f of readdirSync(join(fixtures, dir)).filter((x) => /\.(xml|rss|atom|rdf)$/i.test(x)))
      sets.push([`${dir}/${f}`, decodeBytes(readFileSync(join(fixtures, dir, f))).text]);
  sets.push(["config/sample/radiohc-en.rss", readFileSync(join(REPO_ROOT, "config/sample/radiohc-en.rss"), "utf8")]);
  for (const [fmt, seed] of [
    ["rss", 2],
    ["atom", 3],
  ] as const)
    sets.push([`generated ${fmt}`, decodeBytes(generateFeed({ format: fmt, items: 300, seed })).text]);
  for (let k = 0; k < Math.ceil(fuzzItems / 500); k++) sets.push([`fuzz ${k}`, fuzzFeed(Math.min(500, fuzzItems - k * 500), 1000 + k)]);
  let entries = 0;
  let failed = 0;
  for (const [name, text] of sets) {
    let feed: Awaited<ReturnType<typeof parseFeed>>;
    try {
      feed = await parseFeed(text, { timeoutMs: 60_000 });
    } catch {
      continue;
    }
    const a = entriesWithText(mod, feed);
    const diff = firstDifference(a, entriesWithText(current, feed));
    entries += a.length;
    if (diff !== undefined) {
      failed++;
      console.log(`${name}: DIFFERENT: ${diff}`);
    }
  }
  console.log(`${sets.length} feeds, ${entries} entries: ${failed === 0 ? "old and new identical" : `${failed} feeds differ`}`);
  if (failed > 0) process.exitCode = 1;
}

const old = onlyNew ? undefined : await loadOld(base);
try {
  if (checkOnly && old !== undefined) await check(old.mod);
  for (const items of checkOnly ? [] : sizes) {
    const text = decodeBytes(generateFeed({ format, items, seed: 1 })).text;
    const feed = await parseFeed(text, { timeoutMs: 600_000 });
    const runNew = () => entriesWithText(current, feed);
    if (old === undefined) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) runNew();
      console.log(`${items} items: new ${((performance.now() - t) / reps).toFixed(1)} ms per run (mean of ${reps})`);
      continue;
    }
    const runOld = () => entriesWithText(old.mod, feed);
    const diff = firstDifference(runOld(), runNew());
    console.log(`${items} ${format} items: ${diff === undefined ? "old and new entries identical" : `DIFFERENT: ${diff}`}`);
    const med = await interleaved(
      reps,
      {
        parse: () => new Parser().parseString(text),
        old: runOld,
        new: runNew,
      },
      { cpu: true },
    );
    const r = (x: number) => (x / med.parse!).toFixed(2);
    console.log(
      `  rss-parser ${med.parse!.toFixed(1)} ms | old (${base}) ${med.old!.toFixed(1)} ms = ${r(med.old!)}x | new ${med.new!.toFixed(1)} ms = ${r(med.new!)}x | speed-up ${(med.old! / med.new!).toFixed(2)}x`,
    );
  }
} finally {
  old?.cleanup();
}
