import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ChildNode } from "domhandler";
import { isTag } from "domhandler";
import { XMLParser } from "fast-xml-parser";
import { parseDocument } from "htmlparser2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/cli/app.js";
import { runCycle } from "../../src/cli/run-cycle.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { type TempProject, tempProject } from "../helpers/temp-project.js";
import { assertWellFormed } from "../helpers/xml.js";

// The hostile feed goes through the real pipeline (fetch from file, decode,
// parse, normalize, enrich, store, write) and every output is parsed back:
// grepping the raw bytes would miss what CDATA and escaping hide, and would
// flag escaped text that is harmless.
const FIXTURE = resolve(import.meta.dirname, "../fixtures/normalize/hostile.rss");

const URL_ATTRIBUTES = new Set(["href", "src", "srcset", "poster", "cite", "action", "formaction", "xlink:href", "data", "background", "longdesc", "usemap"]);
const DANGEROUS_ELEMENTS = new Set([
  "script",
  "style",
  "iframe",
  "frame",
  "object",
  "embed",
  "svg",
  "math",
  "form",
  "input",
  "button",
  "textarea",
  "link",
  "meta",
  "base",
  "noscript",
]);

/** The scheme a browser would see: entities are already decoded by the HTML parser; controls and whitespace removed. */
function scheme(value: string): string | undefined {
  const compact = value.replace(/[\u0000-\u0020\u007f]/g, "").toLowerCase();
  return /^([a-z][a-z0-9+.-]*):/.exec(compact)?.[1];
}

/** Everything wrong with one string that a reader may render as HTML. */
function htmlProblems(where: string, value: string): string[] {
  const problems: string[] = [];
  if (/<\s*script/i.test(value)) problems.push(`${where}: <script`);
  if (/javascript\s*:/i.test(value.replace(/[\u0000-\u001f]/g, ""))) problems.push(`${where}: javascript:`);
  const walk = (nodes: ChildNode[]) => {
    for (const n of nodes) {
      if (!isTag(n)) continue;
      if (DANGEROUS_ELEMENTS.has(n.name)) problems.push(`${where}: <${n.name}>`);
      for (const [name, v] of Object.entries(n.attribs)) {
        if (/^on/i.test(name)) problems.push(`${where}: ${name}= on <${n.name}>`);
        if (name === "style") problems.push(`${where}: style= on <${n.name}>`);
        if (URL_ATTRIBUTES.has(name)) {
          const urls = name === "srcset" ? v.split(",").map((part) => part.trim().split(/\s+/)[0] ?? "") : [v];
          for (const u of urls) {
            const s = scheme(u);
            if (s !== undefined && s !== "http" && s !== "https") problems.push(`${where}: ${name}="${u}" on <${n.name}>`);
          }
        }
      }
      walk(n.children);
    }
  };
  walk(parseDocument(value).children);
  return problems;
}

/** Every string in a parsed document, with its path. */
function strings(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

function linkProblems(where: string, value: string): string[] {
  const s = scheme(value);
  return s === undefined || s === "http" || s === "https" || s === "urn" || s === "tag" ? [] : [`${where}: ${value}`];
}

describe("hostile HTML through the whole pipeline", () => {
  let project: TempProject;
  let rss: string;
  let atom: string;
  let json: string;

  beforeAll(async () => {
    project = tempProject(`sources:\n  - id: hostile\n    title: Hostile\n    file: hostile.rss\n    language: en\n`);
    copyFileSync(FIXTURE, join(project.configDir, "hostile.rss"));
    const app = buildApp(loadConfig(project.configFile), silentLogger());
    try {
      const report = await runCycle(app, app.config.sources);
      expect(report.results.map((r) => r.status)).toEqual(["updated"]);
    } finally {
      app.close();
    }
    rss = readFileSync(join(project.feedsDir, "sources/hostile.rss"), "utf8");
    atom = readFileSync(join(project.feedsDir, "sources/hostile.atom"), "utf8");
    json = readFileSync(join(project.feedsDir, "sources/hostile.json"), "utf8");
  });
  afterAll(() => project.cleanup());

  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", processEntities: true, htmlEntities: false, parseTagValue: false });

  it("writes every item, titled in plain text, into well-formed RSS and Atom", () => {
    assertWellFormed(rss);
    assertWellFormed(atom);
    const titles = JSON.parse(json).items.map((i: { title: string }) => i.title);
    expect(titles.sort()).toEqual(["CDATA end trick", "Escaped markup stays text", "Image in the CDATA title", "Script in the title"]);
  });

  it.each(["rss", "atom", "json"] as const)("leaves nothing executable in the %s output", (format) => {
    const parsed = format === "json" ? JSON.parse(json) : xml.parse(format === "rss" ? rss : atom);
    const all = strings(parsed);
    expect(all.length).toBeGreaterThan(20);
    const problems = all.flatMap(([path, value]) => htmlProblems(`${format}${path}`, value));
    // Links, ids and image URLs: http(s), or urn:/tag: ids, nothing else.
    const linkish = all.filter(([path]) => /(?:\.link|@href|@url|\.url|\.external_url|\.image|\.banner_image|\.guid(?:\.#text)?|\.id)$/.test(path));
    expect(linkish.length).toBeGreaterThan(4);
    problems.push(...linkish.flatMap(([path, value]) => linkProblems(`${format}${path}`, value)));
    expect(problems).toEqual([]);
  });

  it("has a checker that finds the attacks in the input feed itself", () => {
    const all = strings(xml.parse(readFileSync(FIXTURE, "utf8")));
    const problems = all.flatMap(([path, value]) => [
      ...htmlProblems(`input${path}`, value),
      ...(/\.(?:link|@url)$/.test(path) ? linkProblems(path, value) : []),
    ]);
    for (const kind of [
      "<script",
      "javascript:",
      "onerror=",
      "onclick=",
      "<svg>",
      "<iframe>",
      "style=",
      'src="data:',
      'href="data:',
      ".link: javascript:",
      "@url: data:",
    ]) {
      expect(
        problems.some((p) => p.includes(kind)),
        kind,
      ).toBe(true);
    }
  });

  it("keeps the harmless parts of hostile items", () => {
    const items = JSON.parse(json).items as Array<{ title: string; content_html: string; url?: string }>;
    const first = items.find((i) => i.title === "Script in the title");
    expect(first?.content_html).toContain('<a href="https://ok.example/">ok link</a>');
    expect(first?.content_html).toContain('<img src="https://hostile.example/a.jpg" />');
    expect(first?.url).toBeUndefined();
    const third = items.find((i) => i.title === "CDATA end trick");
    expect(third?.url).toBe("https://hostile.example/3");
    expect(third?.content_html).toContain('srcset="https://ok.example/b.png 2x"');
    expect(third?.content_html).toContain('href="https://hostile.example/protocol-relative"');
    expect(third?.content_html).not.toContain("data:");
  });
});
