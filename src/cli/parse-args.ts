import { parseArgs } from "node:util";

export const COMMANDS = ["start", "run", "serve", "tag", "check", "rebuild", "retag", "sources", "help", "version"] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CliArgs {
  command: CommandName;
  configPath: string;
  /** Positional arguments after the command (e.g. the FILE|URL of `tag`). */
  rest: string[];
  json: boolean;
  wait: boolean;
}

export const USAGE = `feed-enricher: turns news feeds into clean, topic-tagged RSS, Atom and JSON feeds

Usage: feed-enricher <command> [options]

Commands:
  start            refresh every source now, then on each source's schedule; serve the feeds over HTTP
  run              refresh every source once, write the feeds, exit (non-zero if any source failed)
  serve            serve the feeds folder over HTTP without refreshing
  tag FILE|URL     print every entry of a feed with its topics and why
  check            lint the config and the topic taxonomy
  rebuild          re-render every output from the store
  retag            re-tag stored entries with the current taxonomy and re-render
  sources          list each source's state (last success, last error, next due, entries)
  help             show this help
  version          print the version

Options:
  --config PATH    config file (default: $FEED_ENRICHER_CONFIG or config/feed-enricher.yaml)
  --json           machine-readable output (tag, sources)
  --wait           wait for another running instance to release the store instead of refusing
  -h, --help       show this help
  -V, --version    print the version
`;

export class UsageError extends Error {}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv, defaultConfig: string): CliArgs {
  let parsed: ReturnType<
    typeof parseArgs<{
      args: string[];
      allowPositionals: true;
      options: {
        config: { type: "string"; short: "c" };
        json: { type: "boolean"; default: false };
        wait: { type: "boolean"; default: false };
        help: { type: "boolean"; short: "h"; default: false };
        version: { type: "boolean"; short: "V"; default: false };
      };
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        json: { type: "boolean", default: false },
        wait: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "V", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [first, ...rest] = parsed.positionals;
  const command = parsed.values.help ? "help" : parsed.values.version ? "version" : (first ?? "help");
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);
  return {
    command: command as CommandName,
    configPath: parsed.values.config ?? env.FEED_ENRICHER_CONFIG ?? defaultConfig,
    rest,
    json: parsed.values.json ?? false,
    wait: parsed.values.wait ?? false,
  };
}
