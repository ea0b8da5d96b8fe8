import { describe, expect, it } from "vitest";
import { opensSentence } from "../../src/enrich/english-names.js";
import { compileMatcher, extractEntities, tagText } from "../../src/enrich/index.js";
import { capitalStarts, matchesAtCapitals } from "../../src/enrich/tokenize.js";
import { oneTopicTaxonomy, term } from "../helpers/one-topic-taxonomy.js";

// The enrich stage's shortcuts (candidate positions instead of a regex
// lookbehind at every character, a character loop instead of regexes,
// per-word context masks, reused hit buffers) must give exactly what the
// plain formulation gives. test/bench/enrich-ab.ts compares whole results
// with the previous implementation on the dev set, the corpus and generated
// text; these pin the edge cases.

const SAMPLES = [
  "The U.S. Senate met. O'Brien and D'Arcy spoke; 'Quoted Name' said Ana María López de la Cruz.",
  "Ünal Çelik met Élodie Durand in São Paulo. МОСКВА and Αθήνα are capitals; İstanbul too.",
  "x.Y z’Zed 9Nine aBc ABC-Def (Paren Name) “Quoted Start” \u00a0Nbsp Name\nLine Start",
  "An astral 𝐀Bold letter, an emoji 😀 Then Capital, and 𐐀Deseret.",
  "",
  "A",
  "Immigration and Customs Enforcement and the UNHCR, not UNHCRX; EU-wide; the EU.",
];

describe("entity scanners", () => {
  const patterns: Array<[RegExp, boolean]> = [
    [/(?<![\p{L}\p{N}'’.])\p{Lu}[\p{L}\p{N}'’&-]*\.?(?:[ \u00a0]+(?:(?:of|the|and)[ \u00a0]+)*\p{Lu}[\p{L}\p{N}'’&-]*\.?)*/gu, true],
    [/(?<![\p{L}\p{N}])\p{Lu}[\p{L}'’-]*(?:\s+(?:(?:de|del|la)\s+)?\p{Lu}[\p{L}'’-]*)*/gu, false],
    [/(?<![\p{L}\p{N}])(?:Immigration and Customs Enforcement|UNHCR|EU|UN)(?![\p{L}\p{N}])/gu, false],
  ];

  it("find at capitals exactly what the regex finds everywhere, astral text included", () => {
    for (const text of SAMPLES) {
      for (const [global, notAfterPunctuation] of patterns) {
        const sticky = new RegExp(global.source, "uy");
        const fast = matchesAtCapitals(text, capitalStarts(text), sticky, global, notAfterPunctuation).map((m) => [m.index, m[0]]);
        expect(fast, `${global.source} on ${text}`).toEqual([...text.matchAll(global)].map((m) => [m.index, m[0]]));
      }
    }
    // Astral characters send the text through the regex itself.
    expect(capitalStarts(SAMPLES[3]!)).toBeUndefined();
    expect(capitalStarts(SAMPLES[0]!)).toBeDefined();
  });

  it("tell a sentence start as the lookbehind regexes did", () => {
    const openers = '.!?:"“(';
    const chars = ["a", ".", "!", "(", "“", '"', " ", "\n", "\t", "\u00a0", "\u2003", "\r", ",", "Z"];
    let checked = 0;
    for (const a of chars)
      for (const b of chars)
        for (const c of chars)
          for (const lead of ["", "x"]) {
            const text = `${lead}${a}${b}${c}Name`;
            const index = text.length - 4;
            const before = text.slice(Math.max(0, index - 3), index);
            const expected = index === 0 || /[.!?:"“(]\s*$/.test(before) || /\n\s*$/.test(before);
            expect(opensSentence(text, index, openers), JSON.stringify(text)).toBe(expected);
            checked++;
          }
    expect(opensSentence("Name", 0, openers)).toBe(true);
    expect(checked).toBe(chars.length ** 3 * 2);
  });

  it("give the same entities on a second call (cached runs and names)", () => {
    const body = "Officials said Jane Doe met Sen. John Smith at the White House. Later, President Donald Trump said Karoline Leavitt was right.";
    const first = extractEntities("Border talks", body, "en");
    expect(first.map((e) => `${e.kind}:${e.name}`)).toEqual(expect.arrayContaining(["person:Jane Doe", "organization:White House"]));
    expect(extractEntities("Border talks", body, "en")).toEqual(first);
  });
});

describe("matcher fast paths", () => {
  it("keeps context lists apart beyond the first 32 (several mask words per word)", () => {
    // 40 terms, each with its own near list: list ids run past one 32-bit mask word.
    const terms = Array.from({ length: 40 }, (_, i) => term(`word${i}`, { requireNear: [`ctx${i}`] }));
    const m = compileMatcher(oneTopicTaxonomy(terms));
    const phrases = (text: string) => tagText(m, { title: "", body: text }).flatMap((t) => t.matches.map((p) => p.phrase));
    expect(phrases("word35 near ctx35")).toEqual(["word35"]);
    expect(phrases("word35 near ctx3")).toEqual([]);
    expect(phrases("word3 near ctx35")).toEqual([]);
    expect(phrases("word39 ctx39 word0 ctx0").sort()).toEqual(["word0", "word39"]);
  });

  it("reports the same hits through scan and through a reused hit list, past its first capacity", () => {
    const m = compileMatcher(oneTopicTaxonomy([term("border"), term("border patrol"), term("deport*", { forbidNear: ["sports"] })]));
    const text = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? "border patrol" : i % 3 === 1 ? "deportation" : "sports deportment")).join(" ");
    const { hits, words } = m.scan(text);
    expect(words).toBe(667);
    expect(hits.length).toBeGreaterThan(256);
    // A decomposed accent is read precomposed ("r" + U+0301 is "ŕ", folded to "r"), with the larger scan's buffers reused.
    const small = m.scan("Borde\u0301r patrol and Borderr\u0301 patrol");
    expect(small.hits.map((h) => [h.ref.term.text, h.start, h.length])).toEqual([
      ["border", 0, 1],
      ["border patrol", 0, 2],
    ]);
  });

  it("steps the character automaton to exact words, stems, context stems and words that outrun every key", () => {
    const m = compileMatcher(
      oneTopicTaxonomy([
        term("migra*", { forbidNear: ["sport*", "football club"] }),
        term("asylum", { requireNear: ["law", "court*"], windowWords: 3 }),
        term("law enforcement"),
      ]),
    );
    const phrases = (text: string) => tagText(m, { title: "", body: text }).flatMap((t) => t.matches.map((p) => `${p.phrase}×${p.count}`));
    // A stem matches a word equal to it and any longer word; a shorter word dies inside it.
    expect(phrases("migra migrants MIGRACIÓN migr")).toEqual(["migra*×3"]);
    // A word that passes a context stem and then outruns every key still carries that stem.
    expect(phrases("migrants sportsmanship")).toEqual([]);
    expect(phrases("migrants spor")).toEqual(["migra*×1"]);
    // A context phrase needs all its words; its first word alone is not enough.
    expect(phrases("migrants football club")).toEqual([]);
    expect(phrases("migrants football")).toEqual(["migra*×1"]);
    // An exact context word is not a prefix: "lawyer" is not "law"; a context stem is.
    expect(phrases("asylum lawyer")).toEqual([]);
    expect(phrases("asylum law")).toEqual(["asylum×1"]);
    expect(phrases("asylum courts")).toEqual(["asylum×1"]);
    // Only the window's listed words count: three words away is near, four is not.
    expect(phrases("asylum a b law")).toEqual(["asylum×1"]);
    expect(phrases("asylum a b c law")).toEqual([]);
    // "law" is both a context word and a phrase's first word.
    expect(phrases("law enforcement and asylum")).toEqual(["asylum×1", "law enforcement×1"]);
  });

  it("finds every exact word and stem over a small alphabet, where the automaton's edges share slots", () => {
    // Seeded: three letters make many states with edges on the same columns, packed side by side in the
    // double array; "d" is a word character in no key. Expected hits come from plain string comparison.
    let seed = 7;
    const rnd = (k: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % k;
    };
    const word = (alphabet: string, max: number) => Array.from({ length: 1 + rnd(max) }, () => alphabet[rnd(alphabet.length)]).join("");
    const keys = [...new Set(Array.from({ length: 60 }, () => word("abc", 4) + (rnd(2) === 0 ? "*" : "")))];
    const m = compileMatcher(oneTopicTaxonomy(keys.map((k) => term(k))));
    const words = Array.from({ length: 400 }, () => word("abcd", 6));
    const expected: string[] = [];
    words.forEach((w, i) => {
      for (const k of keys) if (k.endsWith("*") ? w.startsWith(k.slice(0, -1)) : w === k) expected.push(`${i} ${k}`);
    });
    const { hits, words: count } = m.scan(words.join(" "));
    expect(count).toBe(words.length);
    expect(hits.map((h) => `${h.start} ${h.ref.term.text}`).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(100);
  });

  it("scans with an empty taxonomy, and text of every string representation alike", () => {
    const empty = compileMatcher(oneTopicTaxonomy([]));
    expect(empty.scan("nothing to find here")).toEqual({ hits: [], words: 4 });
    const m = compileMatcher(oneTopicTaxonomy([term("border patrol"), term("migra*")]));
    const long = `${"x".repeat(20)} border patrol migrants`;
    const hitsOf = (text: string) => m.scan(text).hits.map((h) => [h.ref.term.text, h.start]);
    const want = [
      ["border patrol", 1],
      ["migra*", 3],
    ];
    // A flat string, a slice of a larger one, and a concatenation read the same.
    expect(hitsOf(long)).toEqual(want);
    expect(hitsOf(`((${long}))`.slice(2, -2))).toEqual(want);
    expect(hitsOf(["x".repeat(20), " border", " patrol ", "migrants"].reduce((a, b) => a + b))).toEqual(want);
    // The last word ends at the end of the text.
    expect(hitsOf("migra")).toEqual([["migra*", 0]]);
  });

  it("reads a text precomposed exactly when it holds a combining accent, wherever the byte 3 shows up", () => {
    // U+212B (Kelvin-style Angstrom sign) folds to "å" as written, to "a" once NFC makes it U+00C5:
    // "angstrom" matches only in a text that was normalized.
    const m = compileMatcher(oneTopicTaxonomy([term("angstrom")]));
    const found = (text: string) => m.scan(text).hits.length;
    expect(found("\u212Bngstrom")).toBe(0);
    expect(found("\u212Bngstrom e\u0301")).toBe(1);
    // Greek (U+03xx above U+036F), U+0103 and U+2003 put a 3 byte in the copy without being accents.
    expect(found("Αθήνα \u0370 ă\u2003\u212Bngstrom \u0103\u0203")).toBe(0);
    expect(found("Αθήνα \u0370 ă\u2003\u212Bngstrom \u0103\u0203\u036f")).toBe(1);
    expect(found("\u0300 \u212Bngstrom")).toBe(1);
  });
});
