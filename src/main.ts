import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "./cli/app.js";
import type { InstanceLock } from "./cli/instance-lock.js";
import { type CliArgs, parseCliArgs, USAGE, UsageError } from "./cli/parse-args.js";
import { describeError, FeedEnricherError } from "./shared/errors.js";

/** The folder with package.json above this file: src/ when run from source, dist/bundle-… when bundled by bin/. */
function projectRoot(): string {
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "package.json"))) return dir;
  return resolve(here, "../..");
}

const PROJECT_ROOT = projectRoot();
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
  if (args.command === "version") {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    process.stdout.write(`feed-enricher ${version}\n`);
    return 0;
  }
  // Each command loads only what it uses (the HTTP server, metrics and the
  // scheduler are not needed by `run`): a one-shot command starts faster.
  // check reports a broken config or taxonomy instead of failing to build the app.
  if (args.command === "check") return (await import("./cli/check-command.js")).checkCommand(args.configPath, process.stdout);
  const [{ createLogger }, { loadConfig }, { buildApp }] = await Promise.all([
    import("./shared/logger.js"),
    import("./config/index.js"),
    import("./cli/app.js"),
  ]);
  const logger = createLogger();
  const config = loadConfig(args.configPath);
  let lock: InstanceLock | undefined;
  if (WRITER_COMMANDS.has(args.command)) {
    const [{ acquireInstanceLock }, { removeStaleTempFiles }] = await Promise.all([
      import("./cli/instance-lock.js"),
      import("./cli/remove-stale-temp-files.js"),
    ]);
    lock = await acquireInstanceLock(config.runtimeDir, {
      wait: args.wait,
      command: args.command,
      onWait: (message) => process.stderr.write(`feed-enricher: ${message}\n`),
    });
    // Holding the lock, no live writer owns a temp file: they are left from a killed write.
    const removed = removeStaleTempFiles(config.feedsDir);
    if (removed.length > 0) logger.info({ removed }, `write: removed ${removed.length} temp file(s) left by an interrupted write`);
  }
  let app: App;
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
        return await (await import("./cli/run-command.js")).runCommand(app, process.stdout);
      case "start":
        return await (await import("./cli/start-command.js")).startCommand(app, process.stdout, controller.signal);
      case "rebuild":
        return (await import("./cli/rebuild-command.js")).rebuildCommand(app, process.stdout);
      case "retag":
        return (await import("./cli/retag-command.js")).retagCommand(app, process.stdout);
      case "sources":
        return (await import("./cli/sources-command.js")).sourcesCommand(app, process.stdout, args.json);
      case "serve":
        return await (await import("./cli/serve-command.js")).serveCommand(app, process.stdout, controller.signal);
      case "tag":
        return await (await import("./cli/tag-command.js")).tagCommand(app, args.rest[0], args.json, process.stdout);
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
