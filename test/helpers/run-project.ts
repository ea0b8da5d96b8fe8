import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildApp } from "../../src/cli/app.js";
import { type CycleReport, runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { REPO_ROOT, type TempProject } from "./temp-project.js";

/** One `run` of the real pipeline over every source of the project's config. */
export async function runProjectOnce(project: TempProject): Promise<CycleReport> {
  const app = buildApp(loadConfig(project.configFile), silentLogger());
  try {
    return await runCycle(app, app.config.sources);
  } finally {
    app.close();
  }
}

const execFileAsync = promisify(execFile);

/**
 * One `run` of bin/feed-enricher.js as a child process (the bundle, with its
 * worker threads, which the sources vitest runs do not have): its stdout,
 * debug log lines included.
 */
export async function runBinOnce(configFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [join(REPO_ROOT, "bin/feed-enricher.js"), "run", "--config", configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "debug", ...env },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
