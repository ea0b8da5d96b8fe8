// Load test of the HTTP server (not part of `npm test`): `npm run load`.
// Starts `feed-enricher serve` as a child process on a feeds folder rendered
// from the bundled sample, then drives it with autocannon at 100 connections:
// a 10-second run for latency and throughput, conditional requests (304), and
// 100,000 requests while the server's memory is sampled from /metrics.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type Result } from "autocannon";
import { buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const CONNECTIONS = 100;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "feed-enricher-load-"));
  cpSync(join(ROOT, "config"), join(dir, "config"), { recursive: true });
  const configFile = join(dir, "config", "feed-enricher.yaml");
  writeFileSync(
    configFile,
    `runtimeDir: run
feedsDir: feeds
server:
  host: 127.0.0.1
  port: 0
sources:
  - id: radiohc-sample
    title: Radio Habana Cuba (sample)
    file: sample/radiohc-en.rss
    language: en
`,
  );
  const app = buildApp(loadConfig(configFile), silentLogger());
  await runCycle(app, app.config.sources);
  app.close();

  const child = spawn(process.execPath, [join(ROOT, "bin/feed-enricher.js"), "serve", "--config", configFile], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise<string>((ok, fail) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.on("exit", (code) => fail(new Error(`serve exited with ${code}`)));
  });
  const feed = `${base}all.rss`;
  const feedBytes = statSync(join(dir, "feeds", "all.rss")).size;

  try {
    const memory = async () => {
      const text = await (await fetch(`${base}metrics`)).text();
      const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN);
      return { rssMiB: read("feed_enricher_process_resident_memory_bytes") / 2 ** 20, heapMiB: read("feed_enricher_nodejs_heap_size_used_bytes") / 2 ** 20 };
    };
    await autocannon({ url: feed, connections: CONNECTIONS, duration: 2 }); // warm-up
    const m0 = await memory();
    const plain = await autocannon({ url: feed, connections: CONNECTIONS, duration: 10 });
    const etag = (await fetch(feed)).headers.get("etag") ?? "";
    const conditional = await autocannon({ url: feed, connections: CONNECTIONS, duration: 5, headers: { "if-none-match": etag } });
    const gzip = await autocannon({ url: feed, connections: CONNECTIONS, duration: 5, headers: { "accept-encoding": "gzip" } });
    const m1 = await memory();
    const bulk = await autocannon({ url: feed, connections: CONNECTIONS, amount: 100_000 });
    const m2 = await memory();

    const row = (name: string, r: Result) =>
      `| ${name} | ${r.requests.sent.toLocaleString("en")} | ${Math.round(r.requests.average).toLocaleString("en")} | ${r.latency.p50} ms | ${r.latency.p99} ms | ${r.errors + r.timeouts} | ${r.non2xx} |`;
    const lines = [
      `Load test: ${CONNECTIONS} connections, GET /all.rss (${Math.round(feedBytes / 1024)} KiB), node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the end (autocannon shares the machine)`,
      "",
      "| run | requests | req/s | p50 | p99 | errors | non-2xx |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      row("plain, 10 s", plain),
      row("If-None-Match (304), 5 s", conditional),
      row("gzip, 5 s", gzip),
      row("100,000 requests", bulk),
      "",
      `Server memory (RSS / heap used): after warm-up ${m0.rssMiB.toFixed(0)} / ${m0.heapMiB.toFixed(0)} MiB; after the timed runs ${m1.rssMiB.toFixed(0)} / ${m1.heapMiB.toFixed(0)} MiB; after 100,000 more requests ${m2.rssMiB.toFixed(0)} / ${m2.heapMiB.toFixed(0)} MiB.`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    const errors = [plain, conditional, gzip, bulk].reduce((n, r) => n + r.errors + r.timeouts, 0);
    // 304s count as non-2xx in autocannon: only the plain runs must be all 200.
    const bad = plain.non2xx + gzip.non2xx + bulk.non2xx;
    const grew = m2.rssMiB > m1.rssMiB * 1.25 + 16;
    if (errors > 0 || bad > 0 || grew) {
      process.stderr.write(`load: FAILED (errors ${errors}, non-2xx ${bad}, memory grew ${grew})\n`);
      process.exitCode = 1;
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
