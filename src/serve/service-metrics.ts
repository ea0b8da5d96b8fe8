import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** What the metrics need from a refresh result (refresh/ owns the full type). */
export interface RefreshOutcome {
  sourceId: string;
  status: string;
  durationMs: number;
  code?: string;
  newEntries?: number;
  updatedEntries?: number;
}

/**
 * Prometheus metrics of one service instance, in its own registry (no module
 * globals, so tests and several instances never share counters).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly refreshes = new Counter({
    name: "feed_enricher_refreshes_total",
    help: "Source refreshes by source, result (updated, unchanged, not-modified, failed) and error code.",
    labelNames: ["source", "result", "code"] as const,
    registers: [this.registry],
  });
  private readonly refreshSeconds = new Histogram({
    name: "feed_enricher_refresh_duration_seconds",
    help: "Time to refresh one source, fetch to store.",
    labelNames: ["result"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly entries = new Counter({
    name: "feed_enricher_entries_seen_total",
    help: "Entries stored by a refresh: new ones and changed ones.",
    labelNames: ["source", "kind"] as const,
    registers: [this.registry],
  });
  private readonly published = new Counter({
    name: "feed_enricher_files_published_total",
    help: "Output files replaced because their bytes changed.",
    registers: [this.registry],
  });
  private readonly skips = new Counter({
    name: "feed_enricher_schedule_skips_total",
    help: "Scheduled ticks skipped: overlap (still refreshing), backoff (after failures), min-interval (the source asked to wait).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  private readonly hubPings = new Counter({
    name: "feed_enricher_websub_pings_total",
    help: "WebSub publish pings by result.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: "feed_enricher_http_requests_total",
    help: "HTTP requests served, by method and status code.",
    labelNames: ["method", "status"] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "feed_enricher_" });
  }

  recordRefresh(r: RefreshOutcome): void {
    this.refreshes.inc({ source: r.sourceId, result: r.status, code: r.code ?? "" });
    this.refreshSeconds.observe({ result: r.status }, r.durationMs / 1000);
    if (r.newEntries) this.entries.inc({ source: r.sourceId, kind: "new" }, r.newEntries);
    if (r.updatedEntries) this.entries.inc({ source: r.sourceId, kind: "updated" }, r.updatedEntries);
  }

  recordPublished(files: number): void {
    if (files > 0) this.published.inc(files);
  }

  recordSkip(reason: string): void {
    this.skips.inc({ reason });
  }

  recordHubPings(ok: number, failed: number): void {
    if (ok > 0) this.hubPings.inc({ result: "ok" }, ok);
    if (failed > 0) this.hubPings.inc({ result: "failed" }, failed);
  }
}
