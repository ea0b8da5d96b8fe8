// Serve stage: the HTTP side of the service (fastify): the feeds folder with
// strong ETags, 304s, compression and Cache-Control, `/healthz`, `/metrics`,
// and WebSub publish pings. It must not refresh sources or render feeds.

export { CONTENT_TYPES, contentTypeFor } from "./content-types.js";
export { CONTENT_SECURITY_POLICY, createServer, listen, ServeError, type ServerOptions } from "./create-server.js";
export { type HealthReport, healthReport, type SourceHealth } from "./health-report.js";
export { type HubPingOptions, pingHub } from "./ping-hub.js";
export { type RefreshOutcome, ServiceMetrics } from "./service-metrics.js";
export { noneMatchHits, StrongEtags } from "./strong-etags.js";
