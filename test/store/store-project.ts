import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type App, buildApp } from "../../src/cli/app.js";
import { type CycleReport, runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { type TempProject, tempProject } from "../helpers/temp-project.js";

/** One item of a generated RSS 2.0 feed. */
export interface FeedItem {
  n: number;
  title: string;
  body: string;
  date: Date;
}

// Titles that the bundled taxonomy tags with different topics, so per-topic outputs exist.
const THEMES = [
  { title: "Troops sent to the southern border as military expands patrols", body: "Soldiers and army units were deployed to the border wall." },
  { title: "Migrants face deportation under new immigration rules", body: "Immigration officials said undocumented migrants would be deported." },
  { title: "Football league final ends in a draw after extra time", body: "The football championship match went to penalties in the stadium." },
  { title: "Parliament passes budget as inflation slows economy", body: "The economy grew while inflation and unemployment fell this quarter." },
];

export function makeItems(count: number, options: { start?: number; baseDate?: Date } = {}): FeedItem[] {
  const start = options.start ?? 0;
  const base = (options.baseDate ?? new Date("2026-01-01T00:00:00Z")).getTime();
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    const theme = THEMES[n % THEMES.length]!;
    return { n, title: `${theme.title} (${n})`, body: `${theme.body} Report number ${n}.`, date: new Date(base + n * 3_600_000) };
  });
}

export function itemLink(sourceId: string, n: number): string {
  return `https://news.example.org/${sourceId}/story-${n}`;
}

/** A well-formed RSS 2.0 document; `indent` changes the bytes but not the content. */
export function rssFeed(sourceId: string, items: FeedItem[], indent = "  "): string {
  const body = items
    .map(
      (it) =>
        `${indent}<item>\n${indent}${indent}<title>${it.title}</title>\n${indent}${indent}<link>${itemLink(sourceId, it.n)}</link>\n` +
        `${indent}${indent}<guid>${itemLink(sourceId, it.n)}</guid>\n${indent}${indent}<pubDate>${it.date.toUTCString()}</pubDate>\n` +
        `${indent}${indent}<description><![CDATA[<p>${it.body}</p>]]></description>\n${indent}</item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n<title>${sourceId}</title>\n<link>https://news.example.org/${sourceId}/</link>\n<description>Test source ${sourceId}</description>\n${body}\n</channel>\n</rss>\n`;
}

export interface StoreProject extends TempProject {
  sourceFile(id: string): string;
  writeSource(id: string, items: FeedItem[], indent?: string): void;
  open(options?: { busyTimeoutMs?: number }): App;
  run(options?: { busyTimeoutMs?: number; tune?: (app: App) => void }): Promise<CycleReport>;
  dbFile: string;
}

/** A temp project whose sources are RSS files the test rewrites between runs. */
export function storeProject(sourceIds: string[], extraYaml = "", items: (id: string) => FeedItem[] = () => makeItems(10)): StoreProject {
  const sources = sourceIds.map((id) => `  - id: ${id}\n    title: Source ${id}\n    file: sources/${id}.rss\n    language: en\n`).join("");
  const project = tempProject(`${extraYaml}sources:\n${sources}`);
  const sourceFile = (id: string) => join(project.configDir, "sources", `${id}.rss`);
  const writeSource = (id: string, list: FeedItem[], indent?: string) => writeFileSync(sourceFile(id), rssFeed(id, list, indent));
  mkdirSync(join(project.configDir, "sources"), { recursive: true });
  for (const id of sourceIds) writeSource(id, items(id));
  const open = (options: { busyTimeoutMs?: number } = {}) => buildApp(loadConfig(project.configFile), silentLogger(), options);
  return {
    ...project,
    dbFile: join(project.root, ".feed-enricher", "feed-enricher.db"),
    sourceFile,
    writeSource,
    open,
    async run(options = {}) {
      const app = open(options);
      try {
        options.tune?.(app);
        return await runCycle(app, app.config.sources);
      } finally {
        app.close();
      }
    },
  };
}

/** path (relative to the feeds folder) → mtimeMs, for every file. */
export function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p.slice(dir.length + 1), st.mtimeMs);
    }
  };
  walk(dir);
  return out;
}

/** path (relative to the feeds folder) → content, for every file. */
export function contents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of mtimes(dir).keys()) out.set(p, readFileSync(join(dir, p), "utf8"));
  return out;
}

/** The item ids of a JSON Feed output. */
export function jsonIds(file: string): string[] {
  return (JSON.parse(readFileSync(file, "utf8")) as { items: Array<{ id: string }> }).items.map((i) => i.id);
}

export function jsonItems(file: string): Array<{ id: string; title: string; url: string; date_modified?: string; tags?: string[] }> {
  return JSON.parse(readFileSync(file, "utf8")).items;
}
