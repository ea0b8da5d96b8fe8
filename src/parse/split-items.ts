/**
 * A long feed cut at item boundaries into parts, each a whole document of
 * its own: the same prolog and channel (or feed) head, a run of the items,
 * and the same tail. Parsed apart, the parts give the items the whole
 * document gives, in order, so the items of the first parts can be
 * normalized while the later ones are parsed (parse-feed.ts checks the
 * counts and parses the whole document if anything differs).
 */
export interface ItemParts {
  /** Everything before the first item. */
  head: string;
  /** Everything after the last item. */
  tail: string;
  /** Each part's run of items: [start, end) in the document. */
  runs: Array<[number, number]>;
  /** How many items each run holds. */
  counts: number[];
}

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** Index just past the `>` ending the tag opened at `from`, skipping quoted attribute values; -1 if unclosed. */
function tagEnd(xml: string, from: number): number {
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c === GT) return i + 1;
    if (c === DQUOTE || c === SQUOTE) {
      const close = xml.indexOf(c === DQUOTE ? '"' : "'", i + 1);
      if (close < 0) return -1;
      i = close;
    }
  }
  return -1;
}

/** Whether xml[start, end) is only XML white space. */
function blank(xml: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = xml.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

/** Whether the tag opened at `at` is named `name` (no prefix). */
function named(xml: string, at: number, name: string): boolean {
  if (!xml.startsWith(name, at + 1)) return false;
  const c = xml.charCodeAt(at + 1 + name.length);
  return c === GT || c === SLASH || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Finds the feed's items (`item` for RSS and RDF, `entry` for Atom, no
 * prefix) as one run of siblings, under the root (RDF, Atom) or under the
 * root's `channel` (RSS), and cuts the run into parts of `partItems` items.
 * Undefined whenever the shape is anything else: fewer than two parts' worth
 * of items, items under other parents, anything but white space between two
 * items, a DOCTYPE, or markup this scan does not follow. Comments, CDATA
 * sections and processing instructions are stepped over whole; tags are not
 * checked against each other (a document that is not well-formed fails to
 * parse in parts, and is then parsed whole).
 */
export function splitItems(xml: string, itemName: "item" | "entry", partItems: number): ItemParts | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  let depth = 0;
  /** Depth of the items' parent, once the first item is found. */
  let itemDepth = -1;
  let openItem = -1;
  let i = xml.indexOf("<");
  while (i >= 0) {
    const next = xml.charCodeAt(i + 1);
    let end: number;
    if (next === BANG) {
      if (xml.startsWith("<!--", i)) {
        const close = xml.indexOf("-->", i + 4);
        if (close < 0) return undefined;
        end = close + 3;
      } else if (xml.startsWith("<![CDATA[", i)) {
        const close = xml.indexOf("]]>", i + 9);
        if (close < 0) return undefined;
        end = close + 3;
      } else {
        // A DOCTYPE (entities the parts would not see), or markup this scan does not know.
        return undefined;
      }
    } else if (next === QUESTION) {
      const close = xml.indexOf("?>", i + 2);
      if (close < 0) return undefined;
      end = close + 2;
    } else if (next === SLASH) {
      end = xml.indexOf(">", i + 2) + 1;
      if (end === 0) return undefined;
      depth--;
      if (depth === itemDepth && openItem >= 0) {
        starts.push(openItem);
        ends.push(end);
        openItem = -1;
      }
      if (depth < 0) return undefined;
    } else {
      end = tagEnd(xml, i + 1);
      if (end < 0) return undefined;
      const selfClosing = xml.charCodeAt(end - 2) === SLASH;
      const isItem = named(xml, i, itemName);
      if (itemDepth < 0 && isItem && (depth === 1 || depth === 2)) itemDepth = depth;
      if (depth === itemDepth) {
        // A sibling of the items that is not one, or an item after something else: not one run.
        if (!isItem) return undefined;
        if (ends.length > 0 && !blank(xml, ends[ends.length - 1]!, i)) return undefined;
        if (selfClosing) {
          starts.push(i);
          ends.push(end);
        } else {
          openItem = i;
        }
      }
      if (!selfClosing) depth++;
    }
    i = xml.indexOf("<", end);
    // Once the run has ended (the parent closed), the rest is the tail.
    if (itemDepth >= 0 && depth < itemDepth) break;
  }
  const count = starts.length;
  if (openItem >= 0 || count < 2 * partItems) return undefined;
  const runs: Array<[number, number]> = [];
  const counts: number[] = [];
  for (let from = 0; from < count; from += partItems) {
    const to = Math.min(count, from + partItems);
    runs.push([starts[from]!, ends[to - 1]!]);
    counts.push(to - from);
  }
  return { head: xml.slice(0, starts[0]), tail: xml.slice(ends[count - 1]), runs, counts };
}
