import { type Category, type Extension, Feed, type Item } from "feed";
import type { Entry } from "../model/index.js";
import { utf8Pieces } from "../shared/utf8-pieces.js";
import { cdataSafe, entryDate, entryUpdated, escapeHtml, feedUpdated } from "./entry-view.js";
import { type FeedMeta, feedUrl, GENERATOR, IPTC_SCHEME } from "./feed-meta.js";
import { enclosureType } from "./media-type.js";

// feed 6 writes a category `domain` attribute without escaping `&`.
function attrSafe(s: string): string {
  return s.replace(/&/g, "&amp;");
}

function entityScheme(meta: FeedMeta, kind: string): string {
  return `${meta.baseUrl}entities/${kind}`;
}

/** Categories as Atom wants them: term + scheme + label for every topic, its IPTC code and the entities. */
function atomCategories(entry: Entry, meta: FeedMeta): Category[] {
  const out: Category[] = [];
  for (const t of entry.topics) {
    out.push({ term: t.id, scheme: meta.topicScheme, name: t.label });
    out.push({ term: t.iptcCode, scheme: IPTC_SCHEME, name: t.iptcLabel });
  }
  // IPTC ancestors not already listed (a topic's own code, or another topic's ancestor).
  // The topic scheme can be the IPTC scheme only in a misconfiguration; then topic ids count as listed too.
  let seen: Set<string> | undefined;
  for (const t of entry.topics) {
    for (const code of t.iptcAncestors) {
      seen ??= new Set(entry.topics.flatMap((x) => (meta.topicScheme === IPTC_SCHEME ? [x.iptcCode, x.id] : [x.iptcCode])));
      if (!seen.has(code)) {
        seen.add(code);
        out.push({ term: code, scheme: IPTC_SCHEME });
      }
    }
  }
  for (const e of entry.entities) out.push({ term: e.name, scheme: entityScheme(meta, e.kind), name: e.name });
  for (const c of entry.categories) {
    out.push(
      c.scheme && /^https?:\/\//.test(c.scheme)
        ? { term: c.term, scheme: c.scheme, ...(c.label ? { name: c.label } : {}) }
        : { term: c.term, ...(c.label ? { name: c.label } : {}) },
    );
  }
  return out;
}

/** Categories as RSS wants them: text + domain (feed prints `name` as the text). */
function rssCategories(entry: Entry, domains: RssDomains): Category[] {
  const out: Category[] = [];
  for (const t of entry.topics) {
    out.push({ name: t.id, domain: domains.topic });
    out.push({ name: t.iptcCode, domain: IPTC_SCHEME });
  }
  const seen = new Set<string>();
  for (const t of entry.topics) {
    for (const code of t.iptcAncestors) {
      if (!seen.has(code) && !entry.topics.some((x) => x.iptcCode === code)) {
        seen.add(code);
        out.push({ name: code, domain: IPTC_SCHEME });
      }
    }
  }
  for (const e of entry.entities) out.push({ name: e.name, domain: domains.entity(e.kind) });
  for (const c of entry.categories) out.push(c.scheme ? { name: c.term, domain: attrSafe(c.scheme) } : { name: c.term });
  return out;
}

/** Category domains escaped once per feed rather than once per category. */
interface RssDomains {
  topic: string;
  entity(kind: string): string;
}

function rssDomains(meta: FeedMeta): RssDomains {
  const entity = new Map<string, string>();
  return {
    topic: attrSafe(meta.topicScheme),
    entity: (kind) => {
      let d = entity.get(kind);
      if (d === undefined) {
        d = attrSafe(entityScheme(meta, kind));
        entity.set(kind, d);
      }
      return d;
    },
  };
}

/**
 * An item's link: its own, else its id when that is a web address, else its
 * source's site (RSS readers open the item's link, and `feed` writes one in
 * Atom whatever it is given), else the feed's home page.
 */
function entryLink(entry: Entry, meta: FeedMeta): string {
  if (entry.link) return entry.link;
  if (/^https?:\/\//.test(entry.id)) return entry.id;
  return meta.sourceHomePages?.[entry.sourceId] ?? meta.homePage;
}

function baseItem(entry: Entry, meta: FeedMeta, bodies: BodySlots | undefined): Omit<Item, "title"> {
  const content = cdataSafe(entry.contentHtml !== "" ? entry.contentHtml : `<p>${escapeHtml(entry.summary)}</p>`);
  const item: Omit<Item, "title"> = {
    id: entry.id,
    link: entryLink(entry, meta),
    date: new Date(entryUpdated(entry)),
    published: new Date(entryDate(entry)),
    description: cdataSafe(escapeHtml(entry.summary)),
    // An empty body is left out by `feed`: it gets no mark either.
    content: bodies && content !== "" ? bodies.slot(content) : content,
  };
  const enclosure = entryEnclosure(entry);
  if (enclosure !== undefined) item.enclosure = enclosure;
  return item;
}

/**
 * The one enclosure RSS allows an item (Atom writes the same): the entry's
 * image, else its first enclosure, with a registered media type; none when
 * no type can be told (see media-type.ts).
 */
function entryEnclosure(entry: Entry): { url: string; type: string; length?: number } | undefined {
  const image = entry.image;
  const enc = image ?? entry.enclosures[0];
  if (enc === undefined) return undefined;
  const type = enclosureType(enc.url, enc.type, image !== undefined ? "image" : undefined);
  if (type === undefined) return undefined;
  return { url: enc.url, type, ...(enc.length ? { length: enc.length } : {}) };
}

const ENCLOSURE_LINK = '<link rel="enclosure" href="';

/**
 * The Atom with each enclosure link's type set to the entry's: `feed` writes
 * the URL's extension under "image/" whatever type it is given. `types` are
 * the enclosures' types in entry order. The result is the document in
 * pieces, the types between them (joined by the splice that follows, not
 * here: a join copies the whole document once more). Undefined if the links
 * are not where and as `feed` writes them (the caller then writes the Atom
 * without them). Bodies are sanitized HTML and titles and summaries escaped,
 * so no text in the feed holds this tag.
 */
function withEnclosureTypes(xml: string, types: string[]): string[] | undefined {
  if (types.length === 0) return xml.includes(ENCLOSURE_LINK) ? undefined : [xml];
  const pieces: string[] = [];
  let from = 0;
  for (const type of types) {
    const at = xml.indexOf(ENCLOSURE_LINK, from);
    if (at < 0) return undefined;
    const hrefEnd = xml.indexOf('"', at + ENCLOSURE_LINK.length);
    if (!xml.startsWith(' type="', hrefEnd + 1)) return undefined;
    const typeStart = hrefEnd + 8;
    const typeEnd = xml.indexOf('"', typeStart);
    if (typeEnd < 0) return undefined;
    // A registered media type holds no character XML escapes (media-type.ts).
    pieces.push(xml.slice(from, typeStart), type);
    from = typeEnd;
  }
  if (xml.includes(ENCLOSURE_LINK, from)) return undefined;
  pieces.push(xml.slice(from));
  return pieces;
}

/**
 * The entries' HTML bodies, most of a feed's bytes, kept out of the `feed`
 * package's XML writer (xml-js): it builds each element by joining its
 * children's strings, so every body was copied once per level of nesting
 * (item, channel, rss, document), each copy a fresh allocation of the
 * body's size. `feed` writes a short mark in each body's CDATA instead, and
 * the bodies are put in its place in one join. The marks hold U+0001, which
 * cdataSafe removes from titles, summaries and bodies; should a mark turn up
 * anywhere it was not put (a field that does not go through cdataSafe, such
 * as a category or an id), the feed is written again the plain way, with the
 * bodies inline.
 */
const MARK = "\u0001";

export class BodySlots {
  readonly values: string[] = [];

  slot(body: string): string {
    this.values.push(body);
    return `${MARK}${this.values.length - 1}${MARK}`;
  }

  /** Forgets the bodies slotted after the first `count`: a write that is thrown away and done again. */
  truncate(count: number): void {
    this.values.length = count;
  }

  /** The XML (whole, or in pieces) with each mark replaced by its body, or undefined if the marks are not exactly where they were put. */
  splice(xml: string | readonly string[]): string | undefined {
    return this.pieces(xml)?.join("");
  }

  /**
   * splice() as UTF-8 bytes, each piece written straight into one buffer:
   * the file's bytes without first joining the pieces into a string of the
   * same size (a copy and a fresh allocation of a quarter megabyte per file).
   */
  spliceBytes(xml: string | readonly string[]): Buffer | undefined {
    const pieces = this.pieces(xml);
    return pieces === undefined ? undefined : utf8Pieces(pieces);
  }

  /**
   * The XML cut at the marks, with the bodies in their places. Given in
   * pieces, the marks are looked for piece by piece, in order; no mark
   * straddles two pieces (they are cut inside enclosure links, which hold none).
   */
  private pieces(xml: string | readonly string[]): string[] | undefined {
    const parts = typeof xml === "string" ? [xml] : xml;
    const pieces: string[] = [];
    let k = 0;
    let marks = 0;
    for (const part of parts) {
      let from = 0;
      while (k < this.values.length) {
        const mark = `<![CDATA[${MARK}${k}${MARK}]]>`;
        const at = part.indexOf(mark, from);
        if (at < 0) break;
        pieces.push(part.slice(from, at), "<![CDATA[", this.values[k]!, "]]>");
        from = at + mark.length;
        k++;
      }
      pieces.push(from === 0 ? part : part.slice(from));
      for (let at = part.indexOf(MARK); at >= 0; at = part.indexOf(MARK, at + 1)) marks++;
    }
    return k === this.values.length && marks === 2 * k ? pieces : undefined;
  }
}

/** `updated`: the newest entry's of the whole feed (feedUpdated), whatever entries this `Feed` is given. */
function newFeed(updated: Date, meta: FeedMeta, ext: "rss" | "atom"): Feed {
  return new Feed({
    id: feedUrl(meta, ext),
    title: meta.title,
    description: meta.description,
    link: meta.homePage,
    // Fixed from the newest entry, never the clock: same inputs → same bytes.
    updated,
    generator: GENERATOR,
    feed: feedUrl(meta, ext),
    ...(meta.language ? { language: meta.language } : {}),
    ...(meta.ttlMinutes ? { ttl: meta.ttlMinutes } : {}),
    ...(meta.hub ? { hub: meta.hub } : {}),
    // RFC 4287 §4.1.1: an entry needs an author unless the feed has one.
    author: { name: meta.title },
  });
}

/** A feed written with its bodies as marks and spliced, or, should the marks be out of place, the plain way. */
function spliced(write: (bodies: BodySlots | undefined) => string | string[]): string {
  const bodies = new BodySlots();
  return bodies.splice(write(bodies)) ?? joined(write(undefined));
}

/** spliced() as the UTF-8 bytes of the file (see BodySlots.spliceBytes). */
function splicedBytes(write: (bodies: BodySlots | undefined) => string | string[]): Buffer {
  const bodies = new BodySlots();
  const bytes = bodies.spliceBytes(write(bodies));
  if (bytes !== undefined) return bytes;
  const plain = write(undefined);
  return typeof plain === "string" ? Buffer.from(plain, "utf8") : utf8Pieces(plain);
}

function joined(xml: string | string[]): string {
  return typeof xml === "string" ? xml : xml.join("");
}

/** RSS 2.0 with dc:creator for authors (RSS <author> must be an e-mail address). */
export function renderRss(entries: Entry[], meta: FeedMeta): string {
  return spliced((b) => rssPieces(entries, meta, b));
}

/** Atom 1.0 (RFC 4287): html-typed title, published and updated, categories with term/scheme/label. */
export function renderAtom(entries: Entry[], meta: FeedMeta): string {
  return spliced((b) => atomPieces(entries, meta, b));
}

/** renderRss as the UTF-8 bytes of the file. */
export function renderRssBytes(entries: Entry[], meta: FeedMeta): Buffer {
  return splicedBytes((b) => rssPieces(entries, meta, b));
}

/** renderAtom as the UTF-8 bytes of the file. */
export function renderAtomBytes(entries: Entry[], meta: FeedMeta): Buffer {
  return splicedBytes((b) => atomPieces(entries, meta, b));
}

/** Entries per `feed` document when a feed is written in batches (inBatches). */
const BATCH_ENTRIES = 10;

/**
 * A feed of many entries as `feed` writes it, `feed` given a few entries at a
 * time. Its XML writer (xml-js) builds each element by joining its
 * children's strings, so the whole document was copied once per level above
 * the entries (channel, rss, the document: six joins), each copy past
 * 128 KB a fresh allocation whose pages this kind of machine pays a fault
 * for. Written a few entries at a time, every copy stays small; the entries
 * of each batch are cut out (from `open`, the first entry's start, to the
 * end of the last `close`) and put between the first batch's head and tail.
 * The feed-level fields are the whole feed's in every batch (`write` is
 * given them), and every batch's head and tail must be the first's, else
 * undefined and the caller writes the feed whole: nothing is assumed about
 * what `feed` puts there. `write` gives a batch's document in pieces, or
 * undefined when it cannot be written this way.
 */
export function inBatches(entries: Entry[], write: (batch: Entry[]) => string[] | undefined, open: string, close: string): string[] | undefined {
  const pieces: string[] = [];
  let head: string | undefined;
  let tail: string | undefined;
  for (let i = 0; i < entries.length; i += BATCH_ENTRIES) {
    const parts = write(entries.slice(i, i + BATCH_ENTRIES));
    if (parts === undefined) return undefined;
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    const start = first.indexOf(open);
    const end = last.lastIndexOf(close);
    if (start < 0 || end < 0) return undefined;
    const stop = end + close.length;
    const batchHead = first.slice(0, start);
    const batchTail = last.slice(stop);
    if (head === undefined) {
      head = batchHead;
      tail = batchTail;
      pieces.push(head);
    } else if (batchHead !== head || batchTail !== tail) {
      return undefined;
    }
    if (parts.length === 1) {
      if (stop <= start) return undefined;
      pieces.push(first.slice(start, stop));
    } else {
      pieces.push(first.slice(start), ...parts.slice(1, -1), last.slice(0, stop));
    }
  }
  pieces.push(tail!);
  return pieces;
}

/** A long feed in batches (inBatches), else whole; the bodies slotted by a batched write that failed are forgotten. */
function batchedOrWhole(
  entries: Entry[],
  bodies: BodySlots | undefined,
  write: (batch: Entry[]) => string[] | undefined,
  whole: () => string[],
  open: string,
  close: string,
): string[] {
  if (entries.length <= BATCH_ENTRIES) return whole();
  const slotted = bodies?.values.length ?? 0;
  const batched = inBatches(entries, write, open, close);
  if (batched !== undefined) return batched;
  bodies?.truncate(slotted);
  return whole();
}

/** The RSS as `feed` writes it, all entries in one document; with `bodies`, each body is a mark to splice (see BodySlots). */
export function rssXml(entries: Entry[], meta: FeedMeta, bodies: BodySlots | undefined): string {
  return rssDocument(entries, feedUpdated(entries), meta, rssDomains(meta), bodies);
}

/** rssXml in pieces: written in batches when long (inBatches). */
export function rssPieces(entries: Entry[], meta: FeedMeta, bodies: BodySlots | undefined): string[] {
  const updated = feedUpdated(entries);
  const domains = rssDomains(meta);
  const write = (batch: Entry[]) => [rssDocument(batch, updated, meta, domains, bodies)];
  return batchedOrWhole(entries, bodies, write, () => write(entries), "\n        <item>", "</item>");
}

function rssDocument(entries: Entry[], updated: Date, meta: FeedMeta, domains: RssDomains, bodies: BodySlots | undefined): string {
  const feed = newFeed(updated, meta, "rss");
  for (const entry of entries) {
    const extensions: Extension[] = [];
    if (entry.authors.length > 0) {
      extensions.push({ name: "dc:creator", objects: entry.authors.map((a) => ({ _text: cdataSafe(a) })) as unknown as Record<string, unknown> });
    }
    feed.addItem({
      ...baseItem(entry, meta, bodies),
      title: cdataSafe(entry.title),
      // feed prints the id as a non-permalink guid.
      guid: entry.id,
      category: rssCategories(entry, domains),
      extensions,
    });
  }
  return feed.rss2();
}

/** The Atom as `feed` writes it, all entries in one document; with `bodies`, each body is a mark to splice (see BodySlots). */
export function atomXml(entries: Entry[], meta: FeedMeta, bodies: BodySlots | undefined): string {
  return joined(atomWhole(entries, feedUpdated(entries), meta, bodies));
}

/** atomXml in pieces: cut where the enclosure types were set (withEnclosureTypes), written in batches when long (inBatches). */
function atomPieces(entries: Entry[], meta: FeedMeta, bodies: BodySlots | undefined): string[] {
  const updated = feedUpdated(entries);
  const write = (batch: Entry[]) => atomTyped(batch, updated, meta, bodies);
  return batchedOrWhole(entries, bodies, write, () => atomWhole(entries, updated, meta, bodies), "\n    <entry>", "</entry>");
}

/**
 * The Atom of all the entries in pieces; when the enclosure links are not
 * where `feed` writes them, the feed without them (its bodies slotted anew).
 */
function atomWhole(entries: Entry[], updated: Date, meta: FeedMeta, bodies: BodySlots | undefined): string[] {
  const slotted = bodies?.values.length ?? 0;
  const pieces = atomTyped(entries, updated, meta, bodies);
  if (pieces !== undefined) return pieces;
  bodies?.truncate(slotted);
  return [atomDocument(entries, updated, meta, bodies, false).xml];
}

/** The entries' Atom with its enclosure types set (withEnclosureTypes), or undefined. */
function atomTyped(entries: Entry[], updated: Date, meta: FeedMeta, bodies: BodySlots | undefined): string[] | undefined {
  const { xml, types } = atomDocument(entries, updated, meta, bodies, true);
  return withEnclosureTypes(xml, types);
}

/** One `feed` Atom document of the entries, and the types of the enclosures it holds, in order. */
function atomDocument(entries: Entry[], updated: Date, meta: FeedMeta, bodies: BodySlots | undefined, enclosures: boolean): { xml: string; types: string[] } {
  const feed = newFeed(updated, meta, "atom");
  const types: string[] = [];
  for (const entry of entries) {
    const { enclosure, ...item } = baseItem(entry, meta, bodies);
    if (enclosures && enclosure !== undefined) types.push(enclosure.type!);
    feed.addItem({
      ...item,
      ...(enclosures && enclosure !== undefined ? { enclosure } : {}),
      // Atom titles are written type="html": escape the plain text once.
      title: cdataSafe(escapeHtml(entry.title)),
      category: atomCategories(entry, meta),
      ...(entry.authors.length > 0 ? { author: entry.authors.map((name) => ({ name: cdataSafe(escapeHtml(name)) })) } : {}),
    });
  }
  return { xml: feed.atom1(), types };
}
