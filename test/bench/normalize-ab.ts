// A/B of the normalize stage: `normalizeFeedWithText` of a git revision
// (default HEAD) against the working tree, on generated feeds, interleaved in
// one process (medians of CPU time: on a shared machine wall time mostly
// measures the wait for a core), with rss-parser's `parseString` of the same text as
// the yardstick. Also checks that both produce the same entries.
//
//   node --import tsx test/bench/normalize-ab.ts [--base REV] [--items 100,1000] [--reps 9] [--format rss|atom]
//   node --import tsx test/bench/normalize-ab.ts --only-new --items 1000   # no A/B: for `node --cpu-prof`
//   node --import tsx test/bench/normalize-ab.ts --hash-changed   # against a revision with another content hash
//
// The old tree is `git archive REV src` unpacked into a temp folder whose
// node_modules links to this checkout's, so the old code must only need
// packages that are still installed (sanitize-html for revisions before the
// one-pass sanitizer: `npm install --no-save sanitize-html`).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Parser from "rss-parser";
import { decodeBytes } from "../../src/decode/index.js";
import type { NormalizeOptions } from "../../src/normalize/index.js";
import * as current from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";
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

const old = onlyNew ? undefined : await loadOld(base);
try {
  for (const items of sizes) {
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
