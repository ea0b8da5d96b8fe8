import { dirname, join } from "node:path";
import type { Entry, Store } from "../model/index.js";
import {
  type FeedMeta,
  feedUrl,
  INDEX_STYLESHEET,
  type OutputFormat,
  renderIndexPage,
  renderOpml,
  renderOutput,
  sortNewestFirst,
  syncDir,
  writeFileAtomic,
  writeFileAtomicAsync,
  writeOutput,
} from "../write/index.js";
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
  /** Each source's site (source id → home page), for entries of a feed that spans sources that have no link of their own. */
  sourceHomePages?: Readonly<Record<string, string>>;
  /** Replaces one file; the atomic writer unless a test injects a fault. */
  writeFile?: (path: string, content: string | Buffer) => boolean;
}

export interface PublishResult {
  rendered: number;
  /** Files whose bytes changed (for WebSub pings and logs). */
  changedFiles: string[];
  /** The entries written to all.*, when that output was rendered. */
  allEntries?: Entry[];
  /** Outputs the other renderer (publishOutputsAsync's worker thread) wrote. */
  renderedElsewhere?: number;
}

export function metaFor(plan: OutputPlan, options: PublishOptions): FeedMeta {
  return {
    path: plan.path,
    title: plan.title,
    description: plan.description,
    baseUrl: options.baseUrl,
    homePage: plan.homePage ?? options.baseUrl,
    topicScheme: options.topicScheme,
    ...(options.sourceHomePages ? { sourceHomePages: options.sourceHomePages } : {}),
    ...(options.ttlMinutes ? { ttlMinutes: options.ttlMinutes } : {}),
    ...(options.hub ? { hub: options.hub } : {}),
  };
}

/**
 * Renders the given outputs from the store (latest N each) and replaces the
 * files that changed. An output leaves the store's pending list only once all
 * its files are written, so a failure or a crash here is repaired next run.
 */
export function publishOutputs(
  store: Store,
  plans: OutputPlan[],
  options: PublishOptions,
  /**
   * Writes what is derived from these outputs (the index page) before they
   * leave the pending list, so a crash in between repeats both next run.
   */
  derived?: (allEntries: Entry[] | undefined) => string[],
): PublishResult {
  const changedFiles: string[] = [];
  // Each folder is fsynced once, after its last rename, rather than once per
  // file; an output leaves the pending list only after that.
  const renamedIn = new Set<string>();
  const writeFile = options.writeFile ?? ((path: string, content: string | Buffer) => writeFileAtomic(path, content, { deferDirSync: renamedIn }));
  const written: OutputPlan["selector"][] = [];
  let allEntries: Entry[] | undefined;
  try {
    for (const plan of plans) {
      const entries = sortNewestFirst(store.latest(plan.selector, options.maxItems));
      if (plan.selector.kind === "all") allEntries = entries;
      for (const w of writeOutput(options.feedsDir, metaFor(plan, options), entries, options.formats, writeFile)) {
        if (w.changed) changedFiles.push(w.path);
      }
      written.push(plan.selector);
    }
    for (const dir of renamedIn) syncDir(dir);
    renamedIn.clear();
    if (derived !== undefined) changedFiles.push(...derived(allEntries));
  } finally {
    for (const dir of renamedIn) syncDir(dir);
    if (written.length > 0) store.clearPending(written);
  }
  return { rendered: plans.length, changedFiles, ...(allEntries !== undefined ? { allEntries } : {}) };
}

/**
 * Outputs rendered ahead of their writes at most: each holds its files' text
 * (a few hundred KB per format) until the pool has written them.
 */
const OUTPUTS_IN_FLIGHT = 4;

/** What one renderer of a cycle did: outputs are claimed from a shared counter, so two renderers can split a cycle's outputs. */
export interface RenderShare {
  /** Files whose bytes changed, by plan index. */
  changed: Array<[number, string[]]>;
  /** Indexes of the plans whose files were all written. */
  written: number[];
  /** Folders with renames not yet fsynced. */
  renamedIn: string[];
  /** The entries of all.*, when this renderer rendered it. */
  allEntries?: Entry[];
  /** The first failure; no further output was claimed after it. */
  error?: unknown;
}

/**
 * Renders the outputs whose indexes `claimNext` hands out (until it returns
 * one past the last plan) and writes their files on libuv's thread pool while
 * the next output renders: with a thousand sources a cycle writes three
 * thousand files, and each fsync used to make the renderer wait for the disk.
 * Each file is still replaced atomically (temp file, fsync, rename). Never
 * throws: a failure ends the claiming, the writes in flight finish, and the
 * error is returned. It neither fsyncs folders nor clears pending outputs:
 * the caller does both once every renderer is done.
 */
export async function renderShare(store: Store, plans: OutputPlan[], options: PublishOptions, claimNext: () => number): Promise<RenderShare> {
  const renamedIn = new Set<string>();
  const share: RenderShare = { changed: [], written: [], renamedIn: [] };
  const inFlight = new Set<Promise<void>>();
  try {
    // After a failure nothing more is claimed: what is left stays for the other renderer.
    while (share.error === undefined) {
      const index = claimNext();
      if (index >= plans.length) break;
      const plan = plans[index]!;
      const entries = sortNewestFirst(store.latest(plan.selector, options.maxItems));
      if (plan.selector.kind === "all") share.allEntries = entries;
      const files = renderOutput(options.feedsDir, metaFor(plan, options), entries, options.formats);
      const job: Promise<void> = Promise.all(files.map((f) => writeFileAtomicAsync(f.path, f.content, { deferDirSync: renamedIn }))).then(
        (changed) => {
          share.changed.push([index, files.filter((_, i) => changed[i]).map((f) => f.path)]);
          share.written.push(index);
        },
        (error: unknown) => {
          share.error ??= error;
        },
      );
      const tracked = job.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= OUTPUTS_IN_FLIGHT) await Promise.race(inFlight);
    }
  } catch (error) {
    share.error ??= error;
  }
  await Promise.all(inFlight);
  share.renamedIn = [...renamedIn];
  return share;
}

/** Another renderer (a worker thread) taking outputs from the same counter. */
export interface SharedRendering {
  claimNext: () => number;
  /** Its share, once all its writes are done. */
  others: Promise<RenderShare>;
  /**
   * Stops it when this thread claimed every output: it has none to write,
   * and waiting for its reply would wait for its start (a small cycle's
   * outputs are all rendered before a worker thread is up).
   */
  release?: () => void;
}

/**
 * publishOutputs with the files written on the thread pool while the next
 * outputs render (renderShare), optionally sharing the outputs with another
 * renderer. Every folder is fsynced once after its last rename, and the
 * outputs leave the pending list only after that and after `derived`, as in
 * publishOutputs; changed files are listed in plan order. Outputs the other
 * renderer claimed but did not write (it failed or died) are rendered here.
 * A test's injected `writeFile` is synchronous: then this is publishOutputs.
 */
export async function publishOutputsAsync(
  store: Store,
  plans: OutputPlan[],
  options: PublishOptions,
  derived?: (allEntries: Entry[] | undefined) => string[],
  shared?: SharedRendering,
): Promise<PublishResult> {
  if (options.writeFile !== undefined && shared === undefined) return publishOutputs(store, plans, options, derived);
  let next = 0;
  let claimedHere = 0;
  const claimNext = (): number => {
    const index = shared !== undefined ? shared.claimNext() : next++;
    if (index < plans.length) claimedHere++;
    return index;
  };
  const mine = await renderShare(store, plans, options, claimNext);
  const shares = [mine];
  const syncDirs = new Set(mine.renamedIn);
  // Claims are unique: when this thread claimed them all, the other renderer holds none.
  if (shared !== undefined && claimedHere === plans.length && shared.release !== undefined) shared.release();
  else if (shared !== undefined) {
    const others = await shared.others;
    shares.push({ ...others, error: undefined });
    for (const dir of others.renamedIn) syncDirs.add(dir);
    if (others.error !== undefined) {
      // The other renderer failed or died, possibly after claiming outputs it
      // never wrote, and a dead one cannot say where it renamed files: this
      // thread renders what is missing (its own failure, if any, is what is
      // reported) and fsyncs every folder the outputs live in.
      for (const plan of plans) syncDirs.add(dirname(join(options.feedsDir, plan.path)));
      if (mine.error === undefined) {
        const done = new Set(shares.flatMap((s) => s.written));
        const missing = plans.flatMap((_, i) => (done.has(i) ? [] : [i]));
        let k = 0;
        const retry = await renderShare(store, plans, options, () => missing[k++] ?? plans.length);
        shares.push(retry);
        for (const dir of retry.renamedIn) syncDirs.add(dir);
      } else shares[1] = others;
    }
  }
  const allEntries = shares.find((s) => s.allEntries !== undefined)?.allEntries;
  try {
    for (const dir of syncDirs) syncDir(dir);
    const failed = shares.find((s) => s.error !== undefined);
    if (failed !== undefined) throw failed.error;
    const changedFiles = shares
      .flatMap((s) => s.changed)
      .sort((a, b) => a[0] - b[0])
      .flatMap(([, files]) => files);
    if (derived !== undefined) changedFiles.push(...derived(allEntries));
    const renderedElsewhere = shares[1]?.written.length ?? 0;
    return { rendered: plans.length, changedFiles, renderedElsewhere, ...(allEntries !== undefined ? { allEntries } : {}) };
  } finally {
    const written = shares.flatMap((s) => s.written.map((i) => plans[i]!.selector));
    if (written.length > 0) store.clearPending(written);
  }
}

/** feeds.opml: every feed, for one-step import into a reader. */
export function publishOpml(plans: OutputPlan[], options: PublishOptions): boolean {
  const format: OutputFormat = options.formats.includes("atom") ? "atom" : options.formats[0]!;
  const feeds = plans.map((p) => ({ title: p.title, xmlUrl: feedUrl(metaFor(p, options), format), htmlUrl: p.homePage ?? options.baseUrl, group: p.group }));
  return (options.writeFile ?? writeFileAtomic)(join(options.feedsDir, "feeds.opml"), renderOpml(options.siteTitle, feeds, new Date(0)));
}

export interface IndexPageOptions {
  topics: Array<{ id: string; label: string }>;
  sourceTitles: Record<string, string>;
  /** Entries listed in "latest" and per topic. */
  latestCount?: number;
}

/**
 * index.html and index.css: every feed with its entry count, the latest
 * entries and a topic filter. Rendered from the store, so it is the same
 * bytes until an entry changes. Returns the files that changed.
 */
export function publishIndexPage(store: Store, plans: OutputPlan[], options: PublishOptions, page: IndexPageOptions, allEntries?: Entry[]): string[] {
  const latestCount = page.latestCount ?? 30;
  const feeds = plans.map((p) => ({ title: p.title, path: p.path, group: p.group, entryCount: store.countShown(p.selector, options.maxItems) }));
  const topicIds = new Set(plans.flatMap((p) => (p.selector.kind === "topic" ? [p.selector.topicId] : [])));
  // The page shows what all.* publishes: reuse the entries just rendered for it
  // instead of reading every topic's latest entries again.
  const published = allEntries ?? sortNewestFirst(store.latest({ kind: "all" }, options.maxItems));
  const topics = page.topics
    .filter((t) => topicIds.has(t.id))
    .map((t) => ({ id: t.id, label: t.label, entries: published.filter((e) => e.topics.some((x) => x.id === t.id)).slice(0, latestCount) }));
  const html = renderIndexPage({
    title: options.siteTitle,
    baseUrl: options.baseUrl,
    formats: options.formats,
    feeds,
    topics,
    latest: published.slice(0, latestCount),
    sourceTitles: page.sourceTitles,
  });
  const changed: string[] = [];
  const css = join(options.feedsDir, "index.css");
  if (writeFileAtomic(css, INDEX_STYLESHEET)) changed.push(css);
  const index = join(options.feedsDir, "index.html");
  if (writeFileAtomic(index, html)) changed.push(index);
  return changed;
}
