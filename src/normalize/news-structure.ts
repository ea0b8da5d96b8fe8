import render from "dom-serializer";
import { type ChildNode, type Element, isTag, isText } from "domhandler";
import { textContent } from "domutils";
import { parseDocument } from "htmlparser2";
import type { Dateline } from "../model/index.js";

export interface NewsStructure {
  /** The content with caption, boilerplate, separators and empty blocks removed. */
  contentHtml: string;
  /** Plain text of the story body (dateline removed), the source of the summary. */
  bodyText: string;
  caption?: string;
  credit?: string;
  /** A lead sentence that stood in the caption block before the caption proper. */
  standfirst?: string;
  dateline?: Dateline;
  /** First image in the content, with its alt text. */
  firstImage?: { url: string; alt?: string; width?: number; height?: number };
}

const MONTH =
  "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|ene(?:ro)?|feb(?:rero)?|mar(?:zo)?|abr(?:il)?|may(?:o)?|jun(?:io)?|jul(?:io)?|ago(?:sto)?|sep(?:tiembre)?|set(?:iembre)?|oct(?:ubre)?|nov(?:iembre)?|dic(?:iembre)?)\\.?";
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
  let m = BRACKET_CREDIT.exec(text) ?? PAREN_CREDIT.exec(text);
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

function blocks(nodes: ChildNode[]): ChildNode[] {
  // Unwrap a lone wrapper (<div><p>…</p><p>…</p></div>) so its paragraphs are the blocks.
  const meaningful = nodes.filter((n) => !(isText(n) && n.data.trim() === ""));
  if (meaningful.length === 1 && isTag(meaningful[0]!) && (meaningful[0] as Element).name === "div") {
    return blocks((meaningful[0] as Element).children);
  }
  return nodes;
}

function hasMedia(node: ChildNode): boolean {
  if (!isTag(node)) return false;
  if (node.name === "img" || node.name === "video" || node.name === "audio" || node.name === "picture") return true;
  return node.children.some(hasMedia);
}

function findFirstImage(nodes: ChildNode[]): Element | undefined {
  for (const n of nodes) {
    if (!isTag(n)) continue;
    if (n.name === "img" && n.attribs.src) return n;
    const inner = findFirstImage(n.children);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Finds the news structure in sanitized HTML: photo caption and credit,
 * dateline, and per-source boilerplate; drops separators and empty blocks.
 */
export function extractNewsStructure(html: string, boilerplate: RegExp[]): NewsStructure {
  const doc = parseDocument(html);
  const all = blocks(doc.children);
  const kept: ChildNode[] = [];
  const bodyParts: string[] = [];
  const result: NewsStructure = { contentHtml: "", bodyText: "" };
  let blockIndex = 0;
  for (const node of all) {
    const text = textContent(node)
      .replace(/[\s\u00a0]+/g, " ")
      .trim();
    if (text === "" && !hasMedia(node)) continue;
    if (text !== "" && SEPARATOR.test(text) && !hasMedia(node)) continue;
    if (text !== "" && boilerplate.some((re) => re.test(text))) continue;
    const early = blockIndex < 4;
    blockIndex++;
    if (early && result.caption === undefined && result.dateline === undefined && text !== "") {
      const caption = parseCaption(text);
      if (caption) {
        if (caption.caption !== "") result.caption = caption.caption;
        result.credit = caption.credit;
        if (caption.standfirst !== undefined) result.standfirst = caption.standfirst;
        if (hasMedia(node)) kept.push(node);
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
        kept.push(node);
        continue;
      }
    }
    if (text !== "") bodyParts.push(text);
    kept.push(node);
  }
  result.contentHtml = render(kept, { encodeEntities: "utf8" }).trim();
  result.bodyText = bodyParts.join("\n");
  const img = findFirstImage(doc.children);
  if (img?.attribs.src) {
    const width = Number(img.attribs.width);
    const height = Number(img.attribs.height);
    result.firstImage = {
      url: img.attribs.src,
      ...(img.attribs.alt ? { alt: img.attribs.alt } : {}),
      ...(Number.isFinite(width) && width > 0 ? { width } : {}),
      ...(Number.isFinite(height) && height > 0 ? { height } : {}),
    };
  }
  return result;
}
