import { buildApp } from "../../src/cli/app.js";
import { type CycleReport, runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import type { TempProject } from "./temp-project.js";

/** One `run` of the real pipeline over every source of the project's config. */
export async function runProjectOnce(project: TempProject): Promise<CycleReport> {
  const app = buildApp(loadConfig(project.configFile), silentLogger());
  try {
    return await runCycle(app, app.config.sources);
  } finally {
    app.close();
  }
}
