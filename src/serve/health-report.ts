import type { SourceState } from "../model/index.js";

export interface SourceHealth {
  id: string;
  status: "ok" | "failing" | "pending";
  lastSuccess: string | null;
  lastError: { code: string; message: string; at: string | null } | null;
  consecutiveFailures: number;
  nextRun: string | null;
}

export interface HealthReport {
  status: "ok" | "degraded" | "failing";
  sources: SourceHealth[];
}

/**
 * Health of the configured sources from their stored state. The service is
 * failing (HTTP 503) only when every source is failing: one dead feed must not
 * get the whole service restarted by a supervisor.
 */
export function healthReport(
  sourceIds: string[],
  states: SourceState[],
  nextRun: (id: string, state: SourceState | undefined) => Date | undefined,
): HealthReport {
  const byId = new Map(states.map((s) => [s.sourceId, s]));
  const sources = sourceIds.map((id): SourceHealth => {
    const s = byId.get(id);
    const failing = (s?.consecutiveFailures ?? 0) > 0;
    const next = nextRun(id, s);
    return {
      id,
      status: failing ? "failing" : s?.lastSuccess ? "ok" : "pending",
      lastSuccess: s?.lastSuccess ?? null,
      lastError: s?.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage ?? "", at: failing ? (s.lastFetch ?? null) : null } : null,
      consecutiveFailures: s?.consecutiveFailures ?? 0,
      nextRun: next ? next.toISOString() : null,
    };
  });
  const failing = sources.filter((s) => s.status === "failing").length;
  const status = sources.length > 0 && failing === sources.length ? "failing" : failing > 0 ? "degraded" : "ok";
  return { status, sources };
}
