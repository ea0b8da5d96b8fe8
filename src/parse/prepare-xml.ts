import { doctypeEnd } from "../shared/doctype-end.js";
import { ParseError } from "./parse-error.js";

export interface Prepared {
  /** The document from its first markup on, DOCTYPE removed. */
  xml: string;
  /** Plain internal entities the DOCTYPE declared (name → replacement text), expanded only by the repair pass. */
  entities: Map<string, string>;
  repairs: string[];
}

// The prolog is small; a DOCTYPE further in than this is not a prolog.
const PROLOG_SCAN_CHARS = 64 * 1024;

/**
 * Reads the prolog only (never the whole document): drops what precedes the
 * first markup, and removes the DOCTYPE as Universal Feed Parser does
 * ("always_strip_doctype") so no DTD is ever read, fetched or expanded.
 * Entity declarations are checked on the way: external general entities
 * (XXE) and entities built from other entities (billion laughs) are refused
 * with `hostile-xml`; plain text entities are kept for the repair pass.
 */
export function prepareXml(text: string): Prepared {
  const repairs: string[] = [];
  const entities = new Map<string, string>();
  const start = text.indexOf("<");
  if (start < 0) return { xml: "", entities, repairs };
  if (text.slice(0, start).trim() !== "") repairs.push("removed text before the first tag");
  const head = text.slice(start, start + PROLOG_SCAN_CHARS);
  const doctypeAt = head.search(/<!DOCTYPE\b/i);
  if (doctypeAt < 0 || !isProlog(head.slice(0, doctypeAt))) return { xml: start === 0 ? text : text.slice(start), entities, repairs };
  // The DOCTYPE itself may run past the prolog window (a large internal subset): scan on to its end.
  const end = doctypeEnd(text, start + doctypeAt);
  if (end < 0) throw new ParseError("parse", "the DOCTYPE is not closed; the document is not a feed");
  readEntityDeclarations(text.slice(start + doctypeAt, end), entities);
  const xml = text.slice(start, start + doctypeAt) + text.slice(end);
  return { xml, entities, repairs };
}

/** Only the declaration, comments, processing instructions and whitespace may precede a DOCTYPE. */
function isProlog(before: string): boolean {
  return before.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|\s+/g, "") === "";
}

const ENTITY_DECL = /<!ENTITY\s+(%\s+)?([^\s>]+)\s+(?:(SYSTEM|PUBLIC)\b|("[^"]*"|'[^']*'))/gi;

function readEntityDeclarations(doctype: string, entities: Map<string, string>): void {
  for (const m of doctype.matchAll(ENTITY_DECL)) {
    const [, parameter, name = "", external, quoted] = m;
    // Parameter entities only shape the DTD, which is discarded whole.
    if (parameter !== undefined) continue;
    if (external !== undefined) {
      throw new ParseError("hostile-xml", `the DOCTYPE declares the external entity "${name}" (XXE); it is never fetched, the document is refused`);
    }
    const value = (quoted ?? "").slice(1, -1);
    // Character references are harmless; a reference to another entity is how expansion bombs nest.
    if (/&(?!#\d+;|#x[0-9a-f]+;)/i.test(value) || /%[\w.:-]+;/.test(value)) {
      throw new ParseError("hostile-xml", `the DOCTYPE entity "${name}" expands other entities (billion laughs); the document is refused`);
    }
    entities.set(name, value);
  }
}
