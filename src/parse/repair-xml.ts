import type { AnyNode, Document, Element } from "domhandler";
import { appendChild, findAll, removeElement } from "domutils";
import { decodeHTML } from "entities";
import { parseDocument } from "htmlparser2";
import { cdataSection } from "../shared/xml-text.js";
import { ParseError } from "./parse-error.js";

const XML_ENTITIES = new Set(["amp", "lt", "gt", "quot", "apos"]);

// One pass over the text. CDATA sections and comments are matched first so
// nothing inside them is touched; the rest is an `&` with what follows it.
const AMPERSANDS = /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|&(?:(#\d+|#x[0-9a-fA-F]+|[A-Za-z_][\w.:-]*);)?/g;

function isXmlChar(cp: number): boolean {
  // XML 1.0 §2.2 Char production.
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function numeric(text: string): string {
  let out = "";
  for (const ch of text) out += `&#${ch.codePointAt(0)};`;
  return out;
}

/** An internal entity's replacement text as character data (its character references stay references). */
function escapeText(text: string): string {
  return text
    .replace(/&(?!#\d+;|#x[0-9a-fA-F]+;)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * Fixes what makes most real feeds ill-formed, in one pass: a bare `&`, HTML
 * named entities (`&nbsp;`, `&eacute;`) in a document without a DTD (mapped
 * to numeric references, as XHTML's entity sets would), plain entities the
 * stripped DOCTYPE declared (expanded within `maxExpansionChars`, else the
 * document is refused as a quadratic blowup), references to characters XML
 * forbids, and an XML declaration that is not at the very start.
 */
export function repairText(xml: string, declared: Map<string, string>, maxExpansionChars: number): { xml: string; repairs: string[] } {
  let bare = 0;
  let html = 0;
  let unknown = 0;
  let expanded = 0;
  let expandedChars = 0;
  let badRefs = 0;
  let out = xml.replace(AMPERSANDS, (match: string, ref: string | undefined) => {
    if (match.charCodeAt(0) === 0x3c) return match;
    if (ref === undefined) {
      bare++;
      return "&amp;";
    }
    if (ref.charCodeAt(0) === 0x23) {
      const cp = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (isXmlChar(cp)) return match;
      badRefs++;
      return "";
    }
    if (XML_ENTITIES.has(ref)) return match;
    const value = declared.get(ref);
    if (value !== undefined) {
      expanded++;
      expandedChars += value.length;
      if (expandedChars > maxExpansionChars) {
        throw new ParseError("hostile-xml", `DOCTYPE entities expand past ${maxExpansionChars} characters (quadratic blowup); the document is refused`);
      }
      return escapeText(value);
    }
    const decoded = decodeHTML(match);
    if (decoded !== match) {
      html++;
      return numeric(decoded);
    }
    unknown++;
    return `&amp;${ref};`;
  });
  const repairs: string[] = [];
  if (bare > 0) repairs.push(`escaped ${bare} bare '&'`);
  if (html > 0) repairs.push(`mapped ${html} HTML named entities to character references`);
  if (expanded > 0) repairs.push(`expanded ${expanded} references to DOCTYPE entities`);
  if (unknown > 0) repairs.push(`kept ${unknown} unknown entity references as text`);
  if (badRefs > 0) repairs.push(`removed ${badRefs} references to characters XML forbids`);
  // XML 1.0 §2.8: the declaration may only come first. Some feeds put a comment before it.
  const late = /^(\s*(?:<!--[\s\S]*?-->\s*)+)<\?xml\b[^>]*\?>/.exec(out);
  if (late !== null) {
    out = late[1] + out.slice(late[0].length);
    repairs.push("removed an XML declaration that was not at the start");
  }
  return { xml: out, repairs };
}

const MAX_REBUILD_DEPTH = 20_000;

const TAGS = /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|<\?[\s\S]*?\?>|<(\/?)[A-Za-z_][^>]*?(\/?)>/g;

/** Deepest nesting of elements left open, counting the way a lenient parser would. */
function maxOpenDepth(xml: string): number {
  let depth = 0;
  let max = 0;
  for (const m of xml.matchAll(TAGS)) {
    if (m[1] === "/") depth = Math.max(0, depth - 1);
    else if (m[1] === "" && m[2] === "") {
      depth++;
      if (depth > max) max = depth;
    }
  }
  return max;
}

/**
 * Lenient re-parse: htmlparser2 in XML mode builds a tree from anything,
 * closing unclosed elements (a truncated document keeps what came before the
 * cut) and ignoring stray end tags; the tree is written back as well-formed
 * XML for the strict parser. Entities are left as written (repairText ran first).
 */
export function rebuildTree(xml: string): string {
  // htmlparser2 slows down quadratically and dom-serializer recurses per level:
  // refuse absurd nesting before building anything.
  if (maxOpenDepth(xml) > MAX_REBUILD_DEPTH) {
    throw new ParseError("hostile-xml", `the document nests elements more than ${MAX_REBUILD_DEPTH} deep; it is refused`);
  }
  try {
    // Processing instructions (the declaration, xml-stylesheet) carry nothing a feed needs,
    // and dom-serializer writes them back without their closing `?`.
    const doc = parseDocument(xml.replace(/<\?[\s\S]*?\?>/g, ""), { xmlMode: true, decodeEntities: false, recognizeCDATA: true });
    hoistEntries(doc);
    return serialize(doc);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ParseError("hostile-xml", "the document nests elements too deeply to rebuild; it is refused", { cause: error });
    }
    throw error;
  }
}

/**
 * An element left open (e.g. `<itunes:category>` without its end tag) swallows
 * the items after it. Readers such as Universal Feed Parser still see those
 * items; put every item/entry back under the channel (RSS), the root (RDF) or
 * the feed (Atom).
 */
function hoistEntries(doc: Document): void {
  const root = doc.children.find((n): n is Element => n.type === "tag");
  if (root === undefined) return;
  const isRdf = /(^|:)rdf$/i.test(root.name);
  const container = isRdf || root.name === "feed" ? root : findAll((e) => e.name === "channel", root.children)[0];
  if (container === undefined) return;
  const entryName = root.name === "feed" ? "entry" : "item";
  for (const entry of findAll((e) => e.name === entryName, container.children)) {
    if (entry.parent === container) continue;
    removeElement(entry);
    appendChild(container, entry);
  }
}

const XML_NAME = /^[A-Za-z_][\w.:-]*$/;

/**
 * Tree → well-formed XML without recursion (a hostile document may nest
 * thousands deep). Text and attribute values are already escaped (the tree was
 * built with decodeEntities off), so only what a lenient parser let through
 * as raw text — `<`, `>`, quotes in attributes — is escaped here.
 */
function serialize(doc: Document): string {
  const out: string[] = [];
  // XML 1.0 §2.1: one root element; whatever a lenient parse found after it is dropped.
  const root = doc.children.find((n) => n.type === "tag");
  const stack: Array<AnyNode | string> = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode | string;
    if (typeof node === "string") {
      out.push(node);
      continue;
    }
    if (node.type === "text") out.push(node.data.replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    else if (node.type === "cdata") {
      const data = node.children.map((c) => (c.type === "text" ? c.data : "")).join("");
      out.push(cdataSection(data));
    } else if (node.type === "tag" || node.type === "script" || node.type === "style") {
      if (!XML_NAME.test(node.name)) {
        for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
        continue;
      }
      let open = `<${node.name}`;
      for (const [name, value] of Object.entries(node.attribs)) {
        if (XML_NAME.test(name)) open += ` ${name}="${value.replace(/</g, "&lt;").replace(/"/g, "&quot;")}"`;
      }
      if (node.children.length === 0) {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      stack.push(`</${node.name}>`);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
    }
    // Comments and processing instructions carry nothing a feed needs.
  }
  return out.join("");
}
