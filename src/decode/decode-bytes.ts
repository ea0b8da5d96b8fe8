import iconv from "iconv-lite";
import { FeedEnricherError } from "../shared/errors.js";
import { stripIllegalXmlChars } from "../shared/xml-text.js";

export class DecodeError extends FeedEnricherError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("decode", "decode", message, options);
  }
}

export interface Decoded {
  text: string;
  /** The charset actually used. */
  charset: string;
  /** How it was chosen: bom, http, xml-declaration, detected, default. */
  via: "bom" | "http" | "xml-declaration" | "utf8-valid" | "default";
}

const BOMS: Array<[number[], string]> = [
  [[0x00, 0x00, 0xfe, 0xff], "utf-32be"],
  [[0xff, 0xfe, 0x00, 0x00], "utf-32le"],
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

function sniffBom(bytes: Uint8Array): { charset: string; length: number } | undefined {
  for (const [bom, charset] of BOMS) {
    if (bom.every((b, i) => bytes[i] === b)) return { charset, length: bom.length };
  }
  return undefined;
}

/** Charset from a Content-Type header value. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = contentType === undefined ? null : /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType);
  return m?.[1]?.toLowerCase();
}

/** Encoding named in the XML declaration, read as ASCII (UTF-16 without BOM shows NULs and is handled apart). */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString("latin1");
  const m = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  return m?.[1]?.toLowerCase();
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// Labels that iconv-lite or the WHATWG spec treat as something else in practice.
const ALIASES: Record<string, string> = {
  "iso-8859-1": "windows-1252", // WHATWG: browsers and feed readers decode Latin-1 labels as windows-1252
  latin1: "windows-1252",
  "us-ascii": "windows-1252",
  ascii: "windows-1252",
  gb2312: "gbk",
  "x-sjis": "shift_jis",
  utf8: "utf-8",
};

function canonical(charset: string): string {
  return ALIASES[charset] ?? charset;
}

function decodeWith(bytes: Uint8Array, charset: string): string {
  const name = canonical(charset);
  if (name === "utf-8") return new TextDecoder("utf-8").decode(bytes);
  if (!iconv.encodingExists(name)) throw new DecodeError(`unknown charset "${charset}"; set the right one at the source or report it`);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
}

/**
 * Bytes → Unicode text: BOM first, then the HTTP charset, then the XML
 * declaration; when a declaration says a single-byte charset but the bytes are
 * valid UTF-8 the bytes win (as Universal Feed Parser does). Characters
 * illegal in XML are removed.
 */
export function decodeBytes(bytes: Uint8Array, httpContentType?: string): Decoded {
  const bom = sniffBom(bytes);
  let decoded: Decoded;
  if (bom) {
    decoded = { text: decodeWith(bytes.subarray(bom.length), bom.charset), charset: bom.charset, via: "bom" };
  } else if (bytes[0] === 0x3c && bytes[1] === 0x00) {
    decoded = { text: decodeWith(bytes, "utf-16le"), charset: "utf-16le", via: "default" };
  } else if (bytes[0] === 0x00 && bytes[1] === 0x3c) {
    decoded = { text: decodeWith(bytes, "utf-16be"), charset: "utf-16be", via: "default" };
  } else {
    const fromHttp = charsetFromContentType(httpContentType);
    const fromXml = declaredCharset(bytes);
    const utf8 = isValidUtf8(bytes);
    if (fromHttp !== undefined && !(utf8 && fromHttp !== "utf-8" && !fromHttp.startsWith("utf-16"))) {
      decoded = { text: decodeWith(bytes, fromHttp.startsWith("utf-16") ? "utf-8" : fromHttp), charset: fromHttp, via: "http" };
    } else if (fromXml !== undefined && !fromXml.startsWith("utf-16") && !(utf8 && fromXml !== "utf-8")) {
      decoded = { text: decodeWith(bytes, fromXml), charset: fromXml, via: "xml-declaration" };
    } else if (utf8) {
      decoded = { text: new TextDecoder("utf-8").decode(bytes), charset: "utf-8", via: "utf8-valid" };
    } else {
      // Not UTF-8 and nothing trustworthy declared: windows-1252 is what most such feeds are.
      decoded = { text: decodeWith(bytes, fromXml ?? "windows-1252"), charset: fromXml ?? "windows-1252", via: "default" };
    }
  }
  return { ...decoded, text: stripIllegalXmlChars(decoded.text) };
}
