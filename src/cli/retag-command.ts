import { tagEntry } from "../enrich/index.js";
import type { Entry } from "../model/index.js";
import { htmlToText } from "../normalize/index.js";
import type { App } from "./app.js";
import { plansToRender, renderPlans } from "./run-cycle.js";

export interface RetagReport {
  examined: number;
  /** Entries whose topics (ids) changed: their `updated` was bumped. */
  topicsChanged: number;
  /** Entries rewritten because only scores, matches or the taxonomy version moved. */
  refreshed: number;
}

function topicIds(e: Entry): string {
  return e.topics.map((t) => t.id).join(" ");
}

/**
 * Re-tags every stored entry with the current taxonomy, from the same input a
 * refresh uses (title + plain text of the stored content). Only entries whose
 * topics changed get a new `updated` (readers show them as updated); entries
 * whose evidence or taxonomy version alone moved are rewritten silently.
 */
export function retagStore(app: App, now: Date): RetagReport {
  const nowIso = now.toISOString();
  const changed: Entry[] = [];
  let topicsChanged = 0;
  let examined = 0;
  for (const entry of app.store.allEntries()) {
    examined++;
    const tagged = tagEntry(app.matcher, entry, htmlToText(entry.contentHtml) || entry.summary);
    if (tagged.taxonomyVersion === entry.taxonomyVersion && JSON.stringify(tagged.topics) === JSON.stringify(entry.topics)) continue;
    if (topicIds(tagged) !== topicIds(entry)) {
      tagged.updated = nowIso;
      topicsChanged++;
    }
    changed.push(tagged);
  }
  app.store.saveEntries(changed);
  return { examined, topicsChanged, refreshed: changed.length - topicsChanged };
}

/** `retag`: re-tags the store with the current taxonomy and re-renders the outputs that changed. */
export function retagCommand(app: App, out: NodeJS.WritableStream): number {
  const report = retagStore(app, app.deps.now());
  const { changedFiles, publishError } = renderPlans(app, plansToRender(app));
  out.write(
    `feed-enricher: ${report.examined} stored entr${report.examined === 1 ? "y" : "ies"} re-tagged; topics changed on ${report.topicsChanged}; ` +
      `${changedFiles.length} file(s) changed in ${app.config.feedsDir}\n`,
  );
  if (publishError) {
    out.write(`  NOT PUBLISHED [${publishError.code}]: ${publishError.message}\n`);
    return 1;
  }
  return 0;
}
