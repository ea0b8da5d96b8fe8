import type { Entry } from "../model/index.js";
import { entryDate, escapeHtml, feedUpdated } from "./entry-view.js";
import type { OutputFormat } from "./write-outputs.js";

export interface IndexFeed {
  title: string;
  /** Path under the feeds folder without extension, e.g. `topics/immigration`. */
  path: string;
  group: string;
  /** Entries the feed holds. */
  entryCount: number;
}

export interface IndexTopic {
  id: string;
  label: string;
  /** Newest first. */
  entries: Entry[];
}

export interface IndexPageInput {
  title: string;
  /** Public base URL with a trailing slash: autodiscovery links are absolute. */
  baseUrl: string;
  formats: OutputFormat[];
  feeds: IndexFeed[];
  topics: IndexTopic[];
  /** Newest first, every topic. */
  latest: Entry[];
  sourceTitles: Record<string, string>;
}

const MEDIA_TYPES: Record<OutputFormat, string> = {
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  json: "application/feed+json",
};
const FORMAT_LABELS: Record<OutputFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };

/** The stylesheet beside index.html (the Content-Security-Policy allows styles from 'self' only). */
export const INDEX_STYLESHEET = `:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfc;--muted:#5d5d5d;--line:#d9d9d6;--accent:#0b5cad;--tag:#eef3f9}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e6;--bg:#161616;--muted:#a9a9a6;--line:#333;--accent:#7db4ff;--tag:#1f2a38}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:60rem;padding:1rem;font:1rem/1.5 system-ui,sans-serif;overflow-wrap:anywhere;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.25rem;margin-top:2rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
.muted,.meta{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.count{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.formats a{margin-right:.5rem;white-space:nowrap}
.topic-filter{display:flex;flex-wrap:wrap;gap:.4rem;margin:.75rem 0}
.topic-filter a,.tags a{display:inline-block;padding:.1rem .55rem;border-radius:1rem;background:var(--tag);text-decoration:none;font-size:.9rem}
ol.entries{list-style:none;padding:0;margin:0}
ol.entries>li{padding:.6rem 0;border-bottom:1px solid var(--line)}
.entry-title{font-weight:600}
ul.tags{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem;padding:0;margin:.3rem 0 0}
.panel{display:none}
.panel:target,#latest-all{display:block}
.panel:target~#latest-all{display:none}
@media (max-width:40rem){body{padding:.6rem}thead{display:none}table,tbody,tr,td{display:block}tr{border-bottom:1px solid var(--line);padding:.4rem 0}td{border:none;padding:.1rem 0}td.count{text-align:left}td.count::after{content:" entries"}}
`;

function topicAnchor(id: string): string {
  return `topic-${id.replace(/[^a-z0-9_-]/gi, "-")}`;
}

function isHttpUrl(s: string | undefined): s is string {
  return s !== undefined && /^https?:\/\//i.test(s);
}

function renderEntry(e: Entry, sourceTitles: Record<string, string>): string {
  const title = escapeHtml(e.title || "(untitled)");
  const heading = isHttpUrl(e.link) ? `<a class="entry-title" href="${escapeHtml(e.link)}">${title}</a>` : `<span class="entry-title">${title}</span>`;
  const date = entryDate(e);
  const source = escapeHtml(sourceTitles[e.sourceId] ?? e.sourceId);
  const tags = e.topics.map((t) => `<li><a href="#${topicAnchor(t.id)}">${escapeHtml(t.label)}</a></li>`).join("");
  return [
    "<li>",
    heading,
    `<div class="meta">${source} · <time datetime="${escapeHtml(date)}">${escapeHtml(date.slice(0, 16).replace("T", " "))} UTC</time></div>`,
    tags ? `<ul class="tags" aria-label="Topics">${tags}</ul>` : "",
    "</li>",
  ].join("");
}

function renderEntries(entries: Entry[], sourceTitles: Record<string, string>): string {
  if (entries.length === 0) return '<p class="muted">No entries yet.</p>';
  return `<ol class="entries">\n${entries.map((e) => renderEntry(e, sourceTitles)).join("\n")}\n</ol>`;
}

/**
 * index.html: every feed with its entry count and autodiscovery links
 * (HTML Living Standard, link type "alternate"), and the latest entries with
 * a topic filter that needs no JavaScript (fragment links and CSS :target).
 * Every value from a feed is escaped; the page holds no script. Deterministic:
 * the date shown is the newest entry's, never the clock's.
 */
export function renderIndexPage(input: IndexPageInput): string {
  const { baseUrl, formats } = input;
  const alternates = input.feeds.flatMap((f) =>
    formats.map(
      (fmt) =>
        `<link rel="alternate" type="${MEDIA_TYPES[fmt]}" title="${escapeHtml(`${f.title} (${FORMAT_LABELS[fmt]})`)}" href="${escapeHtml(`${baseUrl}${f.path}.${fmt}`)}">`,
    ),
  );
  const groups = new Map<string, IndexFeed[]>();
  for (const f of input.feeds) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
  const feedTables = [...groups].map(([group, feeds]) => {
    const rows = feeds.map((f) => {
      const links = formats.map((fmt) => `<a href="${escapeHtml(`${f.path}.${fmt}`)}" type="${MEDIA_TYPES[fmt]}">${FORMAT_LABELS[fmt]}</a>`).join("");
      return `<tr><td>${escapeHtml(f.title)}</td><td class="count">${f.entryCount}</td><td class="formats">${links}</td></tr>`;
    });
    return [
      `<h3>${escapeHtml(group)}</h3>`,
      '<table><thead><tr><th>Feed</th><th class="count">Entries</th><th class="formats-head">Formats</th></tr></thead><tbody>',
      ...rows,
      "</tbody></table>",
    ].join("\n");
  });
  const updated = input.latest.length > 0 ? feedUpdated(input.latest).toISOString() : undefined;
  const filter = [
    '<a href="#latest-all">All topics</a>',
    ...input.topics.map((t) => `<a href="#${topicAnchor(t.id)}">${escapeHtml(t.label)} <span class="muted">(${t.entries.length})</span></a>`),
  ].join("\n");
  const panels = input.topics.map((t) =>
    [
      `<section class="panel" id="${topicAnchor(t.id)}" data-topic="${escapeHtml(t.id)}">`,
      `<h3>${escapeHtml(t.label)}</h3>`,
      renderEntries(t.entries, input.sourceTitles),
      "</section>",
    ].join("\n"),
  );
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    '<link rel="stylesheet" href="index.css">',
    ...alternates,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="muted">News feeds, normalized and tagged with topics (IPTC Media Topics).${updated ? ` Latest change <time datetime="${updated}">${updated.slice(0, 16).replace("T", " ")} UTC</time>.` : ""} Import every feed at once: <a href="feeds.opml" type="text/x-opml">feeds.opml</a>.</p>`,
    "</header>",
    "<main>",
    '<section id="feeds">',
    "<h2>Feeds</h2>",
    ...feedTables,
    "</section>",
    '<section id="latest">',
    "<h2>Latest entries</h2>",
    `<nav class="topic-filter" aria-label="Filter by topic">\n${filter}\n</nav>`,
    ...panels,
    '<section class="panel" id="latest-all" data-topic="">',
    renderEntries(input.latest, input.sourceTitles),
    "</section>",
    "</section>",
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
