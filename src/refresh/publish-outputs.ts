import { join } from "node:path";
import type { Store } from "../model/index.js";
import { type FeedMeta, feedUrl, type OutputFormat, renderOpml, sortNewestFirst, writeFileAtomic, writeOutput } from "../write/index.js";
import type { OutputPlan } from "./plan-outputs.js";

export interface PublishOptions {
  feedsDir: string;
  baseUrl: string;
  formats: OutputFormat[];
  maxItems: number;
  topicScheme: string;
  ttlMinutes?: number;
  hub?: string;
  siteTitle: string;
  /** Replaces one file; the atomic writer unless a test injects a fault. */
  writeFile?: (path: string, content: string) => boolean;
}

export interface PublishResult {
  rendered: number;
  /** Files whose bytes changed (for WebSub pings and logs). */
  changedFiles: string[];
}

export function metaFor(plan: OutputPlan, options: PublishOptions): FeedMeta {
  return {
    path: plan.path,
    title: plan.title,
    description: plan.description,
    baseUrl: options.baseUrl,
    homePage: plan.homePage ?? options.baseUrl,
    topicScheme: options.topicScheme,
    ...(options.ttlMinutes ? { ttlMinutes: options.ttlMinutes } : {}),
    ...(options.hub ? { hub: options.hub } : {}),
  };
}

/**
 * Renders the given outputs from the store (latest N each) and replaces the
 * files that changed. An output leaves the store's pending list only once all
 * its files are written, so a failure or a crash here is repaired next run.
 */
export function publishOutputs(store: Store, plans: OutputPlan[], options: PublishOptions): PublishResult {
  const changedFiles: string[] = [];
  for (const plan of plans) {
    const entries = sortNewestFirst(store.latest(plan.selector, options.maxItems));
    for (const w of writeOutput(options.feedsDir, metaFor(plan, options), entries, options.formats, options.writeFile)) {
      if (w.changed) changedFiles.push(w.path);
    }
    store.clearPending([plan.selector]);
  }
  return { rendered: plans.length, changedFiles };
}

/** feeds.opml: every feed, for one-step import into a reader. */
export function publishOpml(plans: OutputPlan[], options: PublishOptions): boolean {
  const format: OutputFormat = options.formats.includes("atom") ? "atom" : options.formats[0]!;
  const feeds = plans.map((p) => ({ title: p.title, xmlUrl: feedUrl(metaFor(p, options), format), htmlUrl: p.homePage ?? options.baseUrl, group: p.group }));
  return (options.writeFile ?? writeFileAtomic)(join(options.feedsDir, "feeds.opml"), renderOpml(options.siteTitle, feeds, new Date(0)));
}
