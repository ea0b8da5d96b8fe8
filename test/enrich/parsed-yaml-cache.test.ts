import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadTaxonomy } from "../../src/enrich/index.js";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
const TOPICS = resolve(REPO_ROOT, "config/topics.yaml");
const IPTC = resolve(REPO_ROOT, "config/iptc/mediatopic.json");
const SCHEME = "http://127.0.0.1:8080/topics/";

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fe-yaml-cache-"));
  cacheDir = join(dir, "runtime", "cache");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the shipped taxonomy in the temp folder, with `edit` applied to its text. */
function topicsFile(edit: (text: string) => string = (t) => t): string {
  const file = join(dir, "topics.yaml");
  writeFileSync(file, edit(readFileSync(TOPICS, "utf8")));
  return file;
}

describe("the parsed taxonomy kept in the runtime folder", () => {
  it("gives the same taxonomy as parsing the YAML, on the first start and on the next", () => {
    const file = topicsFile();
    const parsed = loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC });
    const first = loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    const next = loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir });
    expect(first).toEqual(parsed);
    expect(next).toEqual(parsed);
  });

  it("is what the next start reads, and an edited file is parsed again rather than served stale", () => {
    const file = topicsFile();
    loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir });
    // The copy is read: a label changed in it (and only there) comes back.
    const [copy] = readdirSync(cacheDir);
    const doc = JSON.parse(readFileSync(join(cacheDir, copy!), "utf8")) as { topics: Array<{ label: string }> };
    doc.topics[0]!.label = "Read from the copy";
    writeFileSync(join(cacheDir, copy!), JSON.stringify(doc));
    expect(loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir }).topics[0]!.label).toBe("Read from the copy");
    // Editing the YAML changes the key: the edit shows, and the old copy is removed.
    const firstLabel = loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC }).topics[0]!.label;
    topicsFile((t) => t.replace(`label: ${firstLabel}`, "label: Edited in the YAML"));
    expect(loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir }).topics[0]!.label).toBe("Edited in the YAML");
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(readdirSync(cacheDir)[0]).not.toBe(copy);
  });

  it("still loads when the runtime folder cannot hold the copy, or the copy is damaged", () => {
    const file = topicsFile();
    const parsed = loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC });
    // A file where the cache folder should be.
    writeFileSync(join(dir, "blocked"), "not a folder");
    expect(loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir: join(dir, "blocked", "cache") })).toEqual(parsed);
    loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir });
    const [copy] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, copy!), '{"topics": [');
    expect(loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir })).toEqual(parsed);
  });

  it("reports a YAML syntax error as before, and caches nothing for it", () => {
    const file = topicsFile((t) => `${t}\n  - id: [unclosed\n`);
    expect(() => loadTaxonomy(file, { scheme: SCHEME, iptcFile: IPTC, cacheDir })).toThrow(/\(yaml\)/);
    expect(() => readdirSync(cacheDir)).toThrow();
  });
});
