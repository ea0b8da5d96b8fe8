import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProjectOnce } from "../helpers/run-project.js";
import { SAMPLE_SOURCE_YAML, type TempProject, tempProject } from "../helpers/temp-project.js";

// Whole-feed golden files of the bundled sample: any change to what readers
// receive shows up here as a diff. Regenerate on purpose with
//   UPDATE_GOLDEN=1 npx vitest run test/golden
const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "files");
const OUTPUTS = ["all.rss", "all.atom", "all.json", "topics/immigration.rss", "topics/immigration.atom", "topics/immigration.json", "feeds.opml"];

describe("golden outputs of the sample source", () => {
  let project: TempProject;
  beforeAll(async () => {
    project = tempProject(`sources:\n${SAMPLE_SOURCE_YAML}`);
    await runProjectOnce(project);
  });
  afterAll(() => project.cleanup());

  for (const output of OUTPUTS) {
    it(`${output} matches its golden file byte for byte`, () => {
      const actual = readFileSync(join(project.feedsDir, output), "utf8");
      const golden = join(GOLDEN_DIR, output.replace("/", "__"));
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(golden)) {
        if (process.env.CI === "true" && !existsSync(golden)) throw new Error(`${golden} is missing; run UPDATE_GOLDEN=1 npx vitest run test/golden`);
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(golden, actual);
      }
      expect(actual).toBe(readFileSync(golden, "utf8"));
    });
  }
});
