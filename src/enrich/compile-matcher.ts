import type { Taxonomy, Topic, TopicTerm } from "../model/index.js";
import { TaxonomyError } from "./load-taxonomy.js";
import { FOLD, tokenize, WORD_FOLD } from "./tokenize.js";

/**
 * Open-addressing hash index from a 30-bit hash to a chain of entries: a
 * typed-array probe instead of a Map lookup, as this runs for every word.
 */
class HashIndex {
  private keys = new Int32Array(16).fill(-1);
  private heads = new Int32Array(16);
  private count = 0;

  /** First entry index for hash h, or -1. */
  find(h: number): number {
    const mask = this.keys.length - 1;
    let slot = h & mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === h) return this.heads[slot]!;
      if (k === -1) return -1;
      slot = (slot + 1) & mask;
    }
  }

  /** Sets the head entry for h, returning the previous head (or -1). */
  put(h: number, head: number): number {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let slot = h & mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === h) {
        const previous = this.heads[slot]!;
        this.heads[slot] = head;
        return previous;
      }
      if (k === -1) {
        this.keys[slot] = h;
        this.heads[slot] = head;
        this.count++;
        return -1;
      }
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHeads = this.heads;
    this.keys = new Int32Array(oldKeys.length * 2).fill(-1);
    this.heads = new Int32Array(oldKeys.length * 2);
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== -1) this.put(oldKeys[i]!, oldHeads[i]!);
  }
}

/**
 * Folded words, some of them stems (`stem*` matches any word starting with
 * it), looked up without building a string per word: the hash of the word's
 * folded characters is computed in place in the original text, and each
 * candidate is confirmed character by character.
 */
class WordTable<V> {
  private readonly exact = new HashIndex();
  private readonly stems = new HashIndex();
  private readonly words: string[] = [];
  private readonly values: V[] = [];
  private readonly next: number[] = [];
  private readonly isStem: number[] = [];
  /** stemLengths[k] = 1 when some stem has k characters. */
  stemLengths = new Uint8Array(1);
  /**
   * Filters on the low 16 bits of the hash (1 = some stem / some word may
   * have it): with a few hundred entries most probes stop at one byte.
   */
  readonly stemFilter: Uint8Array;
  readonly exactFilter: Uint8Array;

  /** Only the first-word table needs the filters (64 KiB each); deeper tables are probed rarely. */
  constructor(withFilters = false) {
    this.stemFilter = new Uint8Array(withFilters ? 0x10000 : 1);
    this.exactFilter = new Uint8Array(withFilters ? 0x10000 : 1);
  }
  size = 0;

  /** The value stored for this exact word or stem, or undefined. */
  get(word: string, stem: boolean): V | undefined {
    for (let i = (stem ? this.stems : this.exact).find(hashOf(word, 0, word.length)); i >= 0; i = this.next[i]!) {
      if (this.words[i] === word) return this.values[i];
    }
    return undefined;
  }

  /**
   * Bit (c & 63) set for the first folded character c of every key: a word
   * whose first character has no bit starts no key (one test before a probe).
   */
  readonly firstChars = new Int32Array(2);

  set(word: string, stem: boolean, value: V): void {
    const first = word.charCodeAt(0) & 63;
    this.firstChars[first >> 5]! |= 1 << (first & 31);
    const index = this.words.length;
    this.words.push(word);
    this.values.push(value);
    this.isStem.push(stem ? 1 : 0);
    const h = hashOf(word, 0, word.length);
    this.next.push((stem ? this.stems : this.exact).put(h, index));
    const filter = stem ? this.stemFilter : this.exactFilter;
    filter[h & (filter.length - 1)] = 1;
    this.size++;
    if (stem) {
      if (word.length >= this.stemLengths.length) {
        const grown = new Uint8Array(word.length + 1);
        grown.set(this.stemLengths);
        this.stemLengths = grown;
      }
      this.stemLengths[word.length] = 1;
    }
  }

  /** Every key with its value, in insertion order. */
  forEach(visit: (word: string, stem: boolean, value: V) => void): void {
    for (let i = 0; i < this.words.length; i++) visit(this.words[i]!, this.isStem[i] === 1, this.values[i]!);
  }

  /** Pushes to `out` the values of every entry matching text[start, end) folded (text as UTF-16 code units). */
  collect(text: Uint16Array, start: number, end: number, out: V[]): void {
    const len = end - start;
    const stemLengths = this.stemLengths;
    const maxStem = stemLengths.length - 1;
    let h = 0;
    // Stems first (shortest first), then the exact word: the order hits are reported in.
    // The hash of each prefix is the step to the next one, and the last one the word's.
    const stemFilter = this.stemFilter;
    const stemMask = stemFilter.length - 1;
    for (let k = 0; k < len; k++) {
      h = (Math.imul(h, 31) + FOLD[text[start + k]!]!) & 0x3fffffff;
      if (k < maxStem && stemLengths[k + 1] === 1 && stemFilter[h & stemMask] === 1) {
        for (let i = this.stems.find(h); i >= 0; i = this.next[i]!) {
          const w = this.words[i]!;
          if (w.length === k + 1 && sameFolded(w, text, start)) out.push(this.values[i]!);
        }
      }
    }
    if (this.exactFilter[h & (this.exactFilter.length - 1)] !== 1) return;
    for (let i = this.exact.find(h); i >= 0; i = this.next[i]!) {
      const w = this.words[i]!;
      if (w.length === len && sameFolded(w, text, start)) out.push(this.values[i]!);
    }
  }
}

/** Whether text (UTF-16 code units), folded, has `word` (already folded) at `start`. */
function sameFolded(word: string, text: Uint16Array, start: number): boolean {
  for (let k = 0; k < word.length; k++) if (FOLD[text[start + k]!] !== word.charCodeAt(k)) return false;
  return true;
}

/** Whether this machine stores a Uint16Array's elements low byte first, as UTF-16LE does. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A character automaton (a trie of states) over every first word and stem
 * of the terms and every word, stem and phrase-first word of the context
 * lists. The scan steps it once per character of a word and stops at the
 * first character no key continues with: most words die at their first or
 * second letter, and a word that survives to a key is matched exactly, with
 * no hash and no confirmation.
 */
interface WordAutomaton {
  /**
   * Character of the text (not folded) → column: 0 for a character that
   * separates words, 1 for a word character in no key (to the dead state),
   * above for the folded characters of the keys. One lookup per character
   * both finds word boundaries and steps the automaton.
   */
  columnOf: Uint16Array;
  /**
   * The transitions as a double array (Aoe, "An efficient digital search
   * algorithm by using a double-array structure", 1989): each state has a
   * distinct `base` (those without edges above all others, owning no slot),
   * and its edge on a column is the Int32 at base + column,
   * packed as target base << baseShift | column << 4 | exact info << 2 |
   * stem info. The column tells the state's own edge from another state's
   * in that slot: another base with the same column would be the same base.
   * Four bytes per edge instead of a row of every column per state: the
   * table the pass walks, one dependent read per character, stays in the
   * cache.
   *
   * Stem info (bit 1 a first-word stem ends at the target: stemNode; bit 2
   * a context stem) and exact info (bit 1 a first word ends there:
   * exactNode; bit 2 a context word or phrase-first word) are those of the
   * target state.
   */
  cells: Int32Array;
  /** Where the target base starts in a cell; the column is (cell >> 4) & columnMask. */
  baseShift: number;
  columnMask: number;
  /** Base of the start state. */
  rootBase: number;
  /** The state of each base: the index into the per-state tables below. */
  stateOfBase: Int32Array;
  stemNode: Array<TrieNode | undefined>;
  exactNode: Array<TrieNode | undefined>;
  /**
   * The context lists a word is in, by where its pass ended: index `state`
   * for a word that ended alive in `state` (its stems and itself), `states +
   * last` for one that outran every key after `last` (its stems only).
   * singleMask holds `maskWords` Int32s per index, bit `id` set when a single
   * word or stem of list `id` matches; phraseMask the lists of which a phrase
   * starts with it, and phrases those phrases (checked against the following
   * words when a window asks).
   */
  states: number;
  maskWords: number;
  singleMask: Int32Array;
  phraseMask: Int32Array;
  phrases: ContextEntry[][];
}

function buildAutomaton(firstWords: WordTable<TrieNode>, contextWords: WordTable<ContextEntry[]>, contextCount: number): WordAutomaton {
  const keys: Array<{ word: string; stem: boolean; node: TrieNode | undefined; entries: ContextEntry[] }> = [];
  firstWords.forEach((word, stem, node) => {
    keys.push({ word, stem, node, entries: [] });
  });
  contextWords.forEach((word, stem, entries) => {
    keys.push({ word, stem, node: undefined, entries });
  });
  const classOf = new Uint16Array(0x10000);
  let width = 2;
  for (const { word } of keys) for (let k = 0; k < word.length; k++) if (classOf[word.charCodeAt(k)] === 0) classOf[word.charCodeAt(k)] = width++;
  const columnOf = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const f = WORD_FOLD[c]!;
    if (f !== 0) columnOf[c] = classOf[f] === 0 ? 1 : classOf[f]!;
  }
  // Edges by the states' numbers in the order they were made (renumbered below through byNew and
  // renumber). A state without edges (most are: the last letter of a key) and a state no context
  // entry ends at share one empty map and one empty list, replaced when first written to.
  const noEdges = new Map<number, number>();
  const noEntries: ContextEntry[] = [];
  const edges: Array<Map<number, number>> = [noEdges, new Map()];
  let stemInfo: number[] = [0, 0];
  let exactInfo: number[] = [0, 0];
  let stemNode: Array<TrieNode | undefined> = [undefined, undefined];
  let exactNode: Array<TrieNode | undefined> = [undefined, undefined];
  let ownStems: ContextEntry[][] = [noEntries, noEntries];
  let contextExact: ContextEntry[][] = [noEntries, noEntries];
  let parent: number[] = [0, 0];
  for (const { word, stem, node, entries } of keys) {
    let state = 1;
    for (let k = 0; k < word.length; k++) {
      const column = classOf[word.charCodeAt(k)]!;
      let to = edges[state]!.get(column);
      if (to === undefined) {
        to = edges.length;
        edges.push(noEdges);
        stemInfo.push(0);
        exactInfo.push(0);
        stemNode.push(undefined);
        exactNode.push(undefined);
        ownStems.push(noEntries);
        contextExact.push(noEntries);
        parent.push(state);
        if (edges[state] === noEdges) edges[state] = new Map();
        edges[state]!.set(column, to);
      }
      state = to;
    }
    const bit = node === undefined ? 2 : 1;
    if (stem) stemInfo[state]! |= bit;
    else exactInfo[state]! |= bit;
    if (node !== undefined) (stem ? stemNode : exactNode)[state] = node;
    else {
      const lists = stem ? ownStems : contextExact;
      lists[state] = lists[state]!.concat(entries);
    }
  }
  // Numbered breadth first, so the states the scan visits most (a word's first letters) sit together
  // at the start of the tables instead of spread over them in the order keys were added: the pass is
  // bound by the table reads, which then mostly hit the cache.
  const byNew = [0, 1];
  const renumber = new Int32Array(edges.length);
  renumber[1] = 1;
  for (let q = 1; q < byNew.length; q++) {
    for (const to of edges[byNew[q]!]!.values()) {
      renumber[to] = byNew.length;
      byNew.push(to);
    }
  }
  const permute = <T>(a: T[]): T[] => byNew.map((old) => a[old]!);
  stemInfo = permute(stemInfo);
  exactInfo = permute(exactInfo);
  stemNode = byNew.map((old) => stemNode[old]);
  exactNode = byNew.map((old) => exactNode[old]);
  ownStems = permute(ownStems);
  contextExact = permute(contextExact);
  parent = byNew.map((old) => renumber[parent[old]!]!);
  // A state's parent comes before it: one pass in order accumulates the path.
  const contextStems: ContextEntry[][] = [[], []];
  for (let state = 2; state < edges.length; state++) {
    const up = contextStems[parent[state]!]!;
    const own = ownStems[state]!;
    contextStems.push(own.length === 0 ? up : up.length === 0 ? own : [...up, ...own]);
  }
  const states = edges.length;
  // Bases in state order (breadth first, so a word's first letters sit together at the start), each
  // the lowest not taken whose slots for the state's columns are all free. States without edges share
  // one base above all others, which owns no slot: every step from them fails.
  const baseOf = new Int32Array(states);
  let capacity = 2 * states + 4 * width;
  let slotTaken = new Uint8Array(capacity);
  let baseTaken = new Uint8Array(capacity);
  // nextFree[s] = s for a free slot, else a later slot to look from (union–find with path compression).
  let nextFree = Int32Array.from({ length: capacity }, (_, s) => s);
  const grow = (): void => {
    const slots = new Uint8Array(capacity * 2);
    slots.set(slotTaken);
    slotTaken = slots;
    const bases = new Uint8Array(capacity * 2);
    bases.set(baseTaken);
    baseTaken = bases;
    const next = Int32Array.from({ length: capacity * 2 }, (_, s) => s);
    next.set(nextFree);
    nextFree = next;
    capacity *= 2;
  };
  const freeFrom = (from: number): number => {
    let free = from;
    while (nextFree[free] !== free) free = nextFree[free]!;
    for (let s = from; s !== free; ) {
      const next = nextFree[s]!;
      nextFree[s] = free;
      s = next;
    }
    return free;
  };
  let maxBase = 0;
  for (let state = 1; state < states; state++) {
    const columns = [...edges[byNew[state]!]!.keys()];
    if (columns.length === 0) continue;
    columns.sort((x, y) => x - y);
    const first = columns[0]!;
    // Candidates: the free slots for the first column, lowest first.
    let base = freeFrom(1 + first) - first;
    for (;;) {
      while (base + width + 1 >= capacity) grow();
      if (baseTaken[base] === 0) {
        let k = 1;
        while (k < columns.length && slotTaken[base + columns[k]!] === 0) k++;
        if (k === columns.length) break;
      }
      base = freeFrom(base + first + 1) - first;
    }
    baseTaken[base] = 1;
    for (const column of columns) {
      slotTaken[base + column] = 1;
      nextFree[base + column] = base + column + 1;
    }
    baseOf[state] = base;
    if (base > maxBase) maxBase = base;
  }
  // States without edges get bases above all others, owning no slot: every step from them fails.
  let baseLimit = maxBase + 1;
  for (let state = 1; state < states; state++) if (edges[byNew[state]!]!.size === 0) baseOf[state] = baseLimit++;
  const columnBits = Math.max(1, Math.ceil(Math.log2(width)));
  const baseShift = columnBits + 4;
  // Room for about two million states with Latin-script keys: some hundred times this taxonomy.
  if (baseLimit >= 2 ** (31 - baseShift)) {
    throw new TaxonomyError("taxonomy", [`its terms need ${states} matcher states, more than a packed cell can address; use fewer or shorter terms`]);
  }
  // An empty cell (0) has column 0, which no character steps on.
  const cells = new Int32Array(baseLimit + width);
  const stateOfBase = new Int32Array(baseLimit);
  for (let state = 1; state < states; state++) {
    const base = baseOf[state]!;
    stateOfBase[base] = state;
    for (const [column, made] of edges[byNew[state]!]!) {
      const to = renumber[made]!;
      cells[base + column] = (baseOf[to]! << baseShift) | (column << 4) | (exactInfo[to]! << 2) | stemInfo[to]!;
    }
  }
  const maskWords = Math.max(1, Math.ceil(contextCount / 32));
  const singleMask = new Int32Array(2 * states * maskWords);
  const phraseMask = new Int32Array(2 * states * maskWords);
  const phrases: ContextEntry[][] = [];
  // Most indexes start no phrase: they share one empty list (never written to).
  const none: ContextEntry[] = [];
  for (let index = 0; index < 2 * states; index++) {
    const state = index < states ? index : index - states;
    let own = markContext(contextStems[state]!, index * maskWords, singleMask, phraseMask, none);
    if (index < states) own = markContext(contextExact[state]!, index * maskWords, singleMask, phraseMask, own);
    phrases.push(own);
  }
  return {
    columnOf,
    cells,
    baseShift,
    columnMask: (1 << columnBits) - 1,
    rootBase: baseOf[1]!,
    stateOfBase,
    stemNode,
    exactNode,
    states,
    maskWords,
    singleMask,
    phraseMask,
    phrases,
  };
}

/**
 * Sets the bits of `entries`' lists at `at` in singleMask (single words and
 * stems) or phraseMask (phrases); returns `phrases` with the phrases added,
 * a new list when it was the shared empty one.
 */
function markContext(entries: ContextEntry[], at: number, singleMask: Int32Array, phraseMask: Int32Array, phrases: ContextEntry[]): ContextEntry[] {
  let out = phrases;
  for (const entry of entries) {
    const slot = at + (entry.id >> 5);
    const bit = 1 << (entry.id & 31);
    if (entry.phrase === undefined) singleMask[slot]! |= bit;
    else {
      phraseMask[slot]! |= bit;
      if (out === phrases && out.length === 0) out = [];
      out.push(entry);
    }
  }
  return out;
}

/** Hash of already-folded characters (the table's keys). */
function hashOf(text: string, start: number, end: number): number {
  let h = 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) & 0x3fffffff;
  return h;
}

export interface TermRef {
  /** Index in Matcher.terms: hits carry it instead of a reference. */
  id: number;
  topic: Topic;
  /** Index of the topic in the taxonomy. */
  topicIndex: number;
  /** Same number for the same (topic, term text): repeats of one phrase are counted together. */
  phraseId: number;
  term: TopicTerm;
  /** Words of the term as written, for case-sensitive comparison. */
  rawWords: string[];
  near: ContextWords | undefined;
  notNear: ContextWords | undefined;
  /** Copies of term and context fields the scan reads for every hit: -1 when there is no list. */
  caseSensitive: boolean;
  windowWords: number;
  lang: string;
  nearId: number;
  notNearId: number;
}

interface TrieNode {
  children: WordTable<TrieNode>;
  terms: TermRef[];
  /** Index of the node in the matcher's per-node tables. */
  id: number;
}

export interface Hit {
  ref: TermRef;
  /** Word index where the phrase starts. */
  start: number;
  /** Number of words. */
  length: number;
}

export interface ScanResult {
  hits: Hit[];
  /** Number of words in the text. */
  words: number;
}

/**
 * The hits of one scan as parallel arrays, reused from scan to scan: no
 * object per hit (a news item has a hit every few words). Hits come in scan
 * order: by start word, and for one start in the order of the trie.
 */
export class HitList {
  /** Term of each hit: its index in Matcher.terms. */
  ids = new Int32Array(256);
  starts = new Int32Array(256);
  lengths = new Int32Array(256);
  count = 0;
  /** Number of words in the text scanned. */
  words = 0;
  /** Longest hit, in words. */
  maxLength = 0;

  add(id: number, start: number, length: number): void {
    const i = this.count;
    if (i === this.starts.length) {
      const ids = new Int32Array(i * 2);
      ids.set(this.ids);
      this.ids = ids;
      const starts = new Int32Array(i * 2);
      starts.set(this.starts);
      this.starts = starts;
      const lengths = new Int32Array(i * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.ids[i] = id;
    this.starts[i] = start;
    this.lengths[i] = length;
    if (length > this.maxLength) this.maxLength = length;
    this.count = i + 1;
  }

  clear(): void {
    this.count = 0;
    this.words = 0;
    this.maxLength = 0;
  }
}

export interface Matcher {
  taxonomy: Taxonomy;
  /** Number of distinct (topic, term text) phrases: TermRef.phraseId is below it. */
  phraseCount: number;
  /** Every term, by TermRef.id (the ids hits carry), with its topic index and phrase id as typed arrays for scoring. */
  terms: TermRef[];
  termTopic: Int32Array;
  termPhrase: Int32Array;
  /** Every term hit in the text, context rules applied: one pass over the words. */
  scan(text: string): ScanResult;
  /**
   * The same hits as scan, written into a reused list (cleared first); with
   * a language, without the hits of terms of another language (`lang` other
   * than it and than "any").
   */
  scanInto(text: string, out: HitList, language?: string): void;
}

/**
 * The children of every node that has none: most nodes end a term and
 * continue no other, and a table of their own was nine typed arrays each,
 * built and collected on every start. Never written to (addChild replaces it).
 */
const NO_CHILDREN = new WordTable<TrieNode>();

function newNode(): TrieNode {
  return { children: NO_CHILDREN, terms: [], id: -1 };
}

function addChild(node: TrieNode, word: string, stem: boolean, child: TrieNode): void {
  if (node.children === NO_CHILDREN) node.children = new WordTable();
  node.children.set(word, stem, child);
}

/**
 * A context list (`near`, `not_near`): single words and `stem*` stems, and
 * phrases ("Doctors Without Borders") as word sequences. Its entries live in
 * the matcher's one table of context words, tagged with the list's id.
 */
interface ContextWords {
  /** Index of the list in the matcher: its bit in the per-word context masks. */
  id: number;
}

/** One entry of a context list, stored under its (first) word. */
interface ContextEntry {
  /** The list it belongs to. */
  id: number;
  /** The whole phrase when the entry has several words; undefined for a single word or stem. */
  phrase: Array<{ folded: string; stem: boolean }> | undefined;
}

/** The folded words of a term, the last one a stem when written `stem*`. */
export function termWords(text: string): Array<{ folded: string; raw: string; stem: boolean }> {
  const out: Array<{ folded: string; raw: string; stem: boolean }> = [];
  const words = text.trim().split(/\s+/);
  for (const word of words) {
    const stem = word.endsWith("*");
    const parts = tokenize(stem ? word.slice(0, -1) : word);
    parts.forEach((p, k) => {
      out.push({ folded: p.folded, raw: p.raw, stem: stem && k === parts.length - 1 });
    });
  }
  return out;
}

/**
 * Compiles the taxonomy's terms into one word trie, so tagging is a single
 * pass over the text whatever the number of terms (not one regex per term).
 * Per character: one step of the automaton over first words and context
 * words (see WordAutomaton); the trie is descended, hashing the next word,
 * only after a first word matched.
 */
export function compileMatcher(taxonomy: Taxonomy): Matcher {
  const root = newNode();
  // Terms of one group share their context lists: compile each list once.
  // All lists' words go into one table, so a word is looked up once for every list.
  const contextTable = new WordTable<ContextEntry[]>();
  const contexts = new Map<string, ContextWords | undefined>();
  let contextCount = 0;
  const context = (entries: string[]) => {
    const key = entries.join("\u0000");
    if (!contexts.has(key)) {
      let ctx: ContextWords | undefined;
      if (entries.length > 0) {
        ctx = { id: contextCount++ };
        for (const entry of entries) {
          const words = termWords(entry);
          if (words.length === 0) continue;
          const first = words[0]!;
          let list = contextTable.get(first.folded, first.stem);
          if (list === undefined) {
            list = [];
            contextTable.set(first.folded, first.stem, list);
          }
          list.push({ id: ctx.id, phrase: words.length === 1 ? undefined : words.map(({ folded, stem }) => ({ folded, stem })) });
        }
      }
      contexts.set(key, ctx);
    }
    return contexts.get(key);
  };
  const phraseIds = new Map<string, number>();
  for (const [topicIndex, topic] of taxonomy.topics.entries()) {
    if (!topic.enabled) continue;
    for (const term of topic.terms) {
      const words = termWords(term.text);
      if (words.length === 0) continue;
      let node = root;
      for (const w of words) {
        let next = node.children.get(w.folded, w.stem);
        if (!next) {
          next = newNode();
          addChild(node, w.folded, w.stem, next);
        }
        node = next;
      }
      const phraseKey = `${topic.id}\u0000${term.text}`;
      if (!phraseIds.has(phraseKey)) phraseIds.set(phraseKey, phraseIds.size);
      node.terms.push({
        id: -1,
        topic,
        topicIndex,
        phraseId: phraseIds.get(phraseKey)!,
        term,
        rawWords: words.map((w) => w.raw),
        near: context(term.requireNear),
        notNear: context(term.forbidNear),
        caseSensitive: term.caseSensitive,
        windowWords: term.windowWords,
        lang: term.lang,
        nearId: -1,
        notNearId: -1,
      });
      const ref = node.terms.at(-1)!;
      ref.nearId = ref.near?.id ?? -1;
      ref.notNearId = ref.notNear?.id ?? -1;
    }
  }

  // Each node's terms per language of the text scanned, so the scan does not test every term's language:
  // slot 0 (no language) all of them, then one slot per language the terms name (its terms and `any`),
  // and a last slot for any other language (`any` only).
  const languages = [...new Set(taxonomy.topics.flatMap((t) => t.terms.map((term) => term.lang)).filter((l) => l !== "any"))];
  const languageSlot = new Map<string, number>(languages.map((l, k) => [l, k + 1]));
  const otherLanguage = languages.length + 1;
  const slots = languages.length + 2;
  const nodes: TrieNode[] = [];
  const terms: TermRef[] = [];
  /** Per (node, slot): the range [start, end) of its term ids in slotTerms, at (node × slots + slot) × 2. */
  const slotRanges: number[] = [];
  const slotTerms: number[] = [];
  const sliceTerms = (node: TrieNode): void => {
    node.id = nodes.length;
    nodes.push(node);
    for (const ref of node.terms) {
      ref.id = terms.length;
      terms.push(ref);
    }
    const bySlot = [
      node.terms,
      ...languages.map((l) => node.terms.filter((t) => t.lang === "any" || t.lang === l)),
      node.terms.filter((t) => t.lang === "any"),
    ];
    for (const list of bySlot) {
      slotRanges.push(slotTerms.length);
      for (const ref of list) slotTerms.push(ref.id);
      slotRanges.push(slotTerms.length);
    }
    node.children.forEach((_word, _stem, child) => {
      sliceTerms(child);
    });
  };
  sliceTerms(root);
  const nodeRanges = Int32Array.from(slotRanges);
  const nodeTerms = Int32Array.from(slotTerms);
  /** Per term: bit 1 letter case must match, bit 2 a context rule applies (the checks a hit needs before it counts). */
  const termChecks = Uint8Array.from(terms, (t) => (t.caseSensitive ? 1 : 0) | (t.nearId >= 0 || t.notNearId >= 0 ? 2 : 0));
  const termTopic = Int32Array.from(terms, (t) => t.topicIndex);
  const termPhrase = Int32Array.from(terms, (t) => t.phraseId);
  const nodeHasChildren = Uint8Array.from(nodes, (node) => (node.children.size > 0 ? 1 : 0));
  /** WordTable.firstChars of each node's children, two Int32s per node. */
  const childFirstChars = new Int32Array(nodes.length * 2);
  nodes.forEach((node, id) => {
    childFirstChars[id * 2] = node.children.firstChars[0]!;
    childFirstChars[id * 2 + 1] = node.children.firstChars[1]!;
  });

  // Scratch buffers, grown as needed: scanning is synchronous, so one matcher can reuse them.
  let starts = new Int32Array(1024);
  let ends = new Int32Array(1024);
  /**
   * The words in some context list (as a word, a stem or a phrase's first
   * word), in text order, and per word the number of them before it: a
   * context window visits only these (most words are in no list).
   */
  let flaggedWords = new Int32Array(1024);
  let flaggedBefore = new Int32Array(1025);
  /**
   * Per flagged word, where its pass ended (the automaton's context index:
   * the state it ended alive in, or states + the last live state when it
   * outran every key), which gives the lists it is in.
   */
  let flaggedIndex = new Int32Array(1024);
  const automaton = buildAutomaton(root.children, contextTable, contextCount);
  const { maskWords, singleMask, phraseMask, phrases: contextPhrases } = automaton;
  /** Per automaton state, the trie node of the first-word stem / first word ending there, by id (-1 for none). */
  const stemNodeId = Int32Array.from(automaton.stemNode, (node) => node?.id ?? -1);
  const exactNodeId = Int32Array.from(automaton.exactNode, (node) => node?.id ?? -1);

  /** Whether a context phrase starts at word i. */
  function phraseAt(phrase: Array<{ folded: string; stem: boolean }>, text: Uint16Array, n: number, i: number): boolean {
    if (i + phrase.length > n) return false;
    for (let k = 0; k < phrase.length; k++) {
      const w = phrase[k]!;
      const len = ends[i + k]! - starts[i + k]!;
      if (w.stem ? len < w.folded.length : len !== w.folded.length) return false;
      if (!sameFolded(w.folded, text, starts[i + k]!)) return false;
    }
    return true;
  }

  /**
   * The context phrases starting at a flagged word, checked once per word
   * and scan (the windows of nearby hits overlap): bit `id` of phraseFound
   * says a phrase of list `id` starts there. maskWords Int32s per flagged
   * word, valid when phraseAtGeneration[k] is the current generation.
   */
  let phraseAtGeneration = new Int32Array(0);
  let phraseFound = new Int32Array(0);
  let generation = 0;

  function findPhrases(text: Uint16Array, n: number, k: number): void {
    const base = k * maskWords;
    for (let j = 0; j < maskWords; j++) phraseFound[base + j] = 0;
    const entries = contextPhrases[flaggedIndex[k]!]!;
    const i = flaggedWords[k]!;
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e]!;
      const slot = base + (entry.id >> 5);
      const bit = 1 << (entry.id & 31);
      if ((phraseFound[slot]! & bit) === 0 && phraseAt(entry.phrase!, text, n, i)) phraseFound[slot]! |= bit;
    }
    phraseAtGeneration[k] = generation;
  }

  /** Whether context list `id` is at flagged word k: a single word or stem of it (not one of the term's own words), or a phrase of it starting there. */
  function inContext(id: number, text: Uint16Array, n: number, k: number, start: number, length: number): boolean {
    const offset = id >> 5;
    const slot = flaggedIndex[k]! * maskWords + offset;
    const bit = 1 << (id & 31);
    // A single context word never matches the term itself; a phrase may contain it.
    if ((singleMask[slot]! & bit) !== 0) {
      const i = flaggedWords[k]!;
      if (i < start || i >= start + length) return true;
    }
    if ((phraseMask[slot]! & bit) === 0) return false;
    if (phraseAtGeneration[k] !== generation) findPhrases(text, n, k);
    return (phraseFound[k * maskWords + offset]! & bit) !== 0;
  }

  /** `not_near`: no word of the list within the window; `near`: some word of it. Only the window's flagged words are looked at. */
  function contextHolds(ref: TermRef, text: Uint16Array, n: number, start: number, length: number): boolean {
    const window = ref.windowWords;
    const from = flaggedBefore[Math.max(0, start - window)]!;
    const to = flaggedBefore[Math.min(n, start + length + window)]!;
    if (ref.notNearId >= 0) {
      for (let k = from; k < to; k++) if (inContext(ref.notNearId, text, n, k, start, length)) return false;
    }
    if (ref.nearId < 0) return true;
    for (let k = from; k < to; k++) if (inContext(ref.nearId, text, n, k, start, length)) return true;
    return false;
  }

  function sameCase(ref: TermRef, text: Uint16Array, start: number): boolean {
    for (let k = 0; k < ref.rawWords.length; k++) {
      const w = ref.rawWords[k]!;
      const from = starts[start + k]!;
      if (ends[start + k]! - from !== w.length) return false;
      for (let j = 0; j < w.length; j++) if (text[from + j] !== w.charCodeAt(j)) return false;
    }
    return true;
  }

  /** The language slot of the text being scanned (see sliceTerms). */
  let slot = 0;

  function record(node: number, text: Uint16Array, n: number, start: number, length: number, hits: HitList): void {
    // Terms of another language than the text's are dropped by the caller anyway: not in this slot.
    const range = (node * slots + slot) * 2;
    const end = nodeRanges[range + 1]!;
    for (let t = nodeRanges[range]!; t < end; t++) {
      const id = nodeTerms[t]!;
      const checks = termChecks[id]!;
      if (checks !== 0) {
        const ref = terms[id]!;
        if ((checks & 1) !== 0 && !sameCase(ref, text, start)) continue;
        if ((checks & 2) !== 0 && !contextHolds(ref, text, n, start, length)) continue;
      }
      hits.add(id, start, length);
    }
  }

  // One result buffer per phrase depth, reused: descending allocates nothing.
  const foundAtDepth: TrieNode[][] = [];

  /** Multi-word phrases: the trie is descended only after a first word matched. */
  function descend(node: number, text: Uint16Array, n: number, start: number, next: number, hits: HitList): void {
    if (next >= n) return;
    // Most words after a first word continue no phrase: one bit test (in a table by node, not in the
    // node's objects) before hashing them.
    const c = FOLD[text[starts[next]!]!]! & 63;
    if ((childFirstChars[node * 2 + (c >> 5)]! & (1 << (c & 31))) === 0) return;
    const depth = next - start;
    const found = (foundAtDepth[depth] ??= []);
    const from = found.length;
    nodes[node]!.children.collect(text, starts[next]!, ends[next]!, found);
    for (let f = from; f < found.length; f++) {
      const child = found[f]!.id;
      record(child, text, n, start, next - start + 1, hits);
      if (nodeHasChildren[child] === 1) descend(child, text, n, start, next + 1, hits);
    }
    while (found.length > from) found.pop();
  }

  // First words found during the pass: (word index, trie node), processed after it.
  let pendingWord = new Int32Array(256);
  let pendingNode = new Int32Array(256);
  let pendingCount = 0;

  function addPending(word: number, node: number): void {
    if (pendingCount === pendingWord.length) {
      const words = new Int32Array(pendingCount * 2);
      words.set(pendingWord);
      pendingWord = words;
      const grown = new Int32Array(pendingCount * 2);
      grown.set(pendingNode);
      pendingNode = grown;
    }
    pendingWord[pendingCount] = word;
    pendingNode[pendingCount++] = node;
  }

  /**
   * The character pass: word boundaries, the first-word matches and the
   * context-word flags, one automaton step per character until the word can
   * no longer be a first word or context word (no hashing, no lookups).
   * Returns the number of words.
   */
  function wordPass(u: Uint16Array, len: number): number {
    // At most one word per two characters (a word and its separator), plus one.
    const capacity = (len >> 1) + 1;
    if (starts.length < capacity) {
      starts = new Int32Array(capacity);
      ends = new Int32Array(capacity);
      flaggedWords = new Int32Array(capacity);
      flaggedBefore = new Int32Array(capacity + 1);
      flaggedIndex = new Int32Array(capacity);
    }
    // Locals, not closure bindings, inside the hot loop.
    const { columnOf, cells, baseShift, columnMask, rootBase, stateOfBase, states } = automaton;
    const stemNode = stemNodeId;
    const exactNode = exactNodeId;
    const flagged = flaggedWords;
    const before = flaggedBefore;
    const where = flaggedIndex;
    let flaggedCount = 0;
    let n = 0;
    let i = 0;
    // u[len] is a space (see loadUnits): every word ends before it, so the inner loops need no length test.
    while (i < len) {
      let column = columnOf[u[i]!]!;
      if (column === 0) {
        i++;
        continue;
      }
      const start = i;
      // The state reached (its base; the last one reached when the word outran every key after
      // it), the cell of the last step read, and whether the word outran the keys.
      let base = rootBase;
      let cell = 0;
      let outran = false;
      // Bit 2: a context stem is a prefix of this word.
      let flag = 0;
      for (;;) {
        const at = base + column;
        cell = cells[at]!;
        if (((cell >> 4) & columnMask) !== column) {
          // No key continues: only the word's end is left to find.
          outran = true;
          while (columnOf[u[++i]!] !== 0);
          break;
        }
        base = cell >> baseShift;
        if ((cell & 3) !== 0) {
          flag |= cell & 3;
          if ((cell & 1) !== 0) addPending(n, stemNode[stateOfBase[base]!]!);
        }
        column = columnOf[u[++i]!]!;
        if (column === 0) break;
      }
      starts[n] = start;
      ends[n] = i;
      // Exact info only for a word that ended on a state.
      const info = outran ? 0 : (cell >> 2) & 3;
      before[n] = flaggedCount;
      if (((flag | info) & 2) !== 0) {
        const state = stateOfBase[base]!;
        where[flaggedCount] = outran ? states + state : state;
        flagged[flaggedCount++] = n;
      }
      if ((info & 1) !== 0) addPending(n, exactNode[stateOfBase[base]!]!);
      n++;
    }
    before[n] = flaggedCount;
    return n;
  }

  /**
   * The text's UTF-16 code units, copied into a reused typed array with a
   * space after them: the pass reads a typed array (one load per character,
   * whatever the string's representation: V8 keeps slices and
   * concatenations as views, each charCodeAt going through them) and the
   * copy is native and allocates nothing. Offsets are the string's.
   */
  let units = new Uint16Array(4096);
  let unitBytes = Buffer.from(units.buffer);

  function loadUnits(raw: string): Uint16Array {
    const len = raw.length;
    if (units.length <= len) {
      units = new Uint16Array(Math.max(len + 1, units.length * 2));
      unitBytes = Buffer.from(units.buffer);
    }
    // UTF-16LE is the typed array's own layout on little-endian machines; elsewhere, one unit at a time.
    if (LITTLE_ENDIAN) unitBytes.write(raw, 0, len * 2, "utf16le");
    else for (let i = 0; i < len; i++) units[i] = raw.charCodeAt(i);
    units[len] = 0x20;
    return units;
  }

  /**
   * Whether the loaded units [0, len) hold a combining accent (U+0300–U+036F),
   * as /[\u0300-\u036f]/ would tell of the text: in UTF-16LE their high byte
   * is 3, found by the native byte search of Buffer.indexOf (most texts have
   * no 3 byte at all; the few others are checked one by one).
   */
  function hasCombining(len: number): boolean {
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < len; i++) if (units[i]! >= 0x300 && units[i]! < 0x370) return true;
      return false;
    }
    const bytes = unitBytes.subarray(0, len * 2);
    for (let p = bytes.indexOf(3, 1); p >= 0; p = bytes.indexOf(3, p + 1)) if ((p & 1) === 1 && bytes[p - 1]! < 0x70) return true;
    return false;
  }

  function scanInto(text: string, hits: HitList, language?: string): void {
    hits.clear();
    slot = language === undefined ? 0 : (languageSlot.get(language) ?? otherLanguage);
    pendingCount = 0;
    let u = loadUnits(text);
    let len = text.length;
    // Combining accents: the precomposed text, as "e" + U+0301 must fold like "é". One test of the
    // whole copy (a native byte search) instead of a test per character in the pass.
    if (hasCombining(len)) {
      const raw = text.normalize("NFC");
      u = loadUnits(raw);
      len = raw.length;
    }
    const n = wordPass(u, len);
    hits.words = n;
    if (pendingCount > 0 && contextCount > 0) {
      const flagged = flaggedBefore[n]!;
      if (phraseAtGeneration.length < flagged) {
        phraseAtGeneration = new Int32Array(flagged * 2);
        phraseFound = new Int32Array(flagged * 2 * maskWords);
      }
      // A new generation invalidates the previous scan's phrases; at the limit, clear them.
      if (++generation >= 0x7fffffff) {
        phraseAtGeneration.fill(0);
        generation = 1;
      }
    }
    for (let p = 0; p < pendingCount; p++) {
      const i = pendingWord[p]!;
      const node = pendingNode[p]!;
      // Many first words are common ones ("la", "on") that start phrases but are no term alone, or
      // none of this language, and most words after them continue no phrase: both tests here, before a call.
      const range = (node * slots + slot) * 2;
      if (nodeRanges[range] !== nodeRanges[range + 1]) record(node, u, n, i, 1, hits);
      if (nodeHasChildren[node] === 1 && i + 1 < n) {
        const c = FOLD[u[starts[i + 1]!]!]! & 63;
        if ((childFirstChars[node * 2 + (c >> 5)]! & (1 << (c & 31))) !== 0) descend(node, u, n, i, i + 1, hits);
      }
    }
    pendingCount = 0;
  }

  function scan(text: string): ScanResult {
    const list = new HitList();
    scanInto(text, list);
    const hits: Hit[] = [];
    for (let h = 0; h < list.count; h++) hits.push({ ref: terms[list.ids[h]!]!, start: list.starts[h]!, length: list.lengths[h]! });
    return { hits, words: list.words };
  }

  return { taxonomy, phraseCount: phraseIds.size, terms, termTopic, termPhrase, scan, scanInto };
}
