import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/temp-project.js";

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<Finished>;
}

/** Starts `node bin/feed-enricher.js ARGS` (or `node --import tsx SCRIPT ARGS`) in the repo, as a user would. */
export function startNode(args: string[], options: { script?: string } = {}): Running {
  const argv = options.script ? ["--import", "tsx", options.script, ...args] : [join(REPO_ROOT, "bin/feed-enricher.js"), ...args];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: "warn" }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  return { child, stdout: () => out, stderr: () => err, done };
}

export function runCli(args: string[]): Promise<Finished> {
  return startNode(args).done;
}

/** Resolves once `test` accepts the output so far. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
