import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/decode/index.js";
import { mayHoldMojibake, repairMojibake } from "../../src/decode/repair-mojibake.js";
import { seededRandom } from "../helpers/seeded-random.js";

// windows-1252 for 0x80–0x9F, written out here (not taken from the code under test);
// the five undefined bytes are read as the C1 controls, as browsers and most converters do.
const CP1252 =
  "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

/** What a system that reads UTF-8 as windows-1252 writes. */
function misread(text: string): string {
  return [...Buffer.from(text, "utf8")].map((b) => (b >= 0x80 && b < 0xa0 ? CP1252[b - 0x80] : String.fromCharCode(b))).join("");
}

// Every Latin-1 and Latin Extended-A character, and the punctuation, currency and symbols of windows-1252.
const WESTERN = [...Array.from({ length: 0x180 - 0xa0 }, (_, i) => String.fromCharCode(0xa0 + i)), ..."‚„…†‡‰‹‘’“”•–—™›€"];

describe("repairMojibake", () => {
  it("puts back every Western character that UTF-8 read as windows-1252 made into two or three", () => {
    // In a text that went through the misreading (its "ñ" shows it), every such character comes back.
    for (const c of WESTERN) {
      expect(misread(c), c).not.toBe(c);
      expect(repairMojibake(`${misread("España")}: x${misread(c)}y`), `${c} from ${misread(c)}`).toBe(`España: x${c}y`);
    }
    // Real lines of the feed corpus.
    expect(repairMojibake("CataluÃ±a: els Reis porten la il·lusiÃ³")).toBe("Cataluña: els Reis porten la il·lusió");
    expect(repairMojibake("National â€º Publisher ordered to suspend")).toBe("National › Publisher ordered to suspend");
    expect(repairMojibake("spending Â£30 million")).toBe("spending £30 million");
  });

  it("reads C1 controls as the windows-1252 characters they were, including those left by a repair", () => {
    expect(repairMojibake("don\u0092t \u0093quoted\u0094 \u0080 5")).toBe("don’t “quoted” € 5");
    // UTF-8 for U+0092 misread: "Â" and the control; the repair gives U+0092, which is then read as "’".
    expect(repairMojibake("don\u00C2\u0092t")).toBe("don’t");
    // Bytes windows-1252 leaves undefined stay as they are.
    expect(repairMojibake("a\u0081b")).toBe("a\u0081b");
  });

  it("repairs a capital's quote-like run only where the text shows the misreading elsewhere", () => {
    // "Ä" between quotes is ordinary text; in a text with "Ã±" in it, "Ä”" is a misread "Ĕ".
    expect(repairMojibake("the letter “Ä” in German")).toBe("the letter “Ä” in German");
    expect(repairMojibake("EspaÃ±a “Ä” ")).toBe("España “Ĕ ");
    // A lone "Ã©" is proof enough.
    expect(repairMojibake("caf\u00C3\u00A9")).toBe("café");
  });

  it("leaves ordinary text alone, accented capitals before quotes and signs included", () => {
    for (const text of ["«PERÚ» „Gruß“ AQUÍ” SÃO PAULO CHÂTEAU café» ÉTÉ… Ã", "Åland’s “Ä” Â plain ASCII, 日本語, emoji 😀", "ÀÁÈÉÌÍÒÓÙÚ¿¡ ñÑ çÇ ß øØ"]) {
      expect(repairMojibake(text)).toBe(text);
    }
  });

  it("is found from the bytes whenever it changes the text (decodeBytes' fast path)", () => {
    const random = seededRandom(11);
    const pieces = ["a", " ", "é", "ñ", "’", "“", "€", "Ã", "Â", "Ä", "Å", "â", "©", "»", "\u0092", "\u0081", "\u009D", "€", "™", "…", "£", "—"];
    let changed = 0;
    for (let round = 0; round < 3000; round++) {
      let text = "";
      for (let i = Math.floor(random() * 12); i > 0; i--) text += pieces[Math.floor(random() * pieces.length)];
      const repaired = repairMojibake(text);
      if (repaired !== text) {
        changed++;
        expect(mayHoldMojibake(Buffer.from(text, "utf8")), JSON.stringify(text)).toBe(true);
      }
      expect(decodeBytes(Buffer.from(`<rss><t>${text}</t></rss>`, "utf8")).text, JSON.stringify(text)).toBe(`<rss><t>${repaired}</t></rss>`);
    }
    expect(changed).toBeGreaterThan(500);
  });

  it("repairs text decoded from windows-1252 and Latin-1 bytes too", () => {
    // Latin-1 declared: 0x92 is a C1 control in Latin-1, meant as windows-1252's "’".
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><rss><t>don'), Buffer.from([0x92]), Buffer.from("t</t></rss>")]);
    expect(decodeBytes(latin1).text).toContain("<t>don’t</t>");
    // A windows-1252 document with UTF-8 bytes pasted into it: C3 B1 (UTF-8 "ñ") reads as "Ã±", beside a real windows-1252 "é" (E9).
    const doubled = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="windows-1252"?><rss><t>Espa'),
      Buffer.from([0xc3, 0xb1, 0xe9]),
      Buffer.from("a</t></rss>"),
    ]);
    expect(decodeBytes(doubled).text).toContain("<t>Españéa</t>");
  });
});
