import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import { compileMatcher, loadTaxonomy, type Matcher } from "../enrich/index.js";
import { ConnectionPool } from "../fetch/index.js";
import type { Store, Taxonomy } from "../model/index.js";
import { type OutputPlan, type PublishOptions, planOutputs, type RefreshDeps } from "../refresh/index.js";
import { cronIntervalSeconds } from "../schedule/index.js";
import type { Logger } from "../shared/logger.js";
import { SqliteStore } from "../store/index.js";

/** Names the product and where its operator publishes (RFC 9110 §10.1.5 product token + comment). */
export function userAgent(config: Config): string {
  return config.fetch.userAgent ?? `feed-enricher/0.1 (+${config.publicBaseUrl})`;
}

/** Everything a command needs, built once from the config. */
export interface App {
  config: Config;
  logger: Logger;
  taxonomy: Taxonomy;
  matcher: Matcher;
  store: Store;
  plans: OutputPlan[];
  publish: PublishOptions;
  deps: RefreshDeps;
  close(): void;
}

export function databaseFile(config: Config): string {
  return join(config.runtimeDir, "feed-enricher.db");
}

export interface BuildOptions {
  /** How long a store statement waits for another connection's write lock. */
  busyTimeoutMs?: number;
}

/**
 * The shortest refresh interval of any source, in seconds: outputs such as
 * all.* can change that often, so it is their RSS <ttl> and HTTP max-age.
 */
export function refreshIntervalSeconds(config: Config): number {
  const schedules = new Set([config.schedule.default, ...config.sources.map((s) => s.schedule)]);
  return Math.min(...[...schedules].map((s) => cronIntervalSeconds(s)));
}

export function buildApp(config: Config, logger: Logger, options: BuildOptions = {}): App {
  // The parsed topics file is kept in the runtime folder: a start skips the YAML parse.
  const taxonomy = loadTaxonomy(config.taxonomyFile, { scheme: `${config.publicBaseUrl}topics/`, cacheDir: join(config.runtimeDir, "cache") });
  // Compiled when first needed (about 0.3 s of CPU): a run where every source
  // answers 304 or the same bytes never tags, and one that does starts fetching sooner.
  let compiled: Matcher | undefined;
  const matcher = () => {
    if (compiled === undefined) {
      const started = performance.now();
      compiled = compileMatcher(taxonomy);
      logger.debug({ topics: taxonomy.topics.length, ms: Math.round(performance.now() - started) }, "enrich: the taxonomy is compiled for tagging");
    }
    return compiled;
  };
  const store = new SqliteStore(databaseFile(config), options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  const plans = planOutputs(config.sources, taxonomy, {
    siteTitle: config.outputs.title,
    perTopic: config.outputs.perTopic,
    perSource: config.outputs.perSource,
  });
  const publish: PublishOptions = {
    feedsDir: config.feedsDir,
    baseUrl: config.publicBaseUrl,
    formats: config.outputs.formats,
    maxItems: config.outputs.maxItems,
    topicScheme: taxonomy.scheme,
    siteTitle: config.outputs.title,
    sourceHomePages: Object.fromEntries(config.sources.flatMap((s) => (s.url ? [[s.id, new URL("/", s.url).href]] : []))),
    // RSS 2.0 <ttl> is in whole minutes.
    ttlMinutes: Math.max(1, Math.round(refreshIntervalSeconds(config) / 60)),
    ...(config.outputs.hub ? { hub: config.outputs.hub } : {}),
  };
  // Kept for the life of the app: a source on a host fetched moments ago skips the handshake.
  const pool = new ConnectionPool();
  const deps: RefreshDeps = {
    store,
    taxonomy,
    get matcher() {
      return matcher();
    },
    fetch: {
      timeoutMs: config.fetch.timeoutMs,
      connectTimeoutMs: config.fetch.connectTimeoutMs,
      maxBytes: config.fetch.maxBytes,
      maxRedirects: config.fetch.maxRedirects,
      userAgent: userAgent(config),
      allowPrivate: false,
      pool,
    },
    parseTimeoutMs: config.parse.timeoutMs,
    trackingParams: config.normalize.trackingParams,
    maxBackoffMinutes: config.schedule.maxBackoffMinutes,
    now: () => new Date(),
    logger,
  };
  return {
    config,
    logger,
    taxonomy,
    get matcher() {
      return matcher();
    },
    store,
    plans,
    publish,
    deps,
    close: () => {
      pool.close();
      store.close();
    },
  };
}

/** Outputs whose files are missing on disk (first run, or someone deleted them). */
export function missingPlans(app: App): OutputPlan[] {
  return app.plans.filter((p) => app.publish.formats.some((f) => !existsSync(join(app.publish.feedsDir, `${p.path}.${f}`))));
}
