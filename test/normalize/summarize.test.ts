import { describe, expect, it } from "vitest";
import { collapseSpaces } from "../../src/normalize/html-text.js";
import { collapseCountingWords, countWords, countWordsByPattern, summarize } from "../../src/normalize/summarize.js";

// countWords counts without building the array of matches; it must agree with
// the pattern that defines a word, on news prose and on awkward text.
const SAMPLES = [
  "",
  "one",
  "don't stop the active-duty U.S. troops: 1,500 of them.",
  "a.-b a..b a.b .a a. -a- ’quoted’ it’s",
  "Señal, niños y acción — año 2025; São Paulo, Zürich.",
  "日本語のテキスト 中文 한국어 العربية русский",
  "emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟙𝟚𝟛",
  "lone \uD800 high and \uDC00 low surrogates x\uD800y",
  "tabs\tand\nnewlines\r\nand\u00a0nbsp\u200bzero-width",
  "Ⅻ ½ ² ٣ digits of other scripts",
];

describe("countWords", () => {
  it("agrees with the word pattern", () => {
    for (const s of SAMPLES) expect(countWords(s), JSON.stringify(s)).toBe(countWordsByPattern(s));
  });

  it("agrees with the word pattern on random mixes of letters, digits, joiners and spaces", () => {
    const alphabet = ["a", "Z", "5", "é", "ß", "日", "😀", "𝔘", "'", "’", ".", ",", "-", " ", "\n", "_", "\uD800", "\uDC00", "Ⅻ"];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let k = 0; k < 2000; k++) {
      let s = "";
      const len = next() % 30;
      for (let i = 0; i < len; i++) s += alphabet[next() % alphabet.length];
      expect(countWords(s), JSON.stringify(s)).toBe(countWordsByPattern(s));
    }
  });
});

describe("collapseCountingWords", () => {
  it("is collapseSpaces and the word pattern's count, on the samples and on random mixes with every kind of space", () => {
    const alphabet = [
      "a",
      "Z",
      "5",
      "é",
      "日",
      "😀",
      "'",
      ".",
      "-",
      " ",
      " ",
      " ",
      "\n",
      "\t",
      "\r",
      "\u00a0",
      "\u200b",
      "\u2028",
      "\ufeff",
      "\u3000",
      "\uD800",
      "_",
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const texts = [...SAMPLES, " lead", "trail ", "two  spaces", "a b c", " ", ""];
    for (let k = 0; k < 3000; k++) {
      let s = "";
      const len = next() % 30;
      for (let i = 0; i < len; i++) s += alphabet[next() % alphabet.length];
      texts.push(s);
    }
    for (const s of texts) {
      const { text, words } = collapseCountingWords(s);
      expect(text, JSON.stringify(s)).toBe(collapseSpaces(s));
      expect(words, JSON.stringify(s)).toBe(countWordsByPattern(s));
    }
  });
});

describe("summarize", () => {
  it("gives the same summary from a long body as from its whole collapsed text", () => {
    const sentence = "The ministry said on Tuesday that troops would stay at the border.  ";
    const body = `  ${sentence.repeat(60)}\n\n${"word ".repeat(400)}`;
    const whole = body.replace(/\s+/g, " ").trim();
    expect(summarize(body)).toBe(summarize(whole));
    expect(summarize(body, 80)).toBe(summarize(whole, 80));
    // Whitespace-heavy heads fall back to the whole text.
    const sparse = `${" \n ".repeat(2000)}short tail`;
    expect(summarize(sparse)).toBe("short tail");
  });
});
