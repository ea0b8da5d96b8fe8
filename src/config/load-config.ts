import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import type { Source } from "../model/index.js";
import { ConfigError } from "../shared/errors.js";
import { configSchema, type ParsedConfig } from "./config-schema.js";

/** The validated config with every path made absolute and every source complete. */
export interface Config extends Omit<ParsedConfig, "sources"> {
  configFile: string;
  /** Absolute path of the taxonomy file. */
  taxonomyFile: string;
  sources: Source[];
  /**
   * Ids of the sources listed with `enabled: false`: paused, not removed, so
   * their stored entries are kept (see docs/storage.md).
   */
  disabledSourceIds?: string[];
}

/** `sources[1].url` from a zod path. */
function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(top level)" : out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key (remove it or check its spelling)`).join("\n  ");
    case "invalid_type":
      return `${where}: expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case "invalid_value":
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(issue.input)}`;
    case "too_small":
    case "too_big": {
      const msg = issue.message.startsWith("expected") ? issue.message : `${issue.message.replace(/^Too (small|big): /, "")}`;
      return `${where}: ${msg}, got ${describeValue(issue.input)}`;
    }
    default: {
      const got = issue.message.includes(", got ") ? "" : `, got ${describeValue(issue.input)}`;
      return `${where}: ${issue.message}${got}`;
    }
  }
}

/** Validates already-parsed YAML. Every problem is reported at once. */
export function validateConfig(data: unknown, configFile: string): Config {
  const result = configSchema.safeParse(data ?? {}, { reportInput: true });
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(formatIssue(issue));
  } else {
    const seen = new Set<string>();
    result.data.sources.forEach((s, i) => {
      if (seen.has(s.id)) problems.push(`sources[${i}].id: expected a unique id, got ${JSON.stringify(s.id)} a second time`);
      seen.add(s.id);
    });
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(configFile, problems);

  const baseDir = dirname(configFile);
  const parsed = result.data;
  const root = resolve(baseDir, "..");
  const sources: Source[] = parsed.sources
    .filter((s) => s.enabled)
    .map((s) => ({
      id: s.id,
      title: s.title ?? s.id,
      ...(s.url !== undefined ? { url: s.url } : {}),
      ...(s.file !== undefined ? { file: isAbsolute(s.file) ? s.file : resolve(baseDir, s.file) } : {}),
      schedule: s.schedule ?? parsed.schedule.default,
      local: s.local || s.file !== undefined,
      boilerplate: s.boilerplate,
      ...(s.language !== undefined ? { language: s.language } : {}),
    }));

  return {
    ...parsed,
    configFile,
    publicBaseUrl: parsed.publicBaseUrl.endsWith("/") ? parsed.publicBaseUrl : `${parsed.publicBaseUrl}/`,
    // Runtime and output folders are relative to the project (the config folder's parent).
    runtimeDir: isAbsolute(parsed.runtimeDir) ? parsed.runtimeDir : resolve(root, parsed.runtimeDir),
    feedsDir: isAbsolute(parsed.feedsDir) ? parsed.feedsDir : resolve(root, parsed.feedsDir),
    taxonomyFile: isAbsolute(parsed.taxonomy) ? parsed.taxonomy : resolve(baseDir, parsed.taxonomy),
    sources,
    disabledSourceIds: parsed.sources.filter((s) => !s.enabled).map((s) => s.id),
  };
}

/** Reads and validates the config file; throws ConfigError listing every problem. */
export function loadConfig(file: string): Config {
  const configFile = resolve(file);
  if (!existsSync(configFile)) {
    throw new ConfigError(configFile, [`(file): not found; pass --config PATH or set FEED_ENRICHER_CONFIG`]);
  }
  const doc = parseDocument(readFileSync(configFile, "utf8"), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      configFile,
      doc.errors.map((e) => `(yaml) line ${e.linePos?.[0]?.line ?? "?"}: ${e.message.split("\n")[0]}`),
    );
  }
  return validateConfig(doc.toJS(), configFile);
}
