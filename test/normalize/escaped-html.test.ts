import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { unescapeTwiceEscaped } from "../../src/normalize/escaped-html.js";
import { normalizeFeed } from "../../src/normalize/index.js";
import { parseFeed } from "../../src/parse/index.js";

const OPTIONS = { sourceId: "r", feedUrl: "https://www.reddit.com/.rss", trackingParams: [], boilerplate: [], now: "2026-01-01T00:00:00.000Z" };

describe("HTML escaped twice", () => {
  it("is unescaped once when the body holds no tag, starts with an escaped one and closes one", () => {
    expect(unescapeTwiceEscaped("&lt;!-- SC_OFF --&gt;&lt;div class=&quot;md&quot;&gt;&lt;p&gt;A &amp;amp; B&lt;/p&gt;&lt;/div&gt;")).toBe(
      '<!-- SC_OFF --><div class="md"><p>A &amp; B</p></div>',
    );
    expect(unescapeTwiceEscaped("  &lt;p&gt;One&lt;br/&gt;two&lt;/p&gt;")).toBe("  <p>One<br/>two</p>");
  });

  it("unescapes the run of text before a body's first tag, escaped twice or (read as markup) three times", () => {
    expect(unescapeTwiceEscaped('&lt;div class="md"&gt;&lt;p&gt;Hi&lt;/p&gt;&lt;/div&gt; by <a href="u">me</a>')).toBe(
      '<div class="md"><p>Hi</p></div> by <a href="u">me</a>',
    );
    expect(unescapeTwiceEscaped("&amp;lt;p&amp;gt;A &amp;amp;amp; B&amp;lt;/p&amp;gt; by <a>me</a>")).toBe("<p>A &amp; B</p> by <a>me</a>");
    const tutorial = "Use the &lt;div&gt; element, then close it with &lt;/div&gt;. <b>Always.</b>";
    expect(unescapeTwiceEscaped(tutorial)).toBe(tutorial);
    const html = "<p>&lt;p&gt; opens a paragraph, &lt;/p&gt; closes it</p>";
    expect(unescapeTwiceEscaped(html)).toBe(html);
  });

  it("leaves alone HTML escaped once, and text that only mentions a tag", () => {
    for (const body of [
      "<p>Use the &lt;div&gt; element, then close it with &lt;/div&gt;.</p>",
      "Use the &lt;div&gt; element, then close it with &lt;/div&gt;.",
      "&lt;3 to everyone who came",
      "&lt;p&gt; opens a paragraph",
      "plain text",
    ]) {
      expect(unescapeTwiceEscaped(body)).toBe(body);
    }
  });

  it("gives Reddit's twice-escaped bodies as HTML, and no markup in their summaries (corpus)", async () => {
    const bytes = readFileSync(new URL("../fixtures/corpus/rss-parser__reddit-atom.rss", import.meta.url));
    const entries = normalizeFeed(await parseFeed(decodeBytes(bytes).text, { timeoutMs: 10_000 }), OPTIONS);
    const joke = entries.find((e) => e.title.startsWith("What do you call 5"));
    expect(joke?.contentHtml).toMatch(/^<div><p>A threesome<\/p>/);
    expect(joke?.summary).toMatch(/^A threesome/);
    // The links Reddit wrote as elements follow the text, in their order.
    const after = joke?.contentHtml.indexOf("submitted by") ?? -1;
    expect(after).toBeGreaterThan(0);
    expect(joke?.contentHtml.slice(after)).toMatch(
      /^submitted by\s*<a href="https:\/\/www\.reddit\.com\/user\/illestprodigy"[^>]*>illestprodigy<\/a>\s*to\s*<a /,
    );
    for (const e of entries) {
      expect(e.summary, e.title).not.toMatch(/<|&lt;|SC_OFF/);
      expect(e.contentHtml, e.title).not.toContain("&lt;");
    }
  });
});
