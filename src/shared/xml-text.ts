// XML 1.0 §2.2: only tab, LF, CR and U+0020 upward (minus surrogates and U+FFFE/U+FFFF) are allowed.
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// The characters the global pattern removes apart from lone surrogates, which
// `isWellFormed` (ES2024, Node 20) finds natively.
const ILLEGAL_BMP_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

// ES2024's String.prototype.isWellFormed: Node 20 has it, the ES2023 lib does not declare it.
type WellFormedCheck = { isWellFormed(): boolean };

/** Removes characters that make an XML document not well-formed. */
export function stripIllegalXmlChars(text: string): string {
  // Nearly every text is clean: two native scans are much cheaper than the
  // replace with lookbehind/lookahead, which also copies the string.
  if (!ILLEGAL_BMP_CHARS.test(text) && (text as unknown as WellFormedCheck).isWellFormed()) return text;
  return text.replace(ILLEGAL_XML_CHARS, "");
}

/**
 * Text as XML/HTML character data: `&`, `<` and `>` escaped. Three native
 * searches first: nearly every text has nothing to escape, and that is about
 * twice as fast as a character-class pattern over it.
 */
export function escapeText(s: string): string {
  return s.includes("&") || s.includes("<") || s.includes(">") ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : s;
}

/** Text as one CDATA section: a `]]>` in it, which would end the section, is split across two. */
export function cdataSection(text: string): string {
  return `<![CDATA[${text.includes("]]>") ? text.replaceAll("]]>", "]]]]><![CDATA[>") : text}]]>`;
}
