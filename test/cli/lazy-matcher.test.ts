import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { REPO_ROOT, type TempProject, tempProject } from "../helpers/temp-project.js";

// The taxonomy is compiled for tagging only when an entry needs tags: a
// scheduled run where every source is unchanged never pays for it.

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function project(): { project: TempProject; feed: string } {
  const project = tempProject("");
  const feed = join(project.root, "feed.xml");
  copyFileSync(join(REPO_ROOT, "test/fixtures/corpus/feedjira__CRE.xml"), feed);
  writeFileSync(project.configFile, `publicBaseUrl: http://127.0.0.1:8080/\nruntimeDir: runtime\nfeedsDir: feeds\nsources:\n  - id: cre\n    file: ${feed}\n`);
  cleanups.push(project.cleanup);
  return { project, feed };
}

function appWithLog(configFile: string) {
  const lines: Array<{ msg: string }> = [];
  const logger = pino({ level: "debug", base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  const app = buildApp(loadConfig(configFile), logger);
  cleanups.push(() => app.close());
  const compiles = () => lines.filter((l) => l.msg.includes("taxonomy is compiled")).length;
  return { app, compiles };
}

describe("the matcher is compiled when first needed", () => {
  it("once for a run that tags, never for a run where nothing changed", async () => {
    const { project: p } = project();
    const first = appWithLog(p.configFile);
    const report = await runCycle(first.app, first.app.config.sources);
    expect(report.results.map((r) => r.status)).toEqual(["updated"]);
    expect(first.compiles()).toBe(1);
    first.app.close();

    // A new process (a cron-driven `run`): the same bytes, nothing to tag.
    const second = appWithLog(p.configFile);
    const again = await runCycle(second.app, second.app.config.sources);
    expect(again.results.map((r) => r.status)).toEqual(["unchanged"]);
    expect(second.compiles()).toBe(0);
    // The tags it would give are the ones stored: reading the matcher compiles it then.
    expect(second.app.matcher.taxonomy.version).toBe(second.app.taxonomy.version);
    expect(second.compiles()).toBe(1);
  });
});
