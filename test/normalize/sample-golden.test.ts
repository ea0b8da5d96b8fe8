import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Entry } from "../../src/model/index.js";
import { normalizeFeed } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";

// The bundled sample feed, normalized as the default config does it. The golden
// file is regenerated with `UPDATE_GOLDEN=1 npx vitest run test/normalize` and
// otherwise compared byte for byte. Topics and entities belong to enrich and
// are left out.
const ROOT = resolve(import.meta.dirname, "../..");
const SAMPLE = resolve(ROOT, "config/sample/radiohc-en.rss");
const GOLDEN = resolve(ROOT, "test/fixtures/normalize/sample-entries.golden.json");
const OPTIONS = {
  sourceId: "radiohc-sample",
  trackingParams: ["utm_*", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "yclid", "igshid", "ref_src"],
  boilerplate: ["^Radio Habana Cuba$", "^https?://www\\.radiohc\\.cu/\\S+$"],
  defaultLanguage: "en",
  now: "2025-02-01T00:00:00.000Z",
};

async function sampleEntries(): Promise<Entry[]> {
  const feed = await parseFeed(readFileSync(SAMPLE, "utf8"), { timeoutMs: 10_000 });
  return normalizeFeed(feed, OPTIONS);
}

function withoutEnrichment(entries: Entry[]): Array<Omit<Entry, "topics" | "entities" | "taxonomyVersion">> {
  return entries.map(({ topics: _t, entities: _e, taxonomyVersion: _v, ...rest }) => rest);
}

describe("the seed story", () => {
  it("is normalized into title, dateline, captioned image, summary and clean content", async () => {
    const [seed] = await sampleEntries();
    expect(seed?.title).toBe("U.S. military sends troops to Mexico border amid Trump immigration crackdown");
    expect(seed?.dateline).toMatchObject({ place: "Washington", agency: "RHC", date: "January 23" });
    expect(seed?.image?.caption?.startsWith("Members of the Mexican National Guard in Tijuana")).toBe(true);
    expect(seed?.image?.credit).toBe("Gregory Bull/AP Photo");
    expect(seed?.summary.startsWith("The U.S. military has started to send 1,500 active-duty troops")).toBe(true);
    expect(seed?.summary).not.toContain("Gregory Bull");
    expect(seed?.language).toBe("en");
    expect(seed?.published).toBe("2025-01-23T19:10:00.000Z");
    expect(seed?.authors).toEqual(["Radio Habana Cuba"]);
    expect(seed?.link).toBe(
      "https://www.radiohc.cu/en/noticias/internacionales/374817-us-military-sends-troops-to-mexico-border-amid-trump-immigration-crackdown",
    );
    const html = seed?.contentHtml ?? "";
    expect(html).not.toContain("---");
    expect(html).not.toMatch(/<p>\s*(?:<strong>)?Radio Habana Cuba(?:<\/strong>)?\s*<\/p>/);
    expect(html).not.toMatch(/<p>\s*(?:<a [^>]*>)?https?:\/\/www\.radiohc\.cu\/\S*(?:<\/a>)?\s*<\/p>/);
    expect(html).toContain("<figcaption>Members of the Mexican National Guard in Tijuana");
    expect(html).toContain("<small>Gregory Bull/AP Photo</small></figcaption></figure>");
    expect(html).toContain("<p>Washington, January 23 (RHC)-- The U.S. military");
    expect(html.trimEnd().endsWith("accused, not convicted, of a crime.</p>")).toBe(true);
    expect(seed?.wordCount).toBeGreaterThan(500);
  });
});

describe("the sample feed", () => {
  it("matches the golden file of normalized entries", async () => {
    const actual = `${JSON.stringify(withoutEnrichment(await sampleEntries()), null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(GOLDEN)) {
      writeFileSync(GOLDEN, actual);
      if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`normalize: ${GOLDEN} did not exist and was written; check it and commit it`);
    }
    expect(actual).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("normalizes the same bytes to the same entries on every run (except firstSeen)", async () => {
    const a = await sampleEntries();
    const feed = await parseFeed(readFileSync(SAMPLE, "utf8"), { timeoutMs: 10_000 });
    const b = normalizeFeed(feed, { ...OPTIONS, now: "2026-01-01T00:00:00.000Z" });
    expect(b.map((e) => ({ ...e, firstSeen: "" }))).toEqual(a.map((e) => ({ ...e, firstSeen: "" })));
  });
});

describe("Google Alerts (corpus feedjira__google_alerts_atom.xml)", () => {
  it("has plain titles without the <b> markup and the story, not the Google redirect, as link", async () => {
    const xml = readFileSync(resolve(ROOT, "test/fixtures/normalize/google-alerts.atom"), "utf8");
    const entries = normalizeFeed(await parseFeed(xml, { timeoutMs: 10_000 }), { ...OPTIONS, sourceId: "alerts", boilerplate: [] });
    expect(entries.length).toBe(20);
    for (const e of entries) {
      expect(e.title).not.toMatch(/[<>]|&lt;|&gt;|&amp;/);
      expect(e.link).toMatch(/^https?:\/\//);
      expect(e.id).toMatch(/^(?:tag:|https?:|urn:)/);
    }
    expect(entries.map((e) => e.title)).toContain("Recode Daily: Slack has a Snap problem");
    expect(entries.some((e) => e.link?.includes("google.com"))).toBe(false);
    expect(entries.map((e) => e.link)).toContain("https://investorplace.com/2019/07/slack-stock-truly-compelling/");
  });
});
