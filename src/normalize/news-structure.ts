import { Parser } from "htmlparser2";
import type { Dateline } from "../model/index.js";
import { isWhiteSpaceCode } from "../shared/white-space.js";
import { escapeText } from "../shared/xml-text.js";
import { TEXT_BREAK } from "./block-elements.js";
import { HTML_TOKENIZER } from "./fast-text-tokenizer.js";
import { TEXT_SKIP, textLines } from "./html-text.js";
import type { SanitizedChunks, SanitizedEvent, SanitizedHtml } from "./sanitize-content.js";
import { collapseCountingWords, countWords } from "./summarize.js";

export interface NewsStructure {
  /** The content with caption, boilerplate, separators and empty blocks removed. */
  contentHtml: string;
  /** The paragraphs of the story body (dateline removed), each collapsed: the source of the summary, word count and language sample. */
  bodyParts: string[];
  /** countWords(bodyText), counted while the paragraphs were collapsed. */
  bodyWords: number;
  /** Plain text of the story body: bodyParts joined by "\n" (built when read). */
  readonly bodyText: string;
  /**
   * htmlToText of each kept piece of contentHtml, collected in the same pass:
   * the non-empty ones joined by "\n" are htmlToText(contentHtml), the text
   * enrich tags (and retag recomputes from the stored content), without
   * parsing the content again.
   */
  contentLines: string[];
  caption?: string;
  credit?: string;
  /** A lead sentence that stood in the caption block before the caption proper. */
  standfirst?: string;
  dateline?: Dateline;
  /** True when the caption was put into the content as <figure><figcaption>. */
  captionInContent?: boolean;
  /** First image in the content, with its alt text. */
  firstImage?: { url: string; alt?: string; width?: number; height?: number };
}

// Month names and abbreviations (English, Spanish, Portuguese), either case of
// the first letter: "January", "Jan.", "ene", "Set". The regexes cannot be
// case-insensitive as a whole because places are recognised by capitals.
const MONTH_NAMES = [
  "Jan(?:uary)?",
  "Feb(?:ruary)?",
  "Mar(?:ch)?",
  "Apr(?:il)?",
  "May",
  "June?",
  "July?",
  "Aug(?:ust)?",
  "Sep(?:t(?:ember)?)?",
  "Oct(?:ober)?",
  "Nov(?:ember)?",
  "Dec(?:ember)?",
  "ene(?:ro)?",
  "feb(?:rero)?",
  "mar(?:zo)?",
  "abr(?:il)?",
  "may(?:o)?",
  "jun(?:io)?",
  "jul(?:io)?",
  "ago(?:sto)?",
  "sep(?:tiembre)?",
  "set(?:iembre|embro)?",
  "oct(?:ubre)?",
  "out(?:ubro)?",
  "nov(?:iembre|embro)?",
  "dic(?:iembre)?",
  "dez(?:embro)?",
];
const MONTH = `(?:${MONTH_NAMES.map((n) => `[${n[0]!.toUpperCase()}${n[0]!.toLowerCase()}]${n.slice(1)}`).join("|")})\\.?`;
const PLACE = "[\\p{Lu}][\\p{L}.'’ -]{1,40}?";
const AGENCY = "\\(([\\p{L}][\\p{L}\\d .&/-]{0,24})\\)";
const DASH = "\\s*(?:\\.-|--|—|–|-|:)\\s*";
// "Washington, January 23 (RHC)--", "MADRID, 5 ene (EFE).-", "HAVANA (Reuters) -", "WASHINGTON —".
const DATELINES: Array<{ re: RegExp; place: number; date?: number; agency?: number }> = [
  {
    re: new RegExp(`^(${PLACE}),\\s+((?:${MONTH}\\s+\\d{1,2}|\\d{1,2}\\s+(?:de\\s+)?${MONTH})(?:,?\\s+\\d{4})?)\\s*${AGENCY}${DASH}`, "u"),
    place: 1,
    date: 2,
    agency: 3,
  },
  {
    re: new RegExp(`^(${PLACE}),\\s+((?:${MONTH}\\s+\\d{1,2}|\\d{1,2}\\s+(?:de\\s+)?${MONTH})(?:,?\\s+\\d{4})?)\\s*(?:--|—|–|\\.-)\\s*`, "u"),
    place: 1,
    date: 2,
  },
  { re: new RegExp(`^([\\p{Lu}][\\p{Lu}.'’ -]{1,40}?)(?:,\\s+[\\p{Lu}][\\p{L}.]{1,20})?\\s*${AGENCY}${DASH}`, "u"), place: 1, agency: 2 },
  { re: /^([\p{Lu}][\p{Lu}.'’ ]{2,40}?)\s+(?:—|–|--)\s+/u, place: 1 },
];

// A credit in brackets at the end ("… [Gregory Bull/AP Photo]"), or "(Photo: …)", or "Foto: …".
const BRACKET_CREDIT = /\s*\[([^\]]{2,80}(?:\/|Photo|Foto|Image|Getty|Reuters|AP|AFP|EFE|Prensa)[^\]]{0,40})\]\s*$/iu;
const PAREN_CREDIT = /\s*\((?:Photo|Foto|Image|Imagen|Credit|Crédito)s?\s*:\s*([^)]{2,80})\)\s*$/iu;
const LEADING_CREDIT = /^(?:Photo|Foto|Image|Imagen)\s*:\s*(.{2,120})$/iu;

const SEPARATOR = /^[\s\-–—*_=~•·.]{3,}$/u;

/**
 * SEPARATOR.test(text); a first character outside the pattern's class (the
 * first letter of nearly every block) answers without running it.
 */
function isSeparator(text: string): boolean {
  const c = text.charCodeAt(0);
  const mayStart =
    c === 0x2d ||
    c === 0x2013 ||
    c === 0x2014 ||
    c === 0x2a ||
    c === 0x5f ||
    c === 0x3d ||
    c === 0x7e ||
    c === 0x2022 ||
    c === 0xb7 ||
    c === 0x2e ||
    isWhiteSpaceCode(c);
  return mayStart && SEPARATOR.test(text);
}

function matchesAny(patterns: RegExp[], text: string): boolean {
  for (let i = 0; i < patterns.length; i++) if (patterns[i]!.test(text)) return true;
  return false;
}

export function parseDateline(text: string): { dateline: Dateline; rest: string } | undefined {
  for (const { re, place, date, agency } of DATELINES) {
    const m = re.exec(text);
    if (!m) continue;
    const dl: Dateline = { text: m[0].trim(), place: m[place]!.trim() };
    if (date !== undefined && m[date]) dl.date = m[date]!.trim();
    if (agency !== undefined && m[agency]) dl.agency = m[agency]!.trim();
    return { dateline: dl, rest: text.slice(m[0].length).trim() };
  }
  return undefined;
}

/** Caption and credit when a block is a photo caption. */
export function parseCaption(text: string): { caption: string; credit: string; standfirst?: string } | undefined {
  // Both credit patterns end with a bracket and spaces (`\]\s*$`, `\)\s*$`):
  // a block whose last character other than \s (what trimEnd removes) is
  // neither cannot match, and the unanchored patterns would be tried at
  // every position of it.
  const end = text.trimEnd();
  const last = end.charCodeAt(end.length - 1);
  let m = last === 0x5d ? BRACKET_CREDIT.exec(text) : last === 0x29 ? PAREN_CREDIT.exec(text) : null;
  if (m) {
    const before = text.slice(0, m.index).trim();
    // A caption block may open with the story's standfirst; the caption proper
    // is the last sentence, the one the credit belongs to.
    const sentences = before.split(/(?<=[.!?])\s+(?=[\p{Lu}"“])/u);
    const caption = (sentences.at(-1) ?? before).trim();
    const standfirst = sentences.slice(0, -1).join(" ").trim();
    return { caption, credit: m[1]!.trim(), ...(standfirst !== "" ? { standfirst } : {}) };
  }
  m = LEADING_CREDIT.exec(text);
  if (m) return { caption: "", credit: m[1]!.trim() };
  return undefined;
}

const MEDIA = new Set(["img", "video", "audio", "picture"]);
// Wrappers that are unwrapped when they are the only block, so that their
// paragraphs are the blocks (`<div><p>…</p><p>…</p></div>`). Depth is bounded.
const MAX_DEPTH = 3;

function joinRange(pieces: string[], from: number, to: number): string {
  return to - from === 1 ? pieces[from]! : pieces.slice(from, to).join("");
}

/**
 * An append-only list of strings that keeps its array from one scan to the
 * next (scans do not nest, and nothing reads a scan's pieces after it
 * returns): entries past `length` are stale and never read.
 */
class PieceList {
  readonly items: string[] = [];
  length = 0;

  push(s: string): void {
    this.items[this.length++] = s;
  }

  reset(): this {
    this.length = 0;
    return this;
  }

  /** Lets go of the strings (slices of the last document) once the scan's blocks are read. */
  release(): void {
    this.items.fill("", 0, this.length);
    this.length = 0;
  }
}

const TEXT_PIECES = new PieceList();
const RAW_PIECES = new PieceList();

/**
 * The scanned HTML, addressed by the offsets its events carry: characters of
 * one string, or chunks of the sanitizer's output (SanitizedChunks).
 */
interface Source {
  slice(start: number, end: number): string;
  /** Appends the range to `parts` (whose join is the content). */
  append(parts: string[], start: number, end: number): void;
}

function stringSource(html: string): Source {
  return {
    slice: (start, end) => html.slice(start, end),
    append: (parts, start, end) => {
      parts.push(html.slice(start, end));
    },
  };
}

function chunkSource(chunks: string[]): Source {
  return {
    slice: (start, end) => joinRange(chunks, start, end),
    append: (parts, start, end) => {
      for (let i = start; i < end; i++) parts.push(chunks[i]!);
    },
  };
}

/**
 * A node of the sanitized HTML down to MAX_DEPTH: its span in the source and
 * its text, as ranges of the scan's piece lists joined on first use (most
 * nested nodes' text is never read).
 */
class Block {
  readonly children: Block[] = [];
  /** The first <img> tag inside, as the sanitizer wrote it. */
  imgTag?: string;
  textTo = -1;
  rawTo = -1;
  /**
   * An element that separates words (or holds no text: script, …) opened
   * inside: its raw text has line breaks or gaps of its own, so its line of
   * plain text is not simply its collapsed text.
   */
  inner = false;
  #text: string | undefined;

  constructor(
    readonly name: string | undefined,
    readonly start: number,
    public end: number,
    public hasMedia: boolean,
    private readonly pieces: { text: PieceList; raw: PieceList },
    readonly textFrom: number,
    /** -1 for a text node: its raw text is its text. */
    readonly rawFrom: number,
  ) {}

  get text(): string {
    this.#text ??= joinRange(this.pieces.text.items, this.textFrom, this.textTo);
    return this.#text;
  }

  /** What htmlToText collects from this node's source alone, before lines are collapsed. */
  get rawText(): string {
    return this.rawFrom < 0 ? this.text : joinRange(this.pieces.raw.items, this.rawFrom, this.rawTo);
  }

  /**
   * htmlToText of this node's source alone (its lines), given `text`, its
   * collapsed text. Without an inner separating element and without a line
   * break in its text, the raw text is the text between the node's own
   * separators, whose lines collapse as the text does (`textLines` and
   * `collapseSpaces` differ only in keeping "\n").
   */
  lines(text: string): string {
    return !this.inner && !this.text.includes("\n") ? text : textLines(this.rawText);
  }
}

/**
 * The callbacks of a parser over sanitized HTML, with offsets into it (`end`
 * exclusive): what scan needs, whether from the sanitizer's own events or
 * from tokenizing the HTML.
 */
interface ScanHandler {
  open(name: string, attribs: Record<string, string>, start: number, end: number): void;
  text(text: string, start: number, end: number): void;
  close(name: string, end: number): void;
}

function replayEvents(events: SanitizedEvent[], h: ScanHandler): void {
  for (const e of events) {
    if (e.kind === "text") h.text(e.text, e.start, e.end);
    else if (e.kind === "open") h.open(e.name, e.attribs, e.start, e.end);
    else h.close(e.name, e.end);
  }
}

function tokenize(html: string, h: ScanHandler): void {
  const parser: Parser = new Parser(
    {
      onopentag: (name, attribs) => h.open(name, attribs, parser.startIndex, parser.endIndex + 1),
      onclosetag: (name) => h.close(name, parser.endIndex + 1),
      ontext: (text) => h.text(text, parser.startIndex, parser.endIndex + 1),
    },
    { decodeEntities: true, Tokenizer: HTML_TOKENIZER },
  );
  parser.write(html);
  parser.end();
}

type StructureInput = string | SanitizedHtml | SanitizedChunks;

/**
 * One streaming pass over sanitized HTML: the top-level nodes (and their
 * children down to MAX_DEPTH) with source offsets and decoded text, and the
 * first image. Cheaper than building a DOM and serializing it again, and the
 * output keeps the sanitizer's bytes for every kept block. Given the
 * sanitizer's events it does not tokenize at all.
 */
function scan(input: StructureInput, source: Source): { roots: Block[]; firstImage?: Record<string, string> } {
  const roots: Block[] = [];
  const stack: Array<Block | null> = [];
  // Every open node's text is the run of pieces appended between its opening
  // and its closing, so the pieces are kept once for the whole pass and each
  // node remembers where its run starts and ends. `text`: decoded text, a
  // space around every element that separates words (block-elements.ts: blocks,
  // table cells, <br>). `raw`: htmlToText's view, the same elements' line
  // breaks and spaces and nothing inside script-like elements (which sanitized
  // HTML does not have; a node inside one is never a kept block).
  const pieces = { text: TEXT_PIECES.reset(), raw: RAW_PIECES.reset() };
  const textPieces = pieces.text;
  const rawPieces = pieces.raw;
  let skip = 0;
  let depth = 0;
  let firstImage: Record<string, string> | undefined;
  let textRoot: Block | undefined;
  let imgTag: string | undefined;
  const push = (b: Block) => {
    const parent = stack.at(-1);
    if (parent === undefined) roots.push(b);
    else parent?.children.push(b);
  };
  // Only the roots, and the children of a collected <div>, can be blocks
  // (see blocks: a lone wrapper div is unwrapped); the other nodes of the
  // collected levels hold their place on the stack as null.
  const collects = () => stack.length === 0 || stack.at(-1)?.name === "div";
  const closeTextRoot = () => {
    if (textRoot !== undefined) {
      textRoot.textTo = textPieces.length;
      textRoot = undefined;
    }
  };
  const handler: ScanHandler = {
    open(name, attribs, start, end) {
      closeTextRoot();
      imgTag = undefined;
      const media = MEDIA.has(name);
      if (media) for (const b of stack) if (b !== null) b.hasMedia = true;
      if (name === "img" && attribs.src) {
        if (firstImage === undefined) firstImage = attribs;
        const tag = source.slice(start, end);
        for (const b of stack) if (b !== null) b.imgTag ??= tag;
        imgTag = tag;
      }
      const brk = TEXT_BREAK.get(name);
      const textSkip = TEXT_SKIP.has(name);
      if (brk !== undefined || textSkip) for (const b of stack) if (b !== null) b.inner = true;
      // Before the node opens: the separator is outside its text, as the one at its close is.
      if (brk !== undefined) textPieces.push(" ");
      if (depth < MAX_DEPTH) {
        if (collects()) {
          const b = new Block(name, start, end, media, pieces, textPieces.length, rawPieces.length);
          if (imgTag !== undefined) b.imgTag = imgTag;
          push(b);
          stack.push(b);
        } else stack.push(null);
      }
      if (textSkip) skip++;
      else if (brk !== undefined) rawPieces.push(brk);
      depth++;
    },
    close(name, end) {
      closeTextRoot();
      const brk = TEXT_BREAK.get(name);
      if (TEXT_SKIP.has(name)) skip = Math.max(0, skip - 1);
      else if (brk !== undefined) rawPieces.push(brk);
      depth--;
      if (depth < MAX_DEPTH) {
        const b = stack.pop();
        if (b) {
          b.end = end;
          b.textTo = textPieces.length;
          b.rawTo = rawPieces.length;
        }
      }
      if (brk !== undefined) textPieces.push(" ");
    },
    text(text, start, end) {
      if (depth < MAX_DEPTH && (textRoot !== undefined || collects())) {
        // A text node directly in a collected level is a block of its own.
        if (textRoot === undefined) {
          textRoot = new Block(undefined, start, end, false, pieces, textPieces.length, -1);
          push(textRoot);
        }
        textRoot.end = end;
      }
      textPieces.push(text);
      if (skip === 0) rawPieces.push(text);
    },
  };
  if (typeof input === "string") tokenize(input, handler);
  else replayEvents(input.events, handler);
  closeTextRoot();
  return firstImage === undefined ? { roots } : { roots, firstImage };
}

function blocks(nodes: Block[]): Block[] {
  const meaningful = nodes.filter((n) => !(n.name === undefined && n.text.trim() === ""));
  const only = meaningful[0];
  if (meaningful.length === 1 && only !== undefined && only.name === "div" && only.children.length > 0) return blocks(only.children);
  return nodes;
}

/** `<figure><img><figcaption>caption <small>credit</small></figcaption></figure>` (HTML Living Standard §4.4.12). */
export function renderFigure(imgTag: string, caption: string, credit: string | undefined): string {
  const parts = [caption !== "" ? escapeText(caption) : undefined, credit ? `<small>${escapeText(credit)}</small>` : undefined].filter(Boolean);
  return `<figure>${imgTag}<figcaption>${parts.join(" ")}</figcaption></figure>`;
}

/**
 * htmlToText(renderFigure(imgTag, caption, credit)) without parsing it: an
 * image has no text, the figcaption's line is the caption and the credit
 * (escaped and decoded back) with a space between.
 */
export function figureText(caption: string, credit: string | undefined): string {
  return textLines(caption !== "" && credit ? `${caption} ${credit}` : caption !== "" ? caption : (credit ?? ""));
}

/**
 * Finds the news structure in sanitized HTML: photo caption and credit,
 * dateline, and per-source boilerplate; drops separators and empty blocks.
 */
export function extractNewsStructure(input: StructureInput, boilerplate: RegExp[]): NewsStructure {
  const source = typeof input === "string" ? stringSource(input) : "chunks" in input ? chunkSource(input.chunks) : stringSource(input.html);
  const scanned = scan(input, source);
  // The kept pieces of content, in order, joined by "\n": a range of the
  // source, or markup of our own (a figure, a trimmed text node).
  const keptStart: number[] = [];
  const keptEnd: number[] = [];
  const keptMarkup: Array<string | undefined> = [];
  // htmlToText of each kept piece; htmlToText(contentHtml) is the non-empty ones joined by "\n".
  const keptLines: string[] = [];
  const keep = (start: number, end: number, markup: string | undefined, lines: string) => {
    keptStart.push(start);
    keptEnd.push(end);
    keptMarkup.push(markup);
    return keptLines.push(lines);
  };
  const bodyParts: string[] = [];
  const result: NewsStructure = {
    contentHtml: "",
    bodyParts,
    get bodyText() {
      return bodyParts.join("\n");
    },
    contentLines: keptLines,
    bodyWords: 0,
  };
  let blockIndex = 0;
  // The last kept block that was only an image: the photo a caption below it belongs to.
  let lonePhoto: { keptIndex: number; imgTag: string } | undefined;
  let bodyWords = 0;
  for (const node of blocks(scanned.roots)) {
    const collapsed = collapseCountingWords(node.text);
    const text = collapsed.text;
    const words = collapsed.words;
    if (text === "" && !node.hasMedia) continue;
    if (text !== "" && !node.hasMedia && isSeparator(text)) continue;
    if (text !== "" && boilerplate.length > 0 && matchesAny(boilerplate, text)) continue;
    const early = blockIndex < 4;
    blockIndex++;
    if (early && result.caption === undefined && result.dateline === undefined && text !== "") {
      const caption = parseCaption(text);
      if (caption) {
        if (caption.caption !== "") result.caption = caption.caption;
        result.credit = caption.credit;
        if (caption.standfirst !== undefined) result.standfirst = caption.standfirst;
        const photo = node.imgTag !== undefined ? { keptIndex: keep(0, 0, "", "") - 1, imgTag: node.imgTag } : lonePhoto;
        if (photo !== undefined) {
          const figure = renderFigure(photo.imgTag, caption.caption, caption.credit);
          keptMarkup[photo.keptIndex] = figure;
          keptLines[photo.keptIndex] = figureText(caption.caption, caption.credit);
          result.captionInContent = true;
        } else if (node.hasMedia) {
          keep(node.start, node.end, undefined, node.lines(text));
        }
        continue;
      }
    }
    if (early && result.dateline === undefined && text !== "") {
      const dl = parseDateline(text);
      if (dl) {
        result.dateline = dl.dateline;
        // The summary starts at the story proper: anything before the dateline
        // (a standfirst, a caption) is not the story's first sentence.
        bodyParts.length = 0;
        bodyParts.push(dl.rest);
        bodyWords = countWords(dl.rest);
        keep(node.start, node.end, undefined, node.lines(text));
        continue;
      }
    }
    if (text !== "") {
      bodyParts.push(text);
      bodyWords += words;
    }
    keep(node.start, node.end, node.name === undefined ? source.slice(node.start, node.end).trim() : undefined, node.lines(text));
    lonePhoto = text === "" && node.imgTag !== undefined ? { keptIndex: keptLines.length - 1, imgTag: node.imgTag } : undefined;
  }
  const parts: string[] = [];
  for (let i = 0; i < keptLines.length; i++) {
    if (i > 0) parts.push("\n");
    const markup = keptMarkup[i];
    if (markup !== undefined) parts.push(markup);
    else source.append(parts, keptStart[i]!, keptEnd[i]!);
  }
  result.contentHtml = parts.join("").trim();
  result.bodyWords = bodyWords;
  TEXT_PIECES.release();
  RAW_PIECES.release();
  const img = scanned.firstImage;
  if (img?.src) {
    const width = Number(img.width);
    const height = Number(img.height);
    result.firstImage = {
      url: img.src,
      ...(img.alt ? { alt: img.alt } : {}),
      ...(Number.isFinite(width) && width > 0 ? { width } : {}),
      ...(Number.isFinite(height) && height > 0 ? { height } : {}),
    };
  }
  return result;
}
