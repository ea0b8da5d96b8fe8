import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp } from "./cli/app.js";
import { checkCommand } from "./cli/check-command.js";
import { acquireInstanceLock, type InstanceLock } from "./cli/instance-lock.js";
import { type CliArgs, parseCliArgs, USAGE, UsageError } from "./cli/parse-args.js";
import { rebuildCommand } from "./cli/rebuild-command.js";
import { removeStaleTempFiles } from "./cli/remove-stale-temp-files.js";
import { retagCommand } from "./cli/retag-command.js";
import { runCommand } from "./cli/run-command.js";
import { serveCommand } from "./cli/serve-command.js";
import { sourcesCommand } from "./cli/sources-command.js";
import { startCommand } from "./cli/start-command.js";
import { tagCommand } from "./cli/tag-command.js";
import { loadConfig } from "./config/index.js";
import { describeError, FeedEnricherError } from "./shared/errors.js";
import { createLogger } from "./shared/logger.js";

const PROJECT_ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const DEFAULT_CONFIG = resolve(PROJECT_ROOT, "config/feed-enricher.yaml");
/** Commands that write the store or the feeds folder: one instance at a time. */
const WRITER_COMMANDS = new Set(["run", "start", "rebuild", "retag"]);

/** Composition root: parse the arguments, load the config, build the parts, run a command. */
async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv, process.env, DEFAULT_CONFIG);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`feed-enricher: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  // check reports a broken config or taxonomy instead of failing to build the app.
  if (args.command === "check") return checkCommand(args.configPath, process.stdout);
  const logger = createLogger();
  const config = loadConfig(args.configPath);
  let lock: InstanceLock | undefined;
  if (WRITER_COMMANDS.has(args.command)) {
    lock = await acquireInstanceLock(config.runtimeDir, {
      wait: args.wait,
      command: args.command,
      onWait: (message) => process.stderr.write(`feed-enricher: ${message}\n`),
    });
    // Holding the lock, no live writer owns a temp file: they are left from a killed write.
    const removed = removeStaleTempFiles(config.feedsDir);
    if (removed.length > 0) logger.info({ removed }, `write: removed ${removed.length} temp file(s) left by an interrupted write`);
  }
  let app: ReturnType<typeof buildApp>;
  try {
    app = buildApp(config, logger);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    switch (args.command) {
      case "run":
        return await runCommand(app, process.stdout);
      case "start":
        return await startCommand(app, process.stdout, controller.signal);
      case "rebuild":
        return rebuildCommand(app, process.stdout);
      case "retag":
        return retagCommand(app, process.stdout);
      case "sources":
        return sourcesCommand(app, process.stdout, args.json);
      case "serve":
        return await serveCommand(app, process.stdout, controller.signal);
      case "tag":
        return await tagCommand(app, args.rest[0], args.json, process.stdout);
      default:
        process.stderr.write(`feed-enricher: "${args.command}" is not available yet\n`);
        return 2;
    }
  } finally {
    app.close();
    lock?.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A refresh abandoned after the shutdown grace period may still hold a socket
    // open until its fetch timeout: exit anyway (the timer does not keep the process alive).
    setTimeout(() => process.exit(), 2000).unref();
  },
  (error: unknown) => {
    if (error instanceof FeedEnricherError) {
      process.stderr.write(`feed-enricher: ${error.message}\n`);
    } else {
      const { message } = describeError(error);
      process.stderr.write(`feed-enricher: ${message}\n${error instanceof Error ? (error.stack ?? "") : ""}\n`);
    }
    process.exitCode = 1;
  },
);
