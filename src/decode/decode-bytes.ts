import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";
import { FeedEnricherError } from "../shared/errors.js";
import { stripIllegalXmlChars } from "../shared/xml-text.js";
import { mayHoldMojibake, repairMojibake } from "./repair-mojibake.js";

export class DecodeError extends FeedEnricherError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("decode", "decode", message, options);
  }
}

export interface Decoded {
  /** Unicode text; characters illegal in XML removed, mojibake and C1 controls repaired (repair-mojibake.ts); the declaration no longer names a byte encoding. */
  text: string;
  /** The charset actually used (canonical iconv-lite / WHATWG name). */
  charset: string;
  /** How it was chosen. */
  via: "bom" | "utf16-sniffed" | "utf8-valid" | "http" | "xml-declaration" | "default";
}

// XML 1.0 Appendix F: a BOM names the encoding outright. UTF-32 first: its LE BOM starts like UTF-16 LE's.
const BOMS: Array<[number[], string]> = [
  [[0x00, 0x00, 0xfe, 0xff], "utf-32be"],
  [[0xff, 0xfe, 0x00, 0x00], "utf-32le"],
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

function sniffBom(bytes: Uint8Array): { charset: string; length: number } | undefined {
  for (const [bom, charset] of BOMS) {
    if (bytes.length >= bom.length && bom.every((b, i) => bytes[i] === b)) return { charset, length: bom.length };
  }
  return undefined;
}

/** XML 1.0 Appendix F without a BOM: `<` or `<?` spelled with NUL bytes around it. */
function sniffWideEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (a === 0x3c && b === 0 && c === 0 && d === 0) return "utf-32le";
  if (a === 0 && b === 0 && c === 0 && d === 0x3c) return "utf-32be";
  if (a === 0x3c && b === 0 && c !== 0) return "utf-16le";
  if (a === 0 && b === 0x3c) return "utf-16be";
  // Leading whitespace spelled in UTF-16 (e.g. "\n\0<\0").
  if ((a === 0x0a || a === 0x0d || a === 0x20 || a === 0x09) && b === 0 && c !== 0) return "utf-16le";
  if (a === 0 && (b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09)) return "utf-16be";
  return undefined;
}

/** Charset from a Content-Type header value. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = contentType === undefined ? null : /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType);
  return m?.[1]?.toLowerCase();
}

/** Encoding named in the XML declaration (read from the first bytes as ASCII). */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString("latin1");
  const m = /<\?xml[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  return m?.[1]?.toLowerCase();
}

// Labels whose practical meaning differs from their name: browsers and feed
// readers decode Latin-1/ASCII labels as windows-1252 (WHATWG Encoding §4.2), and
// GB2312 documents routinely use GBK/GB18030 characters.
const ALIASES: Record<string, string> = {
  "iso-8859-1": "windows-1252",
  iso8859_1: "windows-1252",
  "iso_8859-1": "windows-1252",
  latin1: "windows-1252",
  "latin-1": "windows-1252",
  "us-ascii": "windows-1252",
  ascii: "windows-1252",
  gb2312: "gb18030",
  gbk: "gb18030",
  "x-gbk": "gb18030",
  "x-sjis": "shift_jis",
  sjis: "shift_jis",
  utf8: "utf-8",
  "utf-16": "utf-16le",
  "utf-32": "utf-32le",
};

/** Canonical name iconv-lite knows, or undefined for a label nobody can decode. */
function canonical(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const name = ALIASES[label] ?? label;
  return name === "utf-8" || iconv.encodingExists(name) ? name : undefined;
}

function decodeWith(bytes: Uint8Array, name: string): string {
  if (name === "utf-8") return new TextDecoder("utf-8").decode(bytes);
  // Node 20's TextDecoder decodes windows-1252 as Latin-1 (0x80 → U+0080): iconv-lite has the real tables.
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name, { stripBOM: true });
}

// Controls XML forbids, U+FFFE/U+FFFF and any surrogate (stripIllegalXmlChars keeps the paired ones).
const MAYBE_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

const DECLARED_ENCODING = /^(\s*<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/;
const ASCII_ONLY = /^[\x00-\x7f]*$/;

// XML 1.0 §2.2 forbids these C0 controls (tab, LF and CR are allowed).
const ILLEGAL_CONTROL = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) if (b !== 0x09 && b !== 0x0a && b !== 0x0d) ILLEGAL_CONTROL[b] = 1;
// U+FFFE and U+FFFF in UTF-8.
const NONCHARACTER_FFFE = Buffer.from([0xef, 0xbf, 0xbe]);
const NONCHARACTER_FFFF = Buffer.from([0xef, 0xbf, 0xbf]);

/**
 * Whether valid UTF-8 bytes may hold a character XML forbids. Valid UTF-8
 * cannot encode a surrogate, so what is left is C0 controls (one byte each,
 * tested four bytes at a time: a word with no byte under 0x20 is skipped
 * whole) and U+FFFE/U+FFFF (a native search each). Reading the bytes is about
 * four times cheaper than testing the decoded text, which is two bytes per
 * character as soon as one character is not Latin-1.
 */
function mayHoldIllegalXml(bytes: Buffer): boolean {
  const length = bytes.length;
  let i = 0;
  for (; i < length && ((bytes.byteOffset + i) & 3) !== 0; i++) if (ILLEGAL_CONTROL[bytes[i]!] === 1) return true;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (length - i) >>> 2);
  for (let w = 0; w < words.length; w++) {
    const x = words[w]!;
    // Sets a byte's high bit when that byte is under 0x20 (and may set it for a byte above one that is).
    if (((x - 0x20202020) & ~x & 0x80808080) !== 0) {
      const k = i + w * 4;
      if ((ILLEGAL_CONTROL[bytes[k]!]! | ILLEGAL_CONTROL[bytes[k + 1]!]! | ILLEGAL_CONTROL[bytes[k + 2]!]! | ILLEGAL_CONTROL[bytes[k + 3]!]!) !== 0)
        return true;
    }
  }
  for (let k = i + words.length * 4; k < length; k++) if (ILLEGAL_CONTROL[bytes[k]!] === 1) return true;
  return bytes.indexOf(NONCHARACTER_FFFE) >= 0 || bytes.indexOf(NONCHARACTER_FFFF) >= 0;
}

/**
 * The bytes as UTF-8 when they are valid UTF-8 (simdutf validation, then
 * Node's fast decoder, one pass, no copy of the bytes), with the
 * declaration's `encoding="…"` dropped (see dropDeclaredEncoding), the
 * characters illegal in XML removed and mojibake repaired.
 *
 * The encoding is dropped before decoding when it is found in the ASCII
 * head: the declaration's start is moved right over it, the rest decoded
 * from there, and the moved bytes put back, so the caller's bytes are as they
 * were when this returns. Removing it from the text instead builds a
 * two-part string that the first regex over it flattens into a second copy
 * of the whole document, and cutting it with Buffer.concat copies the bytes:
 * on a 5 MB feed either is a fresh 5–10 MB allocation, whose page faults cost
 * more than the decoding itself.
 */
function tryUtf8(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) return undefined;
  const m = DECLARED_ENCODING.exec(buffer.toString("latin1", 0, Math.min(buffer.length, 512)));
  let text: string;
  if (m === null || !ASCII_ONLY.test(m[0])) {
    text = dropDeclaredEncoding(buffer.toString("utf8"));
  } else {
    const kept = m[1]!.length;
    const cut = m[0].length - kept;
    const saved = Buffer.from(buffer.subarray(0, m[0].length));
    try {
      buffer.copyWithin(cut, 0, kept);
      text = buffer.toString("utf8", cut);
    } finally {
      saved.copy(buffer, 0);
    }
  }
  if (mayHoldIllegalXml(buffer)) text = stripIllegalXmlChars(text);
  return mayHoldMojibake(buffer) ? repairMojibake(text) : text;
}

/** A declared-UTF-8 document with only a stray broken byte or two stays UTF-8; more means it is not UTF-8. */
function fewReplacements(text: string): boolean {
  let count = 0;
  for (let i = text.indexOf("\uFFFD"); i >= 0 && count <= MAX_REPLACEMENTS; i = text.indexOf("\uFFFD", i + 1)) count++;
  return count <= MAX_REPLACEMENTS;
}

const MAX_REPLACEMENTS = 3;

/** The text is Unicode now: an `encoding="…"` left in the declaration would only mislead a later reader. */
function dropDeclaredEncoding(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const m = DECLARED_ENCODING.exec(start === 0 ? text.slice(0, 512) : text.slice(1, 513));
  if (m === null) return start === 0 ? text : text.slice(1);
  return m[1] + text.slice(start + m[0].length);
}

/**
 * Bytes → Unicode text, in the order XML 1.0 Appendix F and feed readers use:
 * a BOM; UTF-16/32 recognised from NUL bytes; then UTF-8 whenever the bytes are
 * valid UTF-8 (a declaration or header saying ISO-8859-1 over UTF-8 bytes is
 * wrong, and Universal Feed Parser trusts the bytes too); otherwise the HTTP
 * charset, the XML declaration, and windows-1252 as the last resort. One
 * decoding pass in the common case; characters illegal in XML are removed,
 * UTF-8 misread as windows-1252 and C1 controls are repaired (repair-mojibake.ts).
 */
export function decodeBytes(bytes: Uint8Array, httpContentType?: string): Decoded {
  let text: string;
  let charset: string;
  let via: Decoded["via"];
  const bom = sniffBom(bytes);
  const wide = bom === undefined ? sniffWideEncoding(bytes) : undefined;
  if (bom) {
    text = decodeWith(bytes.subarray(bom.length), bom.charset);
    charset = bom.charset;
    via = "bom";
  } else if (wide) {
    text = decodeWith(bytes, wide);
    charset = wide;
    via = "utf16-sniffed";
  } else {
    // Valid UTF-8 is UTF-8 whatever a header or the declaration says; tryUtf8 finished it.
    const utf8 = tryUtf8(bytes);
    if (utf8 !== undefined) return { text: utf8, charset: "utf-8", via: "utf8-valid" };
    const fromHttp = canonical(charsetFromContentType(httpContentType));
    const fromXml = canonical(declaredCharset(bytes));
    const saysUtf8 = fromXml === "utf-8" || fromHttp === "utf-8";
    const lossyUtf8 = saysUtf8 ? decodeWith(bytes, "utf-8") : undefined;
    if (fromHttp !== undefined && fromHttp !== "utf-8" && !fromHttp.startsWith("utf-")) {
      text = decodeWith(bytes, fromHttp);
      charset = fromHttp;
      via = "http";
    } else if (fromXml !== undefined && !fromXml.startsWith("utf-")) {
      text = decodeWith(bytes, fromXml);
      charset = fromXml;
      via = "xml-declaration";
    } else if (lossyUtf8 !== undefined && fewReplacements(lossyUtf8)) {
      // Declared UTF-8 with a few broken sequences: keep the rest, mark the damage with U+FFFD.
      text = lossyUtf8;
      charset = "utf-8";
      via = fromHttp === "utf-8" ? "http" : "xml-declaration";
    } else {
      // Not UTF-8, whatever was declared, and nothing else usable: windows-1252 is what such feeds almost always are.
      text = decodeWith(bytes, "windows-1252");
      charset = "windows-1252";
      via = "default";
    }
  }
  text = dropDeclaredEncoding(text);
  // Most documents have none: a quick test spares the replace pass.
  if (MAYBE_ILLEGAL.test(text)) text = stripIllegalXmlChars(text);
  return { text: repairMojibake(text), charset, via };
}
