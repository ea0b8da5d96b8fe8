/**
 * RSS bodies written as raw markup, made text again.
 *
 * RSS carries an item's HTML in `<description>` and `<content:encoded>` as
 * text: escaped, or in a CDATA section. Some feeds (Reddit's, hand-made and
 * older blog engines) put the HTML there as elements instead:
 * `<description>submitted by <a href="…">user</a> to <a href="…">r/space</a></description>`.
 * xml2js keeps an element's own text apart from its child elements, so that
 * body came out as "submitted by to" followed by the links: words and links
 * out of order. Universal Feed Parser reads such a body as the markup it is.
 *
 * Before the parse, such a body is put in a CDATA section whole, so the
 * parser hands it on as HTML in its own order. A CDATA section already in it
 * is turned into escaped text (its characters are text, not markup). Markup
 * that is also malformed XML (`<br>`, `&nbsp;`) then parses as it is.
 *
 * A body is left as it is when its end tag is not found before the next
 * item, or when it holds item or channel tags: then the feed's structure,
 * not a body, is broken, and the parser and its repair pass judge it. So is
 * one that nests elements more than MAX_WRAP_DEPTH deep.
 *
 * Cost: one native search per body for its next `<`; bodies that are escaped
 * or one CDATA section (nearly every feed) are not copied, and a document
 * with no raw-markup body is returned as it was.
 */

import { cdataSection, escapeText } from "../shared/xml-text.js";

const BODY_ELEMENTS = ["description", "content:encoded"] as const;

const CDATA_START = "<![CDATA[";
const CDATA_END = "]]>";

/** Tags that end a body's search: they belong to the feed's structure, never to an item's HTML. */
const STRUCTURE_TAG = /^<\/?(?:item|channel|rss|rdf:RDF|entry|feed)[\s/>]/i;

/** HTML elements written without an end tag (`<br>`): they open nothing. */
const VOID_TAG = /^<(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)[\s/>]/i;

/**
 * Elements left open deeper than this are not wrapped: the document goes to
 * the XML parser as it is, which refuses nesting too deep to read
 * (hostile-xml), as it does for any other element.
 */
const MAX_WRAP_DEPTH = 1_000;

export interface WrappedBodies {
  xml: string;
  /** Number of bodies put in CDATA sections. */
  wrapped: number;
}

/** The document with every RSS body written as raw markup put in a CDATA section. */
export function wrapMarkupBodies(xml: string): WrappedBodies {
  const pieces: string[] = [];
  let copiedTo = 0;
  let wrapped = 0;
  // Next occurrence of each body's open tag and of a CDATA section, kept while they lie ahead.
  const nextOpen = BODY_ELEMENTS.map(() => -2);
  let nextCdata = -2;
  let at = 0;
  for (;;) {
    let open = -1;
    let which = -1;
    for (let k = 0; k < BODY_ELEMENTS.length; k++) {
      if (nextOpen[k] !== -1 && nextOpen[k]! < at) nextOpen[k] = xml.indexOf(`<${BODY_ELEMENTS[k]}`, at);
      const found = nextOpen[k]!;
      if (found >= 0 && (open < 0 || found < open)) {
        open = found;
        which = k;
      }
    }
    if (open < 0) break;
    // An open tag inside a CDATA section elsewhere (a title's) is text: skip that section.
    if (nextCdata !== -1 && nextCdata < at) nextCdata = xml.indexOf(CDATA_START, at);
    if (nextCdata >= 0 && nextCdata < open) {
      const end = xml.indexOf(CDATA_END, nextCdata + CDATA_START.length);
      if (end < 0) break;
      at = end + CDATA_END.length;
      continue;
    }
    const name = BODY_ELEMENTS[which]!;
    const afterName = xml.charCodeAt(open + 1 + name.length);
    // `<descriptionX` is another element; `<description/>` is empty.
    const tagEnd = isTagNameEnd(afterName) ? xml.indexOf(">", open) : -1;
    if (tagEnd < 0 || xml.charCodeAt(tagEnd - 1) === 0x2f /* / */) {
      at = open + 1;
      continue;
    }
    const body = scanBody(xml, tagEnd + 1, name);
    if (body === undefined) {
      at = tagEnd + 1;
      continue;
    }
    if (body.markup) {
      pieces.push(xml.slice(copiedTo, tagEnd + 1), asCdata(xml.slice(tagEnd + 1, body.end)));
      copiedTo = body.end;
      wrapped++;
    }
    at = body.end;
  }
  if (wrapped === 0) return { xml, wrapped };
  pieces.push(xml.slice(copiedTo));
  return { xml: pieces.join(""), wrapped };
}

function isTagNameEnd(code: number): boolean {
  return code === 0x3e /* > */ || code === 0x2f /* / */ || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Where the body that starts at `from` ends (its end tag's `<`), and whether
 * it holds markup outside CDATA sections and comments. Undefined when the
 * end tag is missing or feed structure comes first.
 */
function scanBody(xml: string, from: number, name: string): { end: number; markup: boolean } | undefined {
  const close = `</${name}`;
  let markup = false;
  let depth = 0;
  let i = from;
  for (;;) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) return undefined;
    if (xml.startsWith(CDATA_START, lt)) {
      const end = xml.indexOf(CDATA_END, lt + CDATA_START.length);
      if (end < 0) return undefined;
      i = end + CDATA_END.length;
    } else if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith(close, lt) && isTagNameEnd(xml.charCodeAt(lt + close.length))) {
      return { end: lt, markup };
    } else {
      const head = xml.slice(lt, lt + 12);
      if (STRUCTURE_TAG.test(head)) return undefined;
      if (xml.charCodeAt(lt + 1) === 0x2f /* / */) depth--;
      else if (!VOID_TAG.test(head) && xml.charCodeAt(xml.indexOf(">", lt) - 1) !== 0x2f && ++depth > MAX_WRAP_DEPTH) return undefined;
      markup = true;
      i = lt + 1;
    }
  }
}

/** Body markup as one CDATA section: CDATA sections in it become escaped text, and a stray `]]>` is split. */
function asCdata(body: string): string {
  const html = body.includes(CDATA_START) ? body.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, text: string) => escapeText(text)) : body;
  return cdataSection(html);
}
