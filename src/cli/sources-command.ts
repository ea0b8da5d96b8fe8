import type { App } from "./app.js";

export interface SourceReport {
  id: string;
  title: string;
  location: string;
  entries: number;
  lastFetch: string | null;
  lastSuccess: string | null;
  consecutiveFailures: number;
  lastError: { code: string; message: string } | null;
  nextDue: string | null;
  /**
   * Set for a source the store still has but the config no longer lists: its
   * entries are hidden from every feed and deleted on `dropOn` unless it is added back.
   */
  removed?: { since: string; dropOn: string };
}

/**
 * Each configured source's state as the store has it, in config order, then
 * the removed sources still stored, oldest removal first.
 */
export function sourceReports(app: App): SourceReport[] {
  const states = new Map(app.store.listSourceStates().map((s) => [s.sourceId, s]));
  const graceMs = app.config.retention.removedSourceGraceDays * 86_400_000;
  const removed = app.store.removedSources().map((r): SourceReport => {
    const s = states.get(r.sourceId);
    return {
      id: r.sourceId,
      title: r.sourceId,
      location: s?.url ?? "",
      entries: r.entries,
      lastFetch: s?.lastFetch ?? null,
      lastSuccess: s?.lastSuccess ?? null,
      consecutiveFailures: s?.consecutiveFailures ?? 0,
      lastError: null,
      nextDue: null,
      removed: { since: r.removedSince, dropOn: new Date(Date.parse(r.removedSince) + graceMs).toISOString() },
    };
  });
  const configured = app.config.sources.map((source): SourceReport => {
    const s = states.get(source.id);
    return {
      id: source.id,
      title: source.title,
      location: source.url ?? source.file ?? "",
      entries: app.store.countEntries({ kind: "source", sourceId: source.id }),
      lastFetch: s?.lastFetch ?? null,
      lastSuccess: s?.lastSuccess ?? null,
      consecutiveFailures: s?.consecutiveFailures ?? 0,
      lastError: s?.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage ?? "" } : null,
      nextDue: s?.nextDue ?? null,
    };
  });
  // A removed source listed again but not refreshed yet is reported once, as configured.
  const listed = new Set(configured.map((r) => r.id));
  return [...configured, ...removed.filter((r) => !listed.has(r.id))];
}

/** `sources`: read-only; safe while another instance is running. */
export function sourcesCommand(app: App, out: NodeJS.WritableStream, json: boolean): number {
  const reports = sourceReports(app);
  if (json) {
    out.write(`${JSON.stringify(reports, null, 2)}\n`);
    return 0;
  }
  for (const r of reports) {
    if (r.removed) {
      out.write(`${r.id}  [removed]  ${r.entries} entr${r.entries === 1 ? "y" : "ies"}, hidden from every feed, will be dropped on ${r.removed.dropOn}\n`);
      out.write(`  removed from the config: ${r.removed.since}; add it back before then to keep its history\n`);
      continue;
    }
    const status = r.lastError ? `FAILING x${r.consecutiveFailures}` : r.lastSuccess ? "ok" : "never fetched";
    out.write(`${r.id}  [${status}]  ${r.entries} entr${r.entries === 1 ? "y" : "ies"}\n`);
    out.write(`  ${r.location}\n`);
    out.write(`  last success: ${r.lastSuccess ?? "never"}   last fetch: ${r.lastFetch ?? "never"}\n`);
    if (r.lastError) out.write(`  last error [${r.lastError.code}]: ${r.lastError.message}\n`);
    out.write(`  next due: ${r.nextDue ?? "on its schedule"}\n`);
  }
  return 0;
}
