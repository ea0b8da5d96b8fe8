import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/cli/app.js";
import { type CycleReport, runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { isPrivateAddress } from "../../src/fetch/index.js";
import type { SourceState } from "../../src/model/index.js";
import type { RefreshResult } from "../../src/refresh/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  compressed,
  conditional,
  drip,
  type EvilServer,
  endlessHeaders,
  GIB,
  gzipBomb,
  type Handler,
  headerFlood,
  htmlPage,
  hugeBody,
  MIB,
  redirect,
  rssFeed,
  sendBody,
  silent,
  startEvilServer,
  status,
} from "../helpers/evil-server.js";
import { measurePeakRss } from "../helpers/memory-peak.js";
import { type TempProject, tempProject } from "../helpers/temp-project.js";

/**
 * Every hostile source through the real pipeline: a good version is published
 * first, then the source turns hostile. The refresh must end, fail with a clear
 * code, keep memory bounded and leave that source's published files as they
 * were, while another source in the same cycle still publishes.
 *
 * Each source gets a server of its own: the cycle refreshes one source per host
 * at a time, and a port is a host, so the slow cases run side by side.
 */

type Expected =
  | { status: "failed"; code: string; message?: RegExp; nextDueAtLeastSeconds?: number; stage?: "fetch" | "parse" | "decode" }
  | { status: "not-modified" | "unchanged" | "updated"; movedTo?: true; newEntries?: number };

interface Case {
  id: string;
  /** What the source serves in the second cycle; `server` is the source's own, `internal` one on 127.0.0.2. */
  evil: (server: EvilServer, internal: EvilServer) => Handler;
  expected: Expected;
  /** The first cycle's answer, when it is not the plain good feed. */
  good?: (feed: string) => Handler;
  local?: boolean;
  /** The first cycle fails too (there is no good version to keep). */
  firstFails?: boolean;
}

function goodFeed(id: string, extra = 0): string {
  const items = [1, 2, ...Array.from({ length: extra }, (_, i) => 3 + i)].map((n) => ({
    title: `${id} story ${n}: parliament debates the harbour budget`,
    link: `https://news.example.com/${id}/${n}`,
    pubDate: `Thu, 2${n % 8} Jan 2025 10:00:00 GMT`,
  }));
  return rssFeed(`Source ${id}`, items);
}

const SLOW_CASES: Case[] = [
  {
    // With the default policy a non-local source on loopback is refused at once, good version or not.
    id: "non-local-on-loopback",
    local: false,
    firstFails: true,
    evil: () => sendBody(goodFeed("non-local-on-loopback", 1)),
    expected: { status: "failed", code: "blocked-address", message: /set local: true on the source/ },
  },
  { id: "drip", evil: () => drip(1000), expected: { status: "failed", code: "timeout", message: /fetch\.timeoutMs/ } },
  { id: "endless-headers", evil: () => endlessHeaders(200), expected: { status: "failed", code: "timeout" } },
  { id: "silent", evil: () => silent(), expected: { status: "failed", code: "timeout" } },
  {
    id: "stalled-gzip",
    evil: () => (_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "application/rss+xml" });
      res.write(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
    },
    expected: { status: "failed", code: "timeout" },
  },
];

const OTHER_CASES: Case[] = [
  { id: "huge", evil: () => hugeBody(GIB), expected: { status: "failed", code: "too-large", message: /raise fetch\.maxBytes/ } },
  { id: "huge-declared", evil: () => hugeBody(GIB, { declare: true }), expected: { status: "failed", code: "too-large" } },
  { id: "gzip-bomb", evil: () => gzipBomb().handler, expected: { status: "failed", code: "too-large", message: /once decompressed/ } },
  { id: "header-flood", evil: () => headerFlood(), expected: { status: "failed", code: "protocol" } },
  {
    id: "redirect-loop",
    evil: (s) => {
      s.route("/loop-a", redirect(s.url("/loop-b")));
      s.route("/loop-b", redirect(s.url("/loop-a")));
      return redirect(s.url("/loop-a"));
    },
    expected: { status: "failed", code: "redirect", message: /more than 5 times/ },
  },
  {
    id: "html-page",
    evil: () => htmlPage(),
    expected: { status: "failed", code: "not-a-feed", message: /is an HTML page, not a feed; it advertises no feed/ },
  },
  {
    id: "html-with-feeds",
    evil: () => htmlPage([{ href: "/rss.xml" }, { href: "https://news.example.com/atom", type: "application/atom+xml" }]),
    expected: { status: "failed", code: "not-a-feed", message: /it advertises http:\/\/127\.0\.0\.1:\d+\/rss\.xml, https:\/\/news\.example\.com\/atom;/ },
  },
  { id: "empty-body", evil: () => sendBody(""), expected: { status: "failed", code: "empty" } },
  { id: "server-error", evil: () => status(500), expected: { status: "failed", code: "http-status", message: /answered 500/ } },
  {
    id: "rate-limited",
    evil: () => status(429, { "retry-after": "900" }),
    expected: { status: "failed", code: "http-status", message: /answered 429; rate limited; the server asked to wait 900 s/, nextDueAtLeastSeconds: 900 },
  },
  {
    id: "unavailable",
    evil: () => status(503, { "retry-after": new Date(Date.now() + 3_600_000).toUTCString() }),
    expected: { status: "failed", code: "http-status", nextDueAtLeastSeconds: 3_500 },
  },
  {
    id: "not-modified",
    good: (feed) => conditional(feed, '"abc"'),
    // Still a conditional handler: the second fetch carries the ETag and gets a 304, so the new body is never sent.
    evil: () => conditional(goodFeed("not-modified", 1), '"abc"'),
    expected: { status: "not-modified" },
  },
  { id: "gzip-body", evil: () => compressed(goodFeed("gzip-body", 1), "gzip"), expected: { status: "updated", newEntries: 1 } },
  { id: "brotli-body", evil: () => compressed(goodFeed("brotli-body", 1), "br"), expected: { status: "updated", newEntries: 1 } },
  {
    id: "moved",
    evil: (s) => {
      s.route("/new-home", sendBody(goodFeed("moved")));
      return redirect(s.url("/new-home"), 301);
    },
    expected: { status: "unchanged", movedTo: true },
  },
  {
    // In this run 127.0.0.1 plays the public internet (see PUBLIC_LOOPBACK); 127.0.0.2 is the LAN.
    id: "public-to-private",
    local: false,
    evil: (_s, internal) => redirect(internal.url("/admin"), 302),
    expected: { status: "failed", code: "blocked-address", message: /127\.0\.0\.2.*set local: true on the source/ },
  },
  {
    id: "local-to-loopback",
    evil: (s) => {
      s.route("/elsewhere", sendBody(goodFeed("local-to-loopback", 1)));
      return redirect(`http://localhost:${s.port}/elsewhere`, 302);
    },
    expected: { status: "updated", newEntries: 1 },
  },
];

const RSS_OPEN = '<rss version="2.0"><channel><title>hostile</title><link>https://news.example.com/</link>';
const RSS_CLOSE = "</channel></rss>";
const item = (id: string, n: number, title: string, extra = "") =>
  `<item><title>${title}</title><link>https://news.example.com/${id}/${n}</link><guid>https://news.example.com/${id}/${n}</guid><pubDate>Fri, 24 Jan 2025 10:00:00 GMT</pubDate>${extra}</item>`;

/** Hostile XML: the refresh must refuse or survive it, bounded, without touching the last good output. */
const XML_CASES: Case[] = [
  {
    id: "billion-laughs",
    evil: () => {
      const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
      return sendBody(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">${levels}]>${RSS_OPEN}${item("billion-laughs", 9, "&lol10;")}${RSS_CLOSE}`);
    },
    expected: { status: "failed", code: "hostile-xml", stage: "parse" },
  },
  {
    id: "quadratic-blowup",
    evil: () => {
      const big = "A".repeat(100_000);
      return sendBody(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${big}">]>${RSS_OPEN}${item("quadratic-blowup", 9, "&a;".repeat(20_000))}${RSS_CLOSE}`);
    },
    expected: { status: "failed", code: "hostile-xml", stage: "parse" },
  },
  {
    id: "xxe-file",
    evil: () =>
      sendBody(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${RSS_OPEN}${item("xxe-file", 9, "leak &xxe;")}${RSS_CLOSE}`),
    expected: { status: "failed", code: "hostile-xml", stage: "parse" },
  },
  {
    id: "xxe-loopback",
    evil: (s) => {
      s.route("/secret", sendBody("internal secret"));
      return sendBody(
        `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "${s.url("/secret")}">]>${RSS_OPEN}${item("xxe-loopback", 9, "leak &xxe;")}${RSS_CLOSE}`,
      );
    },
    expected: { status: "failed", code: "hostile-xml", stage: "parse" },
  },
  {
    id: "deep-nesting",
    evil: () =>
      sendBody(`${RSS_OPEN}${item("deep-nesting", 9, "deep", `<description>${"<div>".repeat(10_000)}x${"</div>".repeat(10_000)}</description>`)}${RSS_CLOSE}`),
    expected: { status: "failed", code: "hostile-xml", stage: "parse" },
  },
  {
    id: "invalid-utf8",
    evil: () => sendBody(Buffer.concat([Buffer.from(`${RSS_OPEN}${item("invalid-utf8", 9, "caf")}`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(RSS_CLOSE)])),
    expected: { status: "updated", newEntries: 1 },
  },
  {
    id: "script-injection",
    evil: () =>
      sendBody(
        `${RSS_OPEN}${item(
          "script-injection",
          9,
          "&lt;script&gt;alert(1)&lt;/script&gt;Headline",
          `<description><![CDATA[<p onclick="alert(2)">Body<script>alert(3)</script><a href="javascript:alert(4)">x</a><img src="data:image/png;base64,AAAA" onerror="alert(5)"></p>]]></description>`,
        )}${RSS_CLOSE}`,
      ),
    expected: { status: "updated", newEntries: 1 },
  },
];

interface Run {
  project: TempProject;
  servers: Map<string, EvilServer>;
  internal: EvilServer;
  first: CycleReport;
  second: CycleReport;
  states: Map<string, SourceState>;
  before: Map<string, string>;
  after: Map<string, string>;
  secondStartedMs: number;
  peakGrowthBytes: number;
  timeoutMs: number;
}

const STEADY = "steady";

/** Treats 127.0.0.1 as a public address and every other private one as private, so a redirect hop into the LAN can be tested. */
const PUBLIC_LOOPBACK = (address: string) => address !== "127.0.0.1" && isPrivateAddress(address);

interface CycleOptions {
  isBlockedAddress?: ((address: string) => boolean) | undefined;
  /** Overrides fetch.timeoutMs for this cycle. */
  timeoutMs?: number;
  states?: Map<string, SourceState>;
}

async function cycle(project: TempProject, options: CycleOptions = {}): Promise<CycleReport> {
  const { isBlockedAddress, timeoutMs, states } = options;
  const app = buildApp(loadConfig(project.configFile), silentLogger());
  if (isBlockedAddress) app.deps.fetch.isBlockedAddress = isBlockedAddress;
  if (timeoutMs !== undefined) app.deps.fetch.timeoutMs = timeoutMs;
  try {
    const report = await runCycle(app, app.config.sources);
    for (const s of app.store.listSourceStates()) states?.set(s.sourceId, s);
    return report;
  } finally {
    app.close();
  }
}

function sourceFiles(project: TempProject, ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids)
    for (const ext of ["rss", "atom", "json"]) out.set(`${id}.${ext}`, readFileSync(join(project.feedsDir, "sources", `${id}.${ext}`), "utf8"));
  return out;
}

async function runCases(cases: Case[], timeoutMs: number, isBlockedAddress?: (address: string) => boolean): Promise<Run> {
  const internal = await startEvilServer({ host: "127.0.0.2" });
  const servers = new Map<string, EvilServer>();
  for (const c of [{ id: STEADY } as Case, ...cases]) servers.set(c.id, await startEvilServer());
  const steady = servers.get(STEADY)!;
  steady.route("/src", sendBody(goodFeed(STEADY)));
  const sourcesYaml = [{ id: STEADY } as Case, ...cases]
    .map((c) => `  - id: ${c.id}\n    url: ${servers.get(c.id)!.url("/src")}\n    local: ${c.local ?? true}\n`)
    .join("");
  const project = tempProject(
    `outputs:\n  perTopic: false\nschedule:\n  concurrency: ${cases.length + 1}\nfetch:\n  timeoutMs: ${timeoutMs}\n  connectTimeoutMs: 1000\nsources:\n${sourcesYaml}`,
  );
  for (const c of cases) {
    const s = servers.get(c.id)!;
    s.route("/src", (c.good ?? ((feed) => sendBody(feed)))(goodFeed(c.id)));
  }
  // The good cycle is not under test: a roomy limit keeps a loaded machine from failing it.
  const first = await cycle(project, { isBlockedAddress, timeoutMs: 30_000 });
  const ids = [STEADY, ...cases.map((c) => c.id)];
  const before = sourceFiles(project, ids);

  steady.route("/src", sendBody(goodFeed(STEADY, 1)));
  for (const c of cases) {
    const s = servers.get(c.id)!;
    s.route("/src", c.evil(s, internal));
  }
  const states = new Map<string, SourceState>();
  const secondStartedMs = Date.now();
  const { result: second, peakGrowthBytes } = await measurePeakRss(() => cycle(project, { isBlockedAddress, states }));
  const after = sourceFiles(project, ids);
  return { project, servers, internal, first, second, states, before, after, secondStartedMs, peakGrowthBytes, timeoutMs };
}

function resultOf(report: CycleReport, id: string): RefreshResult {
  const r = report.results.find((x) => x.sourceId === id);
  if (!r) throw new Error(`no result for ${id}`);
  return r;
}

function checkCase(run: () => Run, c: Case): void {
  const r = () => resultOf(run().second, c.id);

  it(`${c.id}: ends as ${c.expected.status}${c.expected.status === "failed" ? ` (${c.expected.code})` : ""}`, () => {
    const result = r();
    const expected = c.expected;
    expect(result.status, JSON.stringify(result)).toBe(expected.status);
    if (expected.status === "failed" && result.status === "failed") {
      expect(result.code).toBe(expected.code);
      // The message names the source and what went wrong where.
      expect(result.message).toMatch(new RegExp(`^${c.id}: ${expected.stage ?? "fetch"}: `));
      if (expected.message) expect(result.message).toMatch(expected.message);
      // It ended within its time limit (generously: the limit plus slack for a loaded machine).
      expect(result.durationMs).toBeLessThan(run().timeoutMs + 5_000);
      const state = run().states.get(c.id);
      expect(state?.lastErrorCode).toBe(expected.code);
      expect(state?.lastErrorMessage).toBe(result.message);
      expect(state?.nextDue).toBeDefined();
      const waitSeconds = (Date.parse(state!.nextDue!) - run().secondStartedMs) / 1000;
      expect(waitSeconds).toBeGreaterThanOrEqual(expected.nextDueAtLeastSeconds ?? 60);
    } else if (expected.status !== "failed" && result.status !== "failed") {
      if (expected.movedTo) expect(result.movedTo).toBe(run().servers.get(c.id)!.url("/new-home"));
      if (expected.newEntries !== undefined && result.status === "updated") expect(result.newEntries).toBe(expected.newEntries);
      expect(run().states.get(c.id)?.lastErrorCode).toBeUndefined();
    }
  });

  if (c.expected.status === "failed" || c.expected.status === "not-modified" || c.expected.status === "unchanged") {
    it(`${c.id}: leaves the source's published files as they were`, () => {
      for (const ext of ["rss", "atom", "json"]) {
        const key = `${c.id}.${ext}`;
        expect(run().after.get(key), key).toBe(run().before.get(key));
      }
      if (!c.firstFails) {
        const all = JSON.parse(readFileSync(join(run().project.feedsDir, "all.json"), "utf8"));
        expect(all.items.map((i: { url: string }) => i.url)).toContain(`https://news.example.com/${c.id}/1`);
      }
    });
  }
}

function checkRun(run: () => Run, cases: Case[]): void {
  it("publishes every good source on the first cycle", () => {
    for (const c of cases) expect(resultOf(run().first, c.id).status, c.id).toBe(c.firstFails ? "failed" : "updated");
  });

  it("still publishes the other source in the hostile cycle", () => {
    expect(resultOf(run().second, STEADY)).toMatchObject({ status: "updated", newEntries: 1 });
    const all = JSON.parse(readFileSync(join(run().project.feedsDir, "all.json"), "utf8"));
    expect(all.items.map((i: { url: string }) => i.url)).toContain(`https://news.example.com/${STEADY}/3`);
  });

  it("keeps memory bounded", () => {
    expect(run().peakGrowthBytes).toBeLessThan(200 * MIB);
  });

  for (const c of cases) checkCase(run, c);
}

async function closeRun(run: Run | undefined): Promise<void> {
  if (!run) return;
  await Promise.all([...run.servers.values(), run.internal].map((s) => s.close()));
  run.project.cleanup();
}

describe("slow hostile sources", () => {
  let run: Run | undefined;
  beforeAll(async () => {
    run = await runCases(SLOW_CASES, 2000);
  });
  afterAll(() => closeRun(run));
  checkRun(() => run!, SLOW_CASES);
});

describe("huge, broken and misdirected hostile sources", () => {
  let run: Run | undefined;
  beforeAll(async () => {
    run = await runCases(OTHER_CASES, 15_000, PUBLIC_LOOPBACK);
  });
  afterAll(() => closeRun(run));
  checkRun(() => run!, OTHER_CASES);

  it("sends the last good ETag back, which is how the 304 came about", () => {
    const seen = run!.servers.get("not-modified")!.requests.filter((r) => r.path === "/src");
    expect(seen.map((r) => r.headers["if-none-match"])).toEqual([undefined, '"abc"']);
  });

  it("never lets the redirect into the private network reach it", () => {
    expect(run!.internal.requests).toEqual([]);
  });
});

describe("hostile XML documents through the whole refresh", () => {
  let run: Run | undefined;
  beforeAll(async () => {
    run = await runCases(XML_CASES, 15_000);
  });
  afterAll(() => closeRun(run));
  checkRun(() => run!, XML_CASES);

  it("never fetches an external entity and never leaks a file", () => {
    expect(run!.servers.get("xxe-loopback")!.requests.filter((r) => r.path === "/secret")).toHaveLength(0);
    for (const name of ["all.rss", "all.atom", "all.json"]) {
      const text = readFileSync(join(run!.project.feedsDir, name), "utf8");
      expect(text).not.toContain("root:x:0");
      expect(text).not.toContain("internal secret");
    }
  });

  it("publishes the injected story with nothing executable left", () => {
    const all = JSON.parse(readFileSync(join(run!.project.feedsDir, "all.json"), "utf8"));
    const story = all.items.find((i: { url: string }) => i.url === "https://news.example.com/script-injection/9");
    expect(story).toBeDefined();
    const everything =
      JSON.stringify(story) + readFileSync(join(run!.project.feedsDir, "all.rss"), "utf8") + readFileSync(join(run!.project.feedsDir, "all.atom"), "utf8");
    expect(everything).not.toMatch(/<script/i);
    expect(everything).not.toMatch(/javascript:/i);
    expect(everything).not.toMatch(/\bon(click|error)\s*=/i);
    expect(everything).not.toMatch(/data:image/i);
    expect(story.title).toBe("Headline");
  });
});
