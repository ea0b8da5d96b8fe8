#!/usr/bin/env node
// Runs the TypeScript sources with no build step to forget. Transpiling them
// through tsx's loader hooks on every start costs about a second per process,
// so the sources are bundled once with esbuild into dist/bundle-<stamp>/ and
// that bundle runs for as long as it matches them: the stamp hashes every
// source file's path, size and mtime, and the installed libraries' lockfiles,
// so an edit, a checkout or an update makes the next start bundle again (well
// under a second). Plain JavaScript libraries a refresh loads are bundled in
// too (BUNDLED below); the others load from node_modules. When the bundle cannot be written
// (read-only install) or FEED_ENRICHER_TSX=1 is set, tsx runs the sources.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
// Bundles replaced this long ago are removed; a process started from one has
// loaded all of its code long before (a fresh start loads every chunk it needs at once).
const KEEP_OLD_BUNDLES_MS = 60 * 60 * 1000;
// Plain JavaScript libraries a refresh loads, bundled in: loading each from
// node_modules file by file took about 0.1 s of every start. Every other
// dependency stays outside: native modules (better-sqlite3, @node-rs/xxhash),
// pino (its transports load files by path), the serve stage's libraries, and
// any dependency added later until it is listed here.
const BUNDLED = new Set([
  "dom-serializer",
  "domhandler",
  "domutils",
  "entities",
  "feed",
  "franc-min",
  "htmlparser2",
  "iconv-lite",
  "node-cron",
  "rss-parser",
  "yaml",
  "zod",
]);

function sourceStamp() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".ts")) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(SRC);
  // How the bundle is built is part of it too (entry points, options below).
  const self = statSync(fileURLToPath(import.meta.url));
  hash.update(`bin\0${self.size}\0${self.mtimeMs}\n`);
  // So are the libraries bundled in: npm rewrites node_modules/.package-lock.json on every install or update.
  for (const file of ["package-lock.json", "node_modules/.package-lock.json"]) {
    try {
      const s = statSync(join(ROOT, file));
      hash.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
    } catch {
      // Not there (installed without a lockfile): the sources and bin still decide.
    }
  }
  hash.update(process.version);
  return hash.digest("hex").slice(0, 16);
}

async function bundle(dir) {
  const { build } = await import("esbuild");
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await build({
    // The render and prepare workers are more entries: a worker thread starts
    // from a file (src/cli/start-render-worker.ts and
    // src/refresh/prepare-pool.ts look for theirs beside their own chunk).
    entryPoints: [join(SRC, "main.ts"), join(SRC, "cli/render-worker.ts"), join(SRC, "refresh/prepare-worker.ts")],
    entryNames: "[name]",
    outdir: tmp,
    bundle: true,
    // Commands and the serve stage stay in their own chunks, loaded only when used.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).dependencies)
      .filter((name) => !BUNDLED.has(name))
      .flatMap((name) => [name, `${name}/*`]),
    // The bundled CommonJS libraries call require() (for node: modules and each other).
    banner: { js: 'import { createRequire as __feedEnricherRequire } from "node:module"; const require = __feedEnricherRequire(import.meta.url);' },
    logLevel: "silent",
  });
  try {
    renameSync(tmp, dir);
  } catch (error) {
    // Another process built the same bundle first: use theirs.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, "main.js"))) throw error;
  }
  const now = Date.now();
  for (const name of readdirSync(DIST)) {
    const path = join(DIST, name);
    if (!name.startsWith("bundle-") || path === dir) continue;
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_BUNDLES_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

async function bundledMain() {
  if (process.env.FEED_ENRICHER_TSX === "1") return undefined;
  try {
    const dir = join(DIST, `bundle-${sourceStamp()}`);
    const main = join(dir, "main.js");
    if (!existsSync(main)) {
      mkdirSync(DIST, { recursive: true });
      await bundle(dir);
    }
    return pathToFileURL(main).href;
  } catch {
    return undefined;
  }
}

const main = await bundledMain();
if (main !== undefined) {
  await import(main);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
