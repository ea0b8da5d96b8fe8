import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_TITLE, type ServedProject, servedProject } from "./served-project.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`index page browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!hasChromium)("the index page in headless Chromium", () => {
  let served: ServedProject;
  let browser: Browser;

  beforeAll(async () => {
    served = await servedProject();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("lists every feed with autodiscovery links, and nothing from the feeds runs", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    const response = await page.goto(served.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");

    const alternates = await page.$$eval('link[rel="alternate"]', (ls) => ls.map((l) => `${l.getAttribute("type")} ${l.getAttribute("href")}`));
    for (const path of ["all", "topics/military", "topics/economy", "sources/wire", "sources/markets", "sources/hostile"]) {
      expect(alternates).toContain(`application/rss+xml http://127.0.0.1:1/${path}.rss`);
      expect(alternates).toContain(`application/atom+xml http://127.0.0.1:1/${path}.atom`);
      expect(alternates).toContain(`application/feed+json http://127.0.0.1:1/${path}.json`);
    }
    const rows = await page.$$eval("#feeds tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim())));
    expect(rows).toContainEqual(["feed-enricher", "19", "RSSAtomJSON Feed"]);
    expect(rows).toContainEqual(["feed-enricher: Wire Service", "12", "RSSAtomJSON Feed"]);
    // A title with markup is shown as text; its markup never became elements.
    expect(rows.find((r) => r[0] === `feed-enricher: ${HOSTILE_TITLE}`)).toBeTruthy();
    expect(await page.locator("#latest-all").textContent()).toContain(HOSTILE_TITLE);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.locator("main script, main img").count()).toBe(0);
    // The stylesheet loaded (allowed by the CSP), and nothing was refused.
    expect(await page.evaluate('getComputedStyle(document.querySelector(".panel:not(#latest-all)")).display')).toBe("none");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("filters the latest entries by topic without JavaScript, and fits a phone screen", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto(served.url);
    expect(await page.locator("#latest-all").isVisible()).toBe(true);
    const everyTitle = await page.locator("#latest-all .entry-title").allTextContents();
    expect(everyTitle.some((t) => t.includes("markets story"))).toBe(true);
    expect(everyTitle.some((t) => t.includes("wire story"))).toBe(true);

    await page.click('.topic-filter a[href="#topic-economy"]');
    expect(page.url()).toMatch(/#topic-economy$/);
    expect(await page.locator("#latest-all").isVisible()).toBe(false);
    const panel = page.locator("#topic-economy");
    expect(await panel.isVisible()).toBe(true);
    const titles = await panel.locator(".entry-title").allTextContents();
    expect(titles.length).toBe(6);
    expect(titles.every((t) => t.includes("markets story"))).toBe(true);
    // Every entry shown carries the tag it was filtered by.
    const tagLists = await panel
      .locator("ol.entries > li")
      .evaluateAll((lis) => lis.map((li) => [...li.querySelectorAll(".tags a")].map((a) => a.getAttribute("href"))));
    expect(tagLists.every((tags) => tags.includes("#topic-economy"))).toBe(true);
    // Only one panel shows at a time.
    expect(await page.locator("section.panel:visible").count()).toBe(1);

    await page.click('.topic-filter a[href="#latest-all"]');
    expect(await page.locator("#latest-all").isVisible()).toBe(true);
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(375);
    await context.close();
  });
});
