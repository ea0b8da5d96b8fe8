import { describe, expect, it } from "vitest";
import type { RawItem } from "../../src/model/index.js";
import { TEXT_BREAK } from "../../src/normalize/block-elements.js";
import { htmlToText, normalizeFeedWithText } from "../../src/normalize/index.js";
import { extractNewsStructure } from "../../src/normalize/news-structure.js";
import { sanitizeHtml } from "../../src/normalize/sanitize-content.js";

// One definition of the elements that separate words (block-elements.ts),
// checked through every text the normalize stage makes from HTML: plain text
// (htmlToText: what enrich tags and retag recomputes), the body text a summary
// is cut from (news structure), and the sanitized HTML itself when a block
// element it does not keep is unwrapped.

const TABLE =
  "<table><caption>Arrests by month</caption><thead><tr><th>Month</th><th>Immigration</th></tr></thead>" +
  "<tbody><tr><td>January</td><td>policy</td></tr><tr><td>February</td><td>1,200</td></tr></tbody></table>";
const DEFINITIONS = "<dl><dt>ICE</dt><dd>Immigration and Customs Enforcement</dd><dt>CBP</dt><dd>Customs and Border Protection</dd></dl>";
const FIGURE = '<figure><img src="https://example.com/a.jpg" alt="Troops"><figcaption>Troops at the border</figcaption></figure><p>The story.</p>';
const SECTIONS =
  "<article><header>Border</header><section><h2>Troops</h2>Sent south</section><section>Marines</section>" +
  "<aside>Related</aside><footer>Filed</footer></article><details><summary>More</summary>Details</details>";

// [html, htmlToText, origin]
const TEXT: Array<[string, string, string]> = [
  [TABLE, "Arrests by month\nMonth Immigration\nJanuary policy\nFebruary 1,200", "table: caption and rows on lines, cells by a space"],
  [DEFINITIONS, "ICE\nImmigration and Customs Enforcement\nCBP\nCustoms and Border Protection", "definition list"],
  [FIGURE, "Troops at the border\nThe story.", "figure with figcaption"],
  [SECTIONS, "Border\nTroops\nSent south\nMarines\nRelated\nFiled\nMore\nDetails", "sections, articles, header, footer, aside, details"],
  ["<address>Desk</address><main>Body</main><nav>Menu</nav>", "Desk\nBody\nMenu", "address, main, nav"],
  ["<ul><li>one<ol><li>two</li></ol></li><li>three</li></ul>", "one\ntwo\nthree", "nested list items"],
  ["<b>Im</b>migration <em>pol</em>icy", "Immigration policy", "bold and emphasis inside a word add no space"],
  ['<a href="https://example.com/">Immi</a>gration <span>pol</span>icy', "Immigration policy", "link and span inside a word add no space"],
  [
    "<i>a</i><strong>b</strong><code>c</code><small>d</small><abbr>e</abbr><time>f</time><sub>g</sub><sup>h</sup><mark>i</mark><q>j</q>",
    "abcdefghij",
    "phrasing content adds nothing",
  ],
  ["One<br>two<br/>three", "One\ntwo\nthree", "br is a line break"],
  ["<td>a</td><td>b</td>", "a b", "cells outside a table still separate words"],
];

describe("htmlToText separates the words of blocks and cells, and only those", () => {
  it.each(TEXT)("%j → %j (%s)", (html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });

  it("puts the cells of a row on one line and each row on its own", () => {
    const lines = htmlToText(TABLE).split("\n");
    expect(lines).toContain("January policy");
    expect(lines).not.toContain("January");
  });
});

describe("TEXT_BREAK", () => {
  it("has no phrasing content but br (HTML Living Standard §3.2.5.2.5)", () => {
    for (const inline of ["a", "b", "i", "em", "strong", "span", "code", "small", "abbr", "time", "sub", "sup", "mark", "q", "cite", "img", "u", "s"]) {
      expect(TEXT_BREAK.has(inline), inline).toBe(false);
    }
    expect(TEXT_BREAK.get("br")).toBe("\n");
  });

  it("separates cells by a space and rows, captions, list items, terms and definitions by a line break", () => {
    expect([TEXT_BREAK.get("td"), TEXT_BREAK.get("th")]).toEqual([" ", " "]);
    for (const block of ["tr", "caption", "li", "dt", "dd", "figcaption", "section", "article", "p", "div", "h1"]) {
      expect(TEXT_BREAK.get(block), block).toBe("\n");
    }
  });
});

describe("news structure body text", () => {
  it.each([
    [TABLE, "Arrests by month Month Immigration January policy February 1,200"],
    [DEFINITIONS, "ICE Immigration and Customs Enforcement CBP Customs and Border Protection"],
    ["<div>Intro<p>para</p>outro</div>", "Intro para outro"],
    ["<blockquote>Quote<p>para</p></blockquote>", "Quote para"],
    ["<ul><li>Item<ul><li>sub</li></ul></li></ul>", "Item sub"],
    ['<p><b>Im</b>migration <a href="https://example.com/">pol</a>icy<br>next</p>', "Immigration policy next"],
  ])("%j → %j", (html, expected) => {
    const s = extractNewsStructure(sanitizeHtml(html, { base: undefined, isTracking: () => false }), []);
    expect(s.bodyText.split("\n").join(" ")).toBe(expected);
  });
});

describe("sanitizer", () => {
  it("leaves a line break where it unwraps a block it does not keep", () => {
    const { html } = sanitizeHtml("<article><header>Head</header><section>a</section><section>b</section></article>", {
      base: undefined,
      isTracking: () => false,
    });
    expect(html).toBe("Head\na\nb\n");
  });

  it("adds nothing where it unwraps phrasing content", () => {
    const { html } = sanitizeHtml("<p><font>Im</font>migration <label>pol</label>icy</p>", { base: undefined, isTracking: () => false });
    expect(html).toBe("<p>Immigration policy</p>");
  });
});

describe("normalize", () => {
  const normalize = (html: string) => {
    const item: RawItem = { title: "T", link: "https://example.com/1", content: html, authors: [], categories: [], enclosures: [], media: [] };
    const [n] = normalizeFeedWithText(
      { format: "rss", link: "https://example.com/", repairs: [], items: [item] },
      {
        sourceId: "test",
        trackingParams: [],
        boilerplate: [],
        now: "2026-01-01T00:00:00.000Z",
      },
    );
    return { entry: n!.entry, text: n!.contentText() };
  };

  it.each([
    [TABLE, ["January policy", "Month Immigration"]],
    [SECTIONS, ["Sent south", "Marines"]],
    [DEFINITIONS, ["ICE", "Immigration and Customs Enforcement"]],
  ])("tags, counts and summarizes separate words: %j", (html, lines) => {
    const { entry, text } = normalize(html);
    expect(text).toBe(htmlToText(entry.contentHtml));
    for (const line of lines) expect(text.split("\n")).toContain(line);
    expect(text).not.toMatch(/Immigrationpolicy|MonthImmigration|southMarines|ICEImmigration/);
    expect(entry.summary).not.toMatch(/Januarypolicy|southMarines|ICEImmigration/);
    expect(entry.wordCount).toBe(text.split(/\s+/).length);
  });
});
