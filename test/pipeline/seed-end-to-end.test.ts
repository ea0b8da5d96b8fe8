import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Parser from "rss-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProjectOnce } from "../helpers/run-project.js";
import { SAMPLE_SOURCE_YAML, type TempProject, tempProject } from "../helpers/temp-project.js";
import { assertWellFormed } from "../helpers/xml.js";

const SEED_TITLE = "U.S. military sends troops to Mexico border amid Trump immigration crackdown";
const SEED_LINK = "https://www.radiohc.cu/en/noticias/internacionales/374817-us-military-sends-troops-to-mexico-border-amid-trump-immigration-crackdown";

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p.slice(dir.length), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

describe("the seed story through the real pipeline", () => {
  let project: TempProject;
  beforeEach(() => {
    project = tempProject(`sources:\n${SAMPLE_SOURCE_YAML}`);
  });
  afterEach(() => project.cleanup());

  it("comes out clean and tagged immigration, border and military in RSS, Atom and JSON Feed", async () => {
    const report = await runProjectOnce(project);
    expect(report.results.map((r) => r.status)).toEqual(["updated"]);

    const rss = readFileSync(join(project.feedsDir, "all.rss"), "utf8");
    const atom = readFileSync(join(project.feedsDir, "all.atom"), "utf8");
    const json = JSON.parse(readFileSync(join(project.feedsDir, "all.json"), "utf8"));
    assertWellFormed(rss);
    assertWellFormed(atom);

    // JSON Feed 1.1
    expect(json.version).toBe("https://jsonfeed.org/version/1.1");
    const seed = json.items.find((i: { title: string }) => i.title === SEED_TITLE);
    expect(seed, "seed item with a clean title").toBeDefined();
    expect(seed.url).toBe(SEED_LINK);
    expect(seed.tags).toEqual(expect.arrayContaining(["immigration", "border", "military"]));
    for (const unwanted of ["sport", "culture", "weather", "religion"]) expect(seed.tags).not.toContain(unwanted);
    const topicIds = seed._enrichment.topics.map((t: { id: string }) => t.id);
    expect(topicIds).toEqual(expect.arrayContaining(["immigration", "border", "military"]));
    const immigration = seed._enrichment.topics.find((t: { id: string }) => t.id === "immigration");
    expect(immigration.iptc.code).toBe("medtop:20000771");
    expect(immigration.matches.length).toBeGreaterThan(0);

    // RSS and Atom parse back with rss-parser and carry the topic and IPTC categories.
    const parser = new Parser();
    const rssFeed = await parser.parseString(rss);
    const rssSeed = rssFeed.items.find((i) => i.title === SEED_TITLE);
    expect(rssSeed?.link).toBe(SEED_LINK);
    expect(rss).toMatch(/<category domain="http:\/\/127\.0\.0\.1:8080\/topics\/">immigration<\/category>/);
    expect(rss).toContain('<category domain="http://cv.iptc.org/newscodes/mediatopic/">medtop:20000771</category>');
    const atomFeed = await new Parser().parseString(atom);
    expect(atomFeed.items.some((i) => i.title === SEED_TITLE)).toBe(true);
    expect(atom).toContain('<category label="Borders" scheme="http://127.0.0.1:8080/topics/" term="border"/>');
    expect(atom).toContain('<category label="immigration" scheme="http://cv.iptc.org/newscodes/mediatopic/" term="medtop:20000771"/>');

    // Per-topic and per-source outputs exist; the seed is in the immigration topic feed and not in sport.
    const topicFeed = JSON.parse(readFileSync(join(project.feedsDir, "topics/immigration.json"), "utf8"));
    expect(topicFeed.items.map((i: { title: string }) => i.title)).toContain(SEED_TITLE);
    const sport = JSON.parse(readFileSync(join(project.feedsDir, "topics/sport.json"), "utf8"));
    expect(sport.items.map((i: { title: string }) => i.title)).not.toContain(SEED_TITLE);
    expect(readFileSync(join(project.feedsDir, "sources/radiohc-sample.atom"), "utf8")).toContain(SEED_LINK);
  });

  it("writes byte-identical files on a second run from scratch", async () => {
    await runProjectOnce(project);
    const first = snapshot(project.feedsDir);
    const second = tempProject(`sources:\n${SAMPLE_SOURCE_YAML}`);
    try {
      await runProjectOnce(second);
      const again = snapshot(second.feedsDir);
      expect([...again.keys()].sort()).toEqual([...first.keys()].sort());
      for (const [path, content] of first) expect(again.get(path), path).toBe(content);
    } finally {
      second.cleanup();
    }
  });

  it("writes nothing when a second run finds nothing new", async () => {
    await runProjectOnce(project);
    const before = statSync(join(project.feedsDir, "all.rss")).mtimeMs;
    const report = await runProjectOnce(project);
    expect(report.results[0]?.status).toBe("unchanged");
    expect(report.changedFiles).toEqual([]);
    expect(statSync(join(project.feedsDir, "all.rss")).mtimeMs).toBe(before);
  });
});

describe("one failing source", () => {
  it("is reported and the others still publish", async () => {
    const project = tempProject(`sources:\n${SAMPLE_SOURCE_YAML}  - id: missing\n    file: sample/does-not-exist.rss\n`);
    try {
      const report = await runProjectOnce(project);
      const byId = Object.fromEntries(report.results.map((r) => [r.sourceId, r]));
      expect(byId["radiohc-sample"]?.status).toBe("updated");
      expect(byId.missing).toMatchObject({ status: "failed", code: "not-found" });
      if (byId.missing?.status === "failed") expect(byId.missing.message).toContain("does-not-exist.rss");
      const all = JSON.parse(readFileSync(join(project.feedsDir, "all.json"), "utf8"));
      expect(all.items.length).toBe(14);
    } finally {
      project.cleanup();
    }
  });
});
