import { escapeHtml } from "./entry-view.js";

export interface OpmlFeed {
  title: string;
  xmlUrl: string;
  htmlUrl: string;
  group: string;
}

/** OPML 2.0 listing every feed, grouped, for one-step import into a reader. */
export function renderOpml(title: string, feeds: OpmlFeed[], dateCreated: Date): string {
  const groups = new Map<string, OpmlFeed[]>();
  for (const f of feeds) {
    const list = groups.get(f.group) ?? [];
    list.push(f);
    groups.set(f.group, list);
  }
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    "  <head>",
    `    <title>${escapeHtml(title)}</title>`,
    `    <dateCreated>${dateCreated.toUTCString()}</dateCreated>`,
    "  </head>",
    "  <body>",
  ];
  for (const [group, list] of groups) {
    lines.push(`    <outline text="${escapeHtml(group)}" title="${escapeHtml(group)}">`);
    for (const f of list) {
      lines.push(
        `      <outline type="rss" text="${escapeHtml(f.title)}" title="${escapeHtml(f.title)}" xmlUrl="${escapeHtml(f.xmlUrl)}" htmlUrl="${escapeHtml(f.htmlUrl)}"/>`,
      );
    }
    lines.push("    </outline>");
  }
  lines.push("  </body>", "</opml>", "");
  return lines.join("\n");
}
