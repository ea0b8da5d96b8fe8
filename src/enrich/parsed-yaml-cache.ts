import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { sha256Hex } from "../shared/hash.js";

/** A cached parse is only as good as the parser that made it: its version is part of the key. */
const YAML_VERSION = ((): string => {
  try {
    return String((createRequire(import.meta.url)("yaml/package.json") as { version: unknown }).version);
  } catch {
    return "unknown";
  }
})();

const PREFIX = "taxonomy-";

/**
 * The YAML document in `text`, parsed, through a JSON copy kept in
 * `cacheDir`. Parsing the 70 KB default taxonomy takes the yaml library
 * about 0.2 s in a fresh process (most of a command's start); JSON.parse of
 * the same data takes 2–3 ms. The copy is keyed by a hash of the text and
 * the library's version, so an edited file or another yaml version is
 * parsed again, never served stale. Failing to read or write the copy only
 * costs the parse. A syntax error throws as parse() does, and nothing is
 * cached for it.
 */
export function parsedYaml(text: string, cacheDir: string | undefined): unknown {
  if (cacheDir === undefined) return parse(text);
  const file = join(cacheDir, `${PREFIX}${sha256Hex(`yaml ${YAML_VERSION}\0${text}`).slice(0, 32)}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // Not cached yet (or the copy is unreadable): parse, and keep a copy.
  }
  const doc = parse(text);
  const json = JSON.stringify(doc);
  // Only data JSON carries whole (no .inf, .nan or other values it would change) is kept.
  if (json !== undefined && isDeepStrictEqual(JSON.parse(json), doc)) keep(cacheDir, file, json);
  return doc;
}

function keep(cacheDir: string, file: string, json: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Copies of earlier versions of the file are of no further use.
    for (const name of readdirSync(cacheDir)) {
      if (name.startsWith(PREFIX) && join(cacheDir, name) !== file) rmSync(join(cacheDir, name), { force: true });
    }
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, json);
    renameSync(tmp, file);
  } catch {
    // A read-only or full runtime folder: the next start parses again, nothing else changes.
  }
}
