// The `run` command's steps (lock, temp-file cleanup, store, refresh, render),
// in a process the crash test starts ahead of time and kills with SIGKILL at a
// random moment after "go". Starting ahead hides the seconds that loading
// TypeScript takes, so many kills fit in a short test.
import { createInterface } from "node:readline";
import { buildApp } from "../../src/cli/app.js";
import { acquireInstanceLock } from "../../src/cli/instance-lock.js";
import { removeStaleTempFiles } from "../../src/cli/remove-stale-temp-files.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";

const configFile = process.argv[2]!;
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once("line", () => resolve()));
lines.close();
const started = performance.now();
const config = loadConfig(configFile);
const lock = await acquireInstanceLock(config.runtimeDir, { wait: true, command: "run", pollMs: 10 });
removeStaleTempFiles(config.feedsDir);
const app = buildApp(config, silentLogger());
const report = await runCycle(app, app.config.sources);
app.close();
lock.release();
const failed = report.results.filter((r) => r.status === "failed").length;
process.stdout.write(`done ${Math.round(performance.now() - started)} ${failed} ${report.publishError?.code ?? "-"}\n`);
