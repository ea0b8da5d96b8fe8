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
}

/** Each configured source's state as the store has it, in config order. */
export function sourceReports(app: App): SourceReport[] {
  const states = new Map(app.store.listSourceStates().map((s) => [s.sourceId, s]));
  return app.config.sources.map((source) => {
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
}

/** `sources`: read-only; safe while another instance is running. */
export function sourcesCommand(app: App, out: NodeJS.WritableStream, json: boolean): number {
  const reports = sourceReports(app);
  if (json) {
    out.write(`${JSON.stringify(reports, null, 2)}\n`);
    return 0;
  }
  for (const r of reports) {
    const status = r.lastError ? `FAILING x${r.consecutiveFailures}` : r.lastSuccess ? "ok" : "never fetched";
    out.write(`${r.id}  [${status}]  ${r.entries} entr${r.entries === 1 ? "y" : "ies"}\n`);
    out.write(`  ${r.location}\n`);
    out.write(`  last success: ${r.lastSuccess ?? "never"}   last fetch: ${r.lastFetch ?? "never"}\n`);
    if (r.lastError) out.write(`  last error [${r.lastError.code}]: ${r.lastError.message}\n`);
    out.write(`  next due: ${r.nextDue ?? "on its schedule"}\n`);
  }
  return 0;
}
