import { describe, expect, it } from "vitest";
import { collapseSpaces, textLines } from "../../src/normalize/html-text.js";
import { htmlToText, plainTitle } from "../../src/normalize/index.js";
import { countWords, summarize } from "../../src/normalize/summarize.js";
import { seededRandom } from "../helpers/seeded-random.js";

// [raw title as the parser hands it over (entities of the XML already decoded once), expected, origin]
const TITLES: Array<[string, string, string]> = [
  [
    "*U.S. military sends troops to Mexico border amid Trump immigration crackdown*",
    "U.S. military sends troops to Mexico border amid Trump immigration crackdown",
    "markdown emphasis, seed story (config/sample/radiohc-en.rss)",
  ],
  [
    "<b>Slack</b> Stock Has a Compelling Story and the Numbers to Back It Up",
    "Slack Stock Has a Compelling Story and the Numbers to Back It Up",
    "Google Alerts title (corpus feedjira__google_alerts_atom.xml)",
  ],
  ["Recode Daily: <b>Slack</b> has a Snap problem", "Recode Daily: Slack has a Snap problem", "Google Alerts title"],
  ["Chas &amp; Dave", "Chas & Dave", "entity decoded once"],
  ["Chas &amp;amp; Dave", "Chas &amp; Dave", "double-encoded: decoded once only, the rest is literal text"],
  ["AT&T &lt;3 fans", "AT&T <3 fans", "bare ampersand and an escaped <"],
  ["  Trump says\n  Mexico  would repay   U.S. ", "Trump says Mexico would repay U.S.", "whitespace collapsed"],
  ["**Breaking**: _markets_ rally", "Breaking: markets rally", "bold and underscore emphasis"],
  ["snake_case_name stays", "snake_case_name stays", "underscores inside words are not emphasis"],
  ["5 * 3 * 2 = 30", "5 * 3 * 2 = 30", "lone asterisks with spaces are not emphasis"],
  ["Hello<script>alert(1)</script> world", "Hello world", "script content dropped"],
  ["Caf\u00e9 &eacute;t&eacute;", "Caf\u00e9 \u00e9t\u00e9", "named entities"],
];

describe("plainTitle", () => {
  it.each(TITLES)("%j → %j (%s)", (raw, expected) => {
    expect(plainTitle(raw)).toBe(expected);
  });

  it("returns text that needs no step as it is, and agrees with the full path on any text", () => {
    // An empty element appended sends the text through the parser and every
    // step; it adds no text, so the answer must be the same.
    const rnd = seededRandom(11);
    const alphabet = ["a", "B", "é", "😀", " ", " ", "  ", "\n", "\t", "\u00a0", "\u200b", "*", "_", "**", "&amp;", "&", "<", "x_y", "5 * 3"];
    for (let n = 0; n < 500; n++) {
      let raw = "";
      const length = Math.floor(rnd() * 12);
      for (let i = 0; i < length; i++) raw += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(plainTitle(raw), JSON.stringify(raw)).toBe(plainTitle(`${raw}<b></b>`));
    }
    const clean = "Striker scores twice as team qualifies for World Cup";
    expect(plainTitle(clean)).toBe(clean);
  });
});

describe("htmlToText", () => {
  it("puts blocks on their own lines and decodes entities once", () => {
    expect(htmlToText("<p>One &amp; two</p><p>Three<br>four</p><ul><li>a</li><li>b</li></ul>")).toBe("One & two\nThree\nfour\na\nb");
  });
});

describe("summarize", () => {
  const STORY =
    "The U.S. military has started to send 1,500 active-duty troops to the country's southern border with Mexico, as part of President Donald Trump's long-promised crackdown on immigration. The White House confirmed the troop movement on Wednesday, though the full details of the order have yet to be released. Officials told U.S. media that the service members involved included 500 marines.";

  it("keeps short text as it is", () => {
    expect(summarize("A short story.")).toBe("A short story.");
  });

  it("cuts at the last sentence end within the limit", () => {
    const s = summarize(STORY);
    expect(s.length).toBeLessThanOrEqual(300);
    expect(s).toBe(
      "The U.S. military has started to send 1,500 active-duty troops to the country's southern border with Mexico, as part of President Donald Trump's long-promised crackdown on immigration.",
    );
  });

  it("cuts at a word boundary with an ellipsis when no sentence ends late enough", () => {
    const long = "word ".repeat(100).trim();
    const s = summarize(long, 50);
    expect(s.length).toBeLessThanOrEqual(50);
    expect(s.endsWith("word…")).toBe(true);
  });

  it("never cuts inside a word", () => {
    const s = summarize("Supercalifragilistic expialidocious ".repeat(20), 100);
    expect(s).toMatch(/(?:Supercalifragilistic|expialidocious)…$/);
  });
});

describe("countWords", () => {
  it("counts words in any script, numbers included, hyphenated words once", () => {
    expect(countWords("The U.S. military sent 1,500 active-duty troops.")).toBe(7);
    expect(countWords("Соединённые Штаты направили войска")).toBe(4);
    expect(countWords("")).toBe(0);
  });
});

describe("summarize at sentence ends", () => {
  it.each([
    ["Officials told U.S. media that the service members involved included 500 marines.", "U.S."],
    ["The meeting with Mr. Smith was set for Jan. 5 in the capital city of the country.", "Mr., Jan."],
    ["He said: “We will win.” Then he left the room and went home to his family at last.", "closing quote"],
  ])("does not cut after an abbreviation: %j (%s)", (sentence) => {
    const text = `${sentence} ${"Another sentence follows here. ".repeat(20)}`;
    const s = summarize(text, sentence.length + 20);
    expect(s.startsWith(sentence)).toBe(true);
  });
});

describe("textLines", () => {
  // The definition: split into lines, collapse each line's spaces, drop empty lines.
  const byLines = (raw: string) =>
    raw
      .split("\n")
      .map((l) => l.replace(/[\s\u00a0\u200b]+/g, " ").trim())
      .filter((l) => l !== "")
      .join("\n");

  it("collapses as the line-by-line definition does, on seeded random mixes of spaces and line breaks", () => {
    const alphabet = ["a", "b", " ", "\n", "\u00a0", "\u200b", "\r", "\t", "\u2028", "é", "\n\n"];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      let raw = "";
      for (let k = next() % 40; k > 0; k--) raw += alphabet[next() % alphabet.length];
      expect(textLines(raw), JSON.stringify(raw)).toBe(byLines(raw));
    }
    expect(textLines("\n \u00a0 First  line \n\n\u200b\n second\u00a0line \n")).toBe("First line\nsecond line");
  });

  it("collapseSpaces replaces every run of spaces, as the one-regex definition does", () => {
    const alphabet = ["a", " ", "  ", "\n", "\u00a0", "\u200b", "\t", "\u2028", "é"];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      let raw = "";
      for (let k = next() % 30; k > 0; k--) raw += alphabet[next() % alphabet.length];
      expect(collapseSpaces(raw), JSON.stringify(raw)).toBe(raw.replace(/[\s\u00a0\u200b]+/g, " ").trim());
      expect(plainTitle(raw.replace(/\u200b/g, ""))).toBe(plainTitle(raw.replace(/\u200b/g, "").replace(/\s+/g, " ")));
    }
  });
});

describe("htmlToText of markup-free text with references", () => {
  it("decodes as the HTML parser does", () => {
    const parts = [
      "&amp;",
      "&amp",
      "&#x41;",
      "&#65",
      "&notit;",
      "&not",
      "&#0;",
      "&#x80;",
      "&#xD800;",
      "&#1114112;",
      "&AMP;",
      "&lt",
      "&nbsp",
      "&",
      "&#",
      "a",
      " ",
      "\n",
      "&semi;",
      "&#x1F600;",
    ];
    let seed = 3;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed >> 8;
    };
    for (let i = 0; i < 3000; i++) {
      let raw = "&";
      for (let k = next() % 10; k > 0; k--) raw += parts[next() % parts.length];
      // A leading tag sends the same text through the parser.
      expect(htmlToText(raw), JSON.stringify(raw)).toBe(htmlToText(`<span></span>${raw}`));
    }
  });
});
