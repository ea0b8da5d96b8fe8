import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProjectOnce } from "../helpers/run-project.js";
import { SAMPLE_SOURCE_YAML, type TempProject, tempProject } from "../helpers/temp-project.js";

type Item = { id: string; title: string; tags: string[]; date_modified: string; _enrichment: { taxonomy_version: string } };
const items = (project: TempProject): Item[] => JSON.parse(readFileSync(join(project.feedsDir, "all.json"), "utf8")).items;

describe("a taxonomy change re-tags stored entries", () => {
  let project: TempProject;
  beforeEach(() => {
    project = tempProject(`sources:\n${SAMPLE_SOURCE_YAML}`);
  });
  afterEach(() => project.cleanup());

  it("rewrites the feeds with the new tags, same ids, updated bumped only where tags changed", async () => {
    await runProjectOnce(project);
    const before = items(project);
    const seedBefore = before.find((i) => i.title.startsWith("U.S. military sends troops"))!;
    expect(seedBefore.tags).toContain("military");

    // Disable the military topic: a user edit, no code change.
    const topicsFile = join(project.configDir, "topics.yaml");
    const yaml = readFileSync(topicsFile, "utf8");
    writeFileSync(topicsFile, yaml.replace("  - id: military\n", "  - id: military\n    enabled: false\n"));
    const report = await runProjectOnce(project);
    expect(report.results.map((r) => r.status)).toEqual(["updated"]);

    const after = items(project);
    expect(after.map((i) => i.id).sort()).toEqual(before.map((i) => i.id).sort());
    const seedAfter = after.find((i) => i.id === seedBefore.id)!;
    expect(seedAfter.tags).not.toContain("military");
    expect(seedAfter.tags).toEqual(expect.arrayContaining(["immigration", "border"]));
    expect(seedAfter._enrichment.taxonomy_version).not.toBe(seedBefore._enrichment.taxonomy_version);
    expect(seedAfter.date_modified > seedBefore.date_modified).toBe(true);
    for (const b of before) {
      const a = after.find((i) => i.id === b.id)!;
      if (a.tags.join(" ") === b.tags.join(" ")) expect(a.date_modified, a.title).toBe(b.date_modified);
    }
  });
});
