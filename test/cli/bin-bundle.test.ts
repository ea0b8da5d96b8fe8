import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// bin/feed-enricher.js runs an esbuild bundle of src/ (built on first use,
// rebuilt when a source file changes) and falls back to tsx. Both paths must
// behave the same, and the bundle must still find the project's files.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin/feed-enricher.js");
const run = promisify(execFile);

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("bin/feed-enricher.js", () => {
  it("prints the same help from the bundle as through tsx, and leaves the bundle in dist/", async () => {
    const bundled = await cli(["--help"]);
    const tsx = await cli(["--help"], { FEED_ENRICHER_TSX: "1" });
    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toContain("Usage: feed-enricher");
    expect(bundled.stdout).toBe(tsx.stdout);
    const bundles = readdirSync(join(ROOT, "dist")).filter((n) => n.startsWith("bundle-"));
    expect(bundles.some((n) => existsSync(join(ROOT, "dist", n, "main.js")))).toBe(true);
  }, 60_000);

  it("finds the default config beside the project from the bundle", async () => {
    // The bundle lives in dist/bundle-…/, not src/: the project folder is found by its package.json.
    const bundled = await cli(["check"]);
    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toContain(`config ${join(ROOT, "config/feed-enricher.yaml")}`);
    expect(bundled.stdout).toContain(join(ROOT, "config/topics.yaml"));
  }, 60_000);

  it("tags a feed the same from the bundle, with the plain JavaScript libraries inside it and native modules outside", async () => {
    // Parse (rss-parser), sanitize (htmlparser2), language (franc-min), taxonomy (yaml, zod): all bundled.
    const args = ["tag", "config/sample/radiohc-en.rss", "--json"];
    const bundled = await cli(args);
    const tsx = await cli(args, { FEED_ENRICHER_TSX: "1" });
    expect(bundled.code).toBe(0);
    // Everything but the time each entry took to tag.
    const untimed = (out: string) => out.replace(/"tag_ms": [\d.]+/g, '"tag_ms": 0');
    expect(untimed(bundled.stdout)).toBe(untimed(tsx.stdout));
    expect(bundled.stdout).toContain('"immigration"');
    const dist = join(ROOT, "dist");
    const newest = readdirSync(dist)
      .filter((n) => n.startsWith("bundle-") && existsSync(join(dist, n, "main.js")))
      .sort((a, b) => statSync(join(dist, b)).mtimeMs - statSync(join(dist, a)).mtimeMs)[0]!;
    const imported = new Set<string>();
    for (const file of readdirSync(join(dist, newest)).filter((n) => n.endsWith(".js"))) {
      for (const m of readFileSync(join(dist, newest, file), "utf8").matchAll(/(?:from |import\()"([^".][^"]*)"/g)) imported.add(m[1]!);
    }
    for (const name of ["rss-parser", "htmlparser2", "yaml", "zod", "franc-min", "feed"]) expect(imported).not.toContain(name);
    for (const name of ["better-sqlite3", "@node-rs/xxhash", "pino"]) expect(imported).toContain(name);
  }, 60_000);

  it("prints the package's version from the bundle and through tsx, as `version`, --version and -V", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const args of [["version"], ["--version"], ["-V"]]) {
      const bundled = await cli(args);
      expect(bundled.code).toBe(0);
      expect(bundled.stdout).toBe(`feed-enricher ${version}\n`);
    }
    const tsx = await cli(["--version"], { FEED_ENRICHER_TSX: "1" });
    expect(tsx.stdout).toBe(`feed-enricher ${version}\n`);
  }, 60_000);

  it("builds the bundle with npm run build (what a read-only install runs once)", async () => {
    const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.build!;
    // The script is a call of this bin: run it the same way.
    expect(script).toMatch(/^node bin\/feed-enricher\.js /);
    const built = await cli(script.replace(/^node bin\/feed-enricher\.js /, "").split(" "));
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^feed-enricher \d+\.\d+\.\d+/);
    const bundles = readdirSync(join(ROOT, "dist")).filter((n) => existsSync(join(ROOT, "dist", n, "main.js")));
    expect(bundles.length).toBeGreaterThan(0);
  }, 60_000);

  it("reports a usage error the same way from both", async () => {
    const bundled = await cli(["no-such-command"]);
    const tsx = await cli(["no-such-command"], { FEED_ENRICHER_TSX: "1" });
    expect(bundled.code).toBe(2);
    expect(bundled.stderr).toBe(tsx.stderr);
  }, 60_000);
});
