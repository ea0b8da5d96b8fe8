import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

export interface TempProject {
  root: string;
  configDir: string;
  configFile: string;
  feedsDir: string;
  cleanup(): void;
}

/**
 * A throwaway project folder with a copy of config/ (taxonomy, IPTC, sample
 * source) and a config file of the test's own, so tests never touch the repo's
 * feeds/ or runtime folder.
 */
export function tempProject(configYaml: string): TempProject {
  const root = mkdtempSync(join(tmpdir(), "feed-enricher-test-"));
  const configDir = join(root, "config");
  cpSync(join(REPO_ROOT, "config"), configDir, { recursive: true });
  const configFile = join(configDir, "feed-enricher.yaml");
  writeFileSync(configFile, configYaml);
  return { root, configDir, configFile, feedsDir: join(root, "feeds"), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * A throwaway project whose sources are the given feed files (ids s0, s1, …),
 * for tests that run the bin as a child process; `extraYaml` adds top-level settings.
 */
export function fileSourcesProject(files: string[], extraYaml = ""): TempProject {
  const sources = files.map((file, i) => `  - id: s${i}\n    file: ${file}\n`).join("");
  return tempProject(`publicBaseUrl: http://127.0.0.1:8080/\nruntimeDir: runtime\nfeedsDir: feeds\n${extraYaml}sources:\n${sources}`);
}

/** The bundled sample source, as the default config has it. */
export const SAMPLE_SOURCE_YAML = `  - id: radiohc-sample
    title: Radio Habana Cuba (sample)
    file: sample/radiohc-en.rss
    language: en
    boilerplate:
      - "^Radio Habana Cuba$"
      - "^https?://www\\\\.radiohc\\\\.cu/\\\\S+$"
`;
