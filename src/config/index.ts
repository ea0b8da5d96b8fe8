// Config stage: reads config/feed-enricher.yaml, validates it with one schema and
// reports every problem at once. It must not read anything else (sources,
// taxonomy): later stages get small options objects built from this result.

export { configSchema } from "./config-schema.js";
export { type Config, loadConfig, validateConfig } from "./load-config.js";
