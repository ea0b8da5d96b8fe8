import type { Source } from "../model/index.js";
import { type RefreshDeps, type RefreshResult, refreshSource } from "./refresh-source.js";

export interface CycleOptions {
  /** Sources refreshed at the same time. */
  concurrency: number;
}

function hostOf(source: Source): string {
  if (source.url === undefined) return `file:${source.id}`;
  try {
    return new URL(source.url).host;
  } catch {
    return source.url;
  }
}

/**
 * Refreshes the sources with a concurrency limit and one request at a time per
 * host (politeness). One failing source never stops the others.
 */
export async function refreshSources(sources: Source[], deps: RefreshDeps, options: CycleOptions): Promise<RefreshResult[]> {
  const results: RefreshResult[] = new Array(sources.length);
  const hostBusy = new Map<string, Promise<void>>();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < sources.length) {
      const index = next++;
      const source = sources[index]!;
      const host = hostOf(source);
      const before = hostBusy.get(host) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      hostBusy.set(
        host,
        before.then(() => mine),
      );
      await before;
      try {
        results[index] = await refreshSource(source, deps);
      } finally {
        release();
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, sources.length) }, worker));
  return results;
}
