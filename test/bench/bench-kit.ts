// Small measuring tools shared by the benchmark sections: medians of
// interleaved repetitions, forced GC between runs, child processes with peak
// RSS, temp projects, and the report table.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
export const TOPICS_FILE = join(REPO_ROOT, "config/topics.yaml");

/** The real feeds of test/fixtures/corpus (RSS, RDF and Atom files; SOURCES.md says where each comes from), in name order. */
export function corpusFeedFiles(): string[] {
  const dir = join(REPO_ROOT, "test/fixtures/corpus");
  return readdirSync(dir)
    .filter((name) => /\.(xml|rss|atom|rdf)$/i.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** The labelled news items of test/fixtures/tagging/dev.jsonl (its README says where they come from). */
export function devSetItems(): Array<{ title: string; text: string; lang?: string }> {
  return readFileSync(join(REPO_ROOT, "test/fixtures/tagging/dev.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { title: string; text: string; lang?: string });
}

// A full GC before each timed run so one run's garbage is not billed to the next.
// With options, V8's gc() is an ordinary full collection. Without, it is a
// last-resort one that also deoptimizes compiled code holding weak references
// (373 deoptimizations, "reason: weak objects", across ten normalize runs of 100
// items, against 5 with options): every timed run then paid for recompiling
// what it runs, 50-100 ms of a 100-item normalize, which a running service
// never pays. docs/benchmarks.md, "The forced collection".
setFlagsFromString("--expose-gc");
const gcFn = runInNewContext("gc") as (options: { type: "major"; execution: "sync" }) => void;
export function gc(): void {
  gcFn({ type: "major", execution: "sync" });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timeMs(fn: () => unknown): Promise<number> {
  gc();
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export interface InterleaveOptions {
  /**
   * Wait this long after the forced collection before timing, as a scheduled
   * refresh starts after idle time: timed right after gc(), a 1 ms refresh
   * measures 3–4 ms of the collector's concurrent sweeping on two busy cores.
   */
  settleMs?: number;
  /**
   * Untimed runs of every contender before the timed ones: a throughput
   * figure (MB/s) is the steady state of a long-running service, not the
   * first call's JIT compilation, which process CPU time also bills.
   */
  warmup?: number;
  /**
   * Measure CPU time (user + system of this process) instead of wall time: on
   * a shared machine a run can wait for a core, and that wait says nothing
   * about the code. A contender may await (the unchanged path's refresh):
   * nothing else runs in this process meanwhile, so the CPU time is still its own.
   */
  cpu?: boolean;
}

/**
 * Runs every contender once per repetition, rotating who goes first, and
 * returns each one's median: the yardstick and our code see the same machine state.
 */
export async function interleaved(reps: number, contenders: Record<string, () => unknown>, options: InterleaveOptions = {}): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let w = 0; w < (options.warmup ?? 0); w++) for (const name of names) await contenders[name]!();
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + rep) % names.length]!;
      gc();
      if (options.settleMs) await new Promise((done) => setTimeout(done, options.settleMs));
      if (options.cpu) {
        const before = process.cpuUsage();
        await contenders[name]!();
        const used = process.cpuUsage(before);
        times[name]!.push((used.user + used.system) / 1000);
      } else {
        const t = performance.now();
        await contenders[name]!();
        times[name]!.push(performance.now() - t);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `fe-bench-${prefix}-`));
}

export interface BenchProject {
  root: string;
  configFile: string;
  feedsDir: string;
  cleanup(): void;
}

/** A throwaway project: config/feed-enricher.yaml with the given sources, the real taxonomy, its own store and feeds folder. */
export function benchProject(sourcesYaml: string, extra = ""): BenchProject {
  const root = tempDir("project");
  mkdirSync(join(root, "config"));
  const configFile = join(root, "config/feed-enricher.yaml");
  writeFileSync(
    configFile,
    `publicBaseUrl: http://127.0.0.1:8080/
runtimeDir: runtime
feedsDir: feeds
taxonomy: ${TOPICS_FILE}
fetch:
  maxBytes: 2000000000
  timeoutMs: 600000
parse:
  timeoutMs: 600000
${extra}sources:
${sourcesYaml}`,
  );
  return { root, configFile, feedsDir: join(root, "feeds"), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface ChildRun {
  code: number | null;
  /** Killed after the time limit: wallMs is then a lower bound. */
  timedOut: boolean;
  wallMs: number;
  maxRssKb: number;
  stdout: string;
  stderr: string;
}

const TIME_BIN = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** A child process, timed from spawn to exit, with its peak RSS from /usr/bin/time -v when available. */
export function runChild(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ChildRun> {
  gc();
  const [cmd, argv] = TIME_BIN ? [TIME_BIN, ["-v", ...args]] : [args[0]!, args.slice(1)];
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(cmd, argv, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            // The child leads its own process group (detached): kill the group, /usr/bin/time and node alike.
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          }, options.timeoutMs);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      let maxRssKb = m ? Number(m[1]) : Number.NaN;
      if (Number.isNaN(maxRssKb)) {
        const printed = /"maxRssKb":(\d+)/.exec(stdout);
        if (printed) maxRssKb = Number(printed[1]);
      }
      done({ code, timedOut, wallMs, maxRssKb, stdout, stderr });
    });
  });
}

export interface Row {
  section: string;
  measure: string;
  ours: string;
  yardstick: string;
  ratio: string;
  target: string;
  verdict: "PASS" | "FAIL" | "info" | "skip";
}

export const rows: Row[] = [];
export const notes: string[] = [];

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function fmtMb(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : "n/a";
}

/**
 * Records a ratio against a target (ratio ≤ max) and prints it at once. With
 * `lowerBound` (our run was cut short) a ratio under the target proves nothing: "skip".
 */
export function ratioRow(
  section: string,
  measure: string,
  ours: number,
  yard: number,
  max: number | undefined,
  fmt = fmtMs,
  yardName = "rss-parser",
  lowerBound = false,
): number {
  const ratio = ours / yard;
  const verdict = max === undefined ? "info" : ratio > max ? "FAIL" : lowerBound ? "skip" : "PASS";
  addRow({
    section,
    measure,
    ours: fmt(ours),
    yardstick: `${fmt(yard)} (${yardName})`,
    ratio: `${lowerBound ? "> " : ""}${ratio.toFixed(3)}x`,
    target: max === undefined ? "" : `≤ ${max}x`,
    verdict,
  });
  return ratio;
}

export function addRow(row: Row): void {
  rows.push(row);
  const line = [row.verdict.padEnd(4), row.section, "|", row.measure, "|", "ours", row.ours, "|", "yardstick", row.yardstick, "|", row.ratio, row.target].join(
    " ",
  );
  process.stdout.write(`${line}\n`);
}

export function note(text: string): void {
  notes.push(text);
  process.stdout.write(`note: ${text}\n`);
}

export function markdownTable(): string {
  const head = "| Section | Measure | Ours | Yardstick (same run) | Ratio | Target | Result |\n|---|---|---|---|---|---|---|\n";
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return (
    head +
    rows
      .map((r) => `| ${esc(r.section)} | ${esc(r.measure)} | ${esc(r.ours)} | ${esc(r.yardstick)} | ${r.ratio} | ${esc(r.target)} | ${r.verdict} |`)
      .join("\n") +
    "\n"
  );
}

/** Polls `url` until it answers (true), the child exits or `ms` pass (false). */
export async function waitForHttp(url: string, child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let exited = false;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

/** A TCP port free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/**
 * nginx serving `dir` on loopback (ETag on, keep-alive 75 s, one worker), the
 * origin of the 304 rows: a static server that answers a conditional GET from
 * its open-file cache in microseconds, as a publisher's web server or CDN
 * does. Undefined when nginx is not installed or does not start.
 */
export async function startNginxOrigin(dir: string): Promise<{ port: number; stop(): void } | undefined> {
  const bin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
  if (bin === undefined) return undefined;
  // mkdtemp makes 0700 folders; nginx workers run as an unprivileged user and must traverse them.
  chmodSync(dir, 0o755);
  const root = tempDir("unchanged-nginx");
  const prefix = join(root, "nginx");
  mkdirSync(join(prefix, "logs"), { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(prefix, "nginx.conf"),
    `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; etag on; keepalive_timeout 75s; open_file_cache max=100;
  types { application/rss+xml xml; }
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; root ${dir}; }
}
`,
  );
  writeFileSync(join(dir, "probe.xml"), "<rss/>");
  const child = spawn(bin, ["-p", prefix, "-c", join(prefix, "nginx.conf")], { stdio: "ignore" });
  const stop = () => {
    child.kill();
    rmSync(root, { recursive: true, force: true });
  };
  if (!(await waitForHttp(`http://127.0.0.1:${port}/probe.xml`, child, 5000))) {
    stop();
    return undefined;
  }
  return { port, stop };
}
