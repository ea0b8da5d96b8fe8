import { resolve } from "node:path";
import { decodeBytes } from "../decode/index.js";
import { tagEntry } from "../enrich/index.js";
import { fetchSource } from "../fetch/index.js";
import type { Entry, Source } from "../model/index.js";
import { htmlToText, normalizeFeed } from "../normalize/index.js";
import { parseFeed } from "../parse/index.js";
import type { App } from "./app.js";

/**
 * `tag FILE|URL`: runs fetch → decode → parse → normalize → enrich on one feed
 * and prints every entry with its topics and why. Touches neither the store
 * nor the feeds folder.
 */
export async function tagCommand(app: App, target: string | undefined, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  if (target === undefined) {
    out.write("feed-enricher tag: give a feed file or an http(s) URL, e.g. feed-enricher tag config/sample/radiohc-en.rss\n");
    return 2;
  }
  const isUrl = /^https?:\/\//i.test(target);
  const source: Source = {
    id: "tag",
    title: target,
    ...(isUrl ? { url: target } : { file: resolve(target) }),
    schedule: app.config.schedule.default,
    local: true,
    boilerplate: [],
  };
  const fetched = await fetchSource(source, {}, { ...app.deps.fetch, allowPrivate: true });
  if (fetched.status !== "ok") throw new Error(`fetch: ${target} answered 304 without a conditional request`);
  const decoded = decodeBytes(fetched.body, fetched.contentType);
  const feed = await parseFeed(decoded.text, { timeoutMs: app.deps.parseTimeoutMs });
  const now = app.deps.now().toISOString();
  const entries = normalizeFeed(feed, { sourceId: source.id, feedUrl: fetched.url, trackingParams: app.deps.trackingParams, boilerplate: [], now });
  const tagged: Array<{ entry: Entry; entityMs: number }> = [];
  for (const entry of entries) {
    const started = performance.now();
    const e = tagEntry(app.matcher, entry, htmlToText(entry.contentHtml) || entry.summary);
    tagged.push({ entry: e, entityMs: performance.now() - started });
  }
  if (json) {
    const items = tagged.map(({ entry: e, entityMs }) => ({
      id: e.id,
      title: e.title,
      ...(e.link ? { url: e.link } : {}),
      ...(e.language ? { language: e.language } : {}),
      topics: e.topics.map((t) => ({ id: t.id, label: t.label, iptc: t.iptcCode, score: t.score, matches: t.matches })),
      entities: e.entities,
      tag_ms: Math.round(entityMs * 10) / 10,
    }));
    out.write(`${JSON.stringify({ source: target, taxonomy_version: app.taxonomy.version, items }, null, 2)}\n`);
    return 0;
  }
  out.write(`${target}: ${tagged.length} entries, taxonomy ${app.taxonomy.version} (threshold ${app.taxonomy.threshold})\n`);
  for (const { entry: e, entityMs } of tagged) {
    out.write(`\n${e.title}\n`);
    if (e.link) out.write(`  ${e.link}\n`);
    if (e.topics.length === 0) out.write("  (no topic)\n");
    for (const t of e.topics) {
      const why = t.matches.map((m) => `"${m.phrase}" ${m.field}${m.count > 1 ? ` ×${m.count}` : ""}`).join(", ");
      out.write(`  ${t.id.padEnd(16)} ${t.score.toFixed(2).padStart(6)}  ${t.iptcCode}  ${why}\n`);
    }
    if (e.entities.length > 0) out.write(`  entities: ${e.entities.map((x) => `${x.name} (${x.kind})`).join(", ")}\n`);
    out.write(`  tagged in ${entityMs.toFixed(1)} ms\n`);
  }
  return 0;
}
