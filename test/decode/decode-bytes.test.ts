import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { charsetFromContentType, decodeBytes } from "../../src/decode/index.js";
import { repairMojibake } from "../../src/decode/repair-mojibake.js";
import { stripIllegalXmlChars } from "../../src/shared/xml-text.js";
import { seededRandom } from "../helpers/seeded-random.js";

const rss = (title: string, encoding?: string) =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ""}?>\n<rss version="2.0"><channel><title>${title}</title></channel></rss>`;

const encode = (text: string, charset: string) => new Uint8Array(iconv.encode(text, charset));
const concat = (...parts: Array<number[] | Uint8Array>) => new Uint8Array(parts.flatMap((p) => [...p]));

describe("decodeBytes: byte order marks", () => {
  const title = "Iñtërnâtiônàlizætiøn € 日本";
  it.each([
    ["utf-8", [0xef, 0xbb, 0xbf]],
    ["utf-16le", [0xff, 0xfe]],
    ["utf-16be", [0xfe, 0xff]],
    ["utf-32le", [0xff, 0xfe, 0x00, 0x00]],
    ["utf-32be", [0x00, 0x00, 0xfe, 0xff]],
  ])("%s BOM wins over a declaration that says otherwise", (charset, bom) => {
    const bytes = concat(bom, encode(rss(title, "iso-8859-1"), charset));
    const decoded = decodeBytes(bytes, "text/xml; charset=windows-1251");
    expect(decoded.charset).toBe(charset);
    expect(decoded.via).toBe("bom");
    expect(decoded.text).toContain(`<title>${title}</title>`);
    expect(decoded.text.charCodeAt(0)).not.toBe(0xfeff);
  });
});

describe("decodeBytes: UTF-16 without a BOM", () => {
  it.each(["utf-16le", "utf-16be"])("recognises %s from the NUL bytes around '<'", (charset) => {
    const decoded = decodeBytes(encode(rss("Привет", "utf-16"), charset));
    expect(decoded.charset).toBe(charset);
    expect(decoded.text).toContain("<title>Привет</title>");
  });
});

describe("decodeBytes: declared and undeclared legacy charsets", () => {
  it.each([
    ["windows-1252", "Euro € “quoted” — naïve"],
    ["iso-8859-2", "Zażółć gęślą jaźń"],
    ["windows-1251", "Съешь же ещё этих мягких французских булок"],
    ["koi8-r", "Первая новость"],
    ["gb2312", "建国周年纪念，和平鸽"],
    ["gbk", "中文新闻标题"],
    ["big5", "臺灣新聞標題"],
    ["shift_jis", "日本語のニュース"],
    ["euc-kr", "한국어 뉴스 제목"],
  ])("%s named in the XML declaration", (charset, title) => {
    const decoded = decodeBytes(encode(rss(title, charset), charset));
    expect(decoded.via).toBe("xml-declaration");
    expect(decoded.text).toContain(`<title>${title}</title>`);
  });

  it("windows-1252 byte 0x80 is the euro sign, not the C1 control Node's TextDecoder gives", () => {
    const bytes = concat(
      new TextEncoder().encode('<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>'),
      [0x80, 0x93, 0x94],
      new TextEncoder().encode("</title></channel></rss>"),
    );
    expect(decodeBytes(bytes).text).toContain("<title>€“”</title>");
  });

  it("ISO-8859-1 labels decode as windows-1252 (WHATWG), so smart quotes survive", () => {
    const bytes = encode(rss("Café “x”", "ISO-8859-1"), "windows-1252");
    expect(decodeBytes(bytes).text).toContain("<title>Café “x”</title>");
  });

  it("the HTTP charset comes before the XML declaration", () => {
    const bytes = encode(rss("Привет", "iso-8859-1"), "windows-1251");
    const decoded = decodeBytes(bytes, "application/rss+xml; charset=windows-1251");
    expect(decoded.via).toBe("http");
    expect(decoded.text).toContain("<title>Привет</title>");
  });

  it("bytes that are valid UTF-8 win over a declaration of ISO-8859-1 (as Universal Feed Parser does)", () => {
    const decoded = decodeBytes(new TextEncoder().encode(rss("Café 한국어", "ISO-8859-1")));
    expect(decoded.charset).toBe("utf-8");
    expect(decoded.text).toContain("<title>Café 한국어</title>");
  });

  it("undeclared bytes that are not UTF-8 fall back to windows-1252", () => {
    const decoded = decodeBytes(encode(rss("Perturbateurs endocriniens : quels effets ? – été"), "windows-1252"));
    expect(decoded).toMatchObject({ charset: "windows-1252", via: "default" });
    expect(decoded.text).toContain("quels effets ? – été");
  });

  it("declared UTF-8 with one broken byte keeps the rest and marks the damage", () => {
    const utf8 = (t: string) => new TextEncoder().encode(t);
    const fixed = concat(utf8('<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Zürich '), [0xff], utf8("</title></channel></rss>"));
    const decoded = decodeBytes(fixed);
    expect(decoded.charset).toBe("utf-8");
    expect(decoded.text).toContain("Zürich \uFFFD</title>");
  });

  it("declared UTF-8 over bytes that are plainly windows-1252 decodes as windows-1252", () => {
    const bytes = encode(rss("Élève, café, naïve, déjà vu — été", "utf-8"), "windows-1252");
    const decoded = decodeBytes(bytes, "text/xml; charset=utf-8");
    expect(decoded.charset).toBe("windows-1252");
    expect(decoded.text).toContain("<title>Élève, café, naïve, déjà vu — été</title>");
  });

  it("an unknown charset label is ignored rather than fatal", () => {
    const decoded = decodeBytes(new TextEncoder().encode(rss("카페", "invalid")), "text/xml; charset=bogus");
    expect(decoded.text).toContain("<title>카페</title>");
  });
});

describe("decodeBytes: the text it hands on", () => {
  it("no longer names a byte encoding in the XML declaration", () => {
    const decoded = decodeBytes(encode(rss("Ελληνικά", "iso-8859-7"), "iso-8859-7"));
    expect(decoded.text.startsWith('<?xml version="1.0"?>')).toBe(true);
    expect(decoded.text).toContain("<title>Ελληνικά</title>");
  });

  it("drops the encoding from valid UTF-8 exactly as from any other text, wherever the declaration sits", () => {
    const body = "<rss><channel><title>Zürich — ünïcödé 😀</title></channel></rss>";
    const cases: Array<[string, string]> = [
      [`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, `<?xml version="1.0"?>\n${body}`],
      [`\n  <?xml version='1.0' encoding = 'utf-8' standalone="yes"?>${body}`, `\n  <?xml version='1.0' standalone="yes"?>${body}`],
      // Non-ASCII inside the declaration: the text-level removal still applies.
      [`<?xml version="1.0" x="é" encoding="utf-8"?>${body}`, `<?xml version="1.0" x="é"?>${body}`],
      [`<?xml version="1.0"?>${body}`, `<?xml version="1.0"?>${body}`],
      [body, body],
    ];
    for (const [input, expected] of cases) {
      const decoded = decodeBytes(new TextEncoder().encode(input));
      expect(decoded.via).toBe("utf8-valid");
      expect(decoded.text).toBe(expected);
    }
  });

  it("has characters that XML 1.0 forbids removed", () => {
    const decoded = decodeBytes(new TextEncoder().encode(rss("a\u0000b\u0001c\u000Bd\tok")));
    expect(decoded.text).toContain("<title>abcd\tok</title>");
  });
});

// What decodeBytes must give for valid UTF-8 without a BOM, spelled the slow,
// obvious way: Node's decoder, the encoding cut from the declaration of the
// text, then the characters XML forbids removed from the whole text.
function plainUtf8Reference(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("utf8");
  const m = /^(\s*<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/.exec(text.slice(0, 512));
  // repairMojibake over the whole text: the fast path must find every file that needs it from the bytes alone.
  return repairMojibake(stripIllegalXmlChars(m === null ? text : m[1] + text.slice(m[0].length)));
}

const CORPUS = fileURLToPath(new URL("../fixtures/corpus/", import.meta.url));

describe("decodeBytes: valid UTF-8 (one decode, no copy of the bytes)", () => {
  it("gives the plain decoder's text on every corpus file, and leaves the caller's bytes as they were", () => {
    let utf8Files = 0;
    for (const name of readdirSync(CORPUS).filter((n) => n !== "SOURCES.md")) {
      const bytes = readFileSync(join(CORPUS, name));
      const copy = Buffer.from(bytes);
      const decoded = decodeBytes(bytes);
      expect(bytes.equals(copy), name).toBe(true);
      if (decoded.via !== "utf8-valid" || bytes[0] === 0xef) continue;
      utf8Files++;
      expect(decoded.text, name).toBe(plainUtf8Reference(copy));
    }
    expect(utf8Files).toBeGreaterThan(80);
  });

  it("removes every character XML forbids, at any byte alignment, and only those", () => {
    const random = seededRandom(7);
    const pieces = ["a", "é", "—", "😀", "\t", "\n", "\r", "\u0000", "\u0001", "\u000B", "\u000C", "\u001F", "\uFFFE", "\uFFFF", "\uFFFD", "\u007F", " "];
    for (let round = 0; round < 400; round++) {
      let body = "";
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) body += pieces[Math.floor(random() * pieces.length)];
      const declaration =
        round % 3 === 0 ? "" : round % 3 === 1 ? '<?xml version="1.0" encoding="UTF-8"?>' : "<?xml version='1.0' encoding = 'utf-8' standalone='yes'?>";
      const encoded = new TextEncoder().encode(`${declaration}<rss><t>${body}</t></rss>`);
      // A view at an odd offset inside a larger buffer: the word-at-a-time scan must not care.
      const offset = round % 7;
      const backing = new Uint8Array(encoded.length + offset + 3).fill(0x41);
      backing.set(encoded, offset);
      const view = backing.subarray(offset, offset + encoded.length);
      const decoded = decodeBytes(view);
      expect(decoded.via).toBe("utf8-valid");
      expect(decoded.text).toBe(plainUtf8Reference(encoded));
      expect(decoded.text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
      expect(Buffer.from(view).equals(Buffer.from(encoded))).toBe(true);
      expect(backing[offset + encoded.length]).toBe(0x41);
    }
  });
});

describe("charsetFromContentType", () => {
  it("reads quoted and unquoted parameters, case-insensitively", () => {
    expect(charsetFromContentType('text/xml; Charset="ISO-8859-1"')).toBe("iso-8859-1");
    expect(charsetFromContentType("application/rss+xml;charset=utf-8")).toBe("utf-8");
    expect(charsetFromContentType("text/xml")).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });
});
