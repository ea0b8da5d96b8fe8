import type { Taxonomy, Topic, TopicTerm } from "../../../src/model/index.js";
import { FOLD, foldCode, prepareText, tokenize, WORD_CHAR } from "./tokenize.js";

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

  set(word: string, stem: boolean, value: V): void {
    const index = this.words.length;
    this.words.push(word);
    this.values.push(value);
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

  /** Pushes to `out` the values of every entry matching text[start, end), whose folded hash (computed by the scan) is wordHash. */
  collect(text: string, start: number, end: number, wordHash: number, out: V[]): void {
    const len = end - start;
    const stemLengths = this.stemLengths;
    const maxStem = stemLengths.length - 1;
    let h = 0;
    // Stems first, then the exact word: the order hits are reported in.
    for (let k = 0; k < len && k < maxStem; k++) {
      h = (Math.imul(h, 31) + foldCode(text.charCodeAt(start + k))) & 0x3fffffff;
      if (stemLengths[k + 1] === 1) {
        for (let i = this.stems.find(h); i >= 0; i = this.next[i]!) {
          const w = this.words[i]!;
          if (w.length === k + 1 && sameFolded(w, text, start)) out.push(this.values[i]!);
        }
      }
    }
    for (let i = this.exact.find(wordHash); i >= 0; i = this.next[i]!) {
      const w = this.words[i]!;
      if (w.length === len && sameFolded(w, text, start)) out.push(this.values[i]!);
    }
  }

  /** Stems of length k whose hash is h, confirmed against text at start. */
  probeStem(h: number, k: number, text: string, start: number, out: V[]): void {
    for (let i = this.stems.find(h); i >= 0; i = this.next[i]!) {
      const w = this.words[i]!;
      if (w.length === k && sameFolded(w, text, start)) out.push(this.values[i]!);
    }
  }

  /** Words of length len whose hash is h, confirmed against text at start. */
  probeExact(h: number, len: number, text: string, start: number, out: V[]): void {
    for (let i = this.exact.find(h); i >= 0; i = this.next[i]!) {
      const w = this.words[i]!;
      if (w.length === len && sameFolded(w, text, start)) out.push(this.values[i]!);
    }
  }

  /** Whether any entry matches text[start, end), whose folded hash is h (computed by the scan). */
  has(text: string, start: number, end: number, wordHash: number): boolean {
    const len = end - start;
    for (let i = this.exact.find(wordHash); i >= 0; i = this.next[i]!) {
      const w = this.words[i]!;
      if (w.length === len && sameFolded(w, text, start)) return true;
    }
    const stemLengths = this.stemLengths;
    const maxStem = stemLengths.length - 1;
    // Without stems the exact probe above is the whole answer.
    if (maxStem === 0) return false;
    let h = 0;
    for (let k = 0; k < len && k < maxStem; k++) {
      h = (Math.imul(h, 31) + foldCode(text.charCodeAt(start + k))) & 0x3fffffff;
      if (k < maxStem && stemLengths[k + 1] === 1) {
        for (let i = this.stems.find(h); i >= 0; i = this.next[i]!) {
          const w = this.words[i]!;
          if (w.length === k + 1 && sameFolded(w, text, start)) return true;
        }
      }
    }
    return false;
  }
}

/** Whether text, folded, has `word` (already folded) at `start`. */
function sameFolded(word: string, text: string, start: number): boolean {
  for (let k = 0; k < word.length; k++) if (foldCode(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false;
  return true;
}

/** Hash of already-folded characters (the table's keys). */
function hashOf(text: string, start: number, end: number): number {
  let h = 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) & 0x3fffffff;
  return h;
}

export interface TermRef {
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
}

interface TrieNode {
  children: WordTable<TrieNode>;
  terms: TermRef[];
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

export interface Matcher {
  taxonomy: Taxonomy;
  /** Number of distinct (topic, term text) phrases: TermRef.phraseId is below it. */
  phraseCount: number;
  /** Every term hit in the text, context rules applied: one pass over the words. */
  scan(text: string): ScanResult;
}

function newNode(withFilters = false): TrieNode {
  return { children: new WordTable(withFilters), terms: [] };
}

/**
 * A context list (`near`, `not_near`): single words and `stem*` stems in a
 * table, and phrases ("Doctors Without Borders") as word sequences.
 */
interface ContextWords {
  /** Index of the list in the matcher, for the per-scan memo of lookups. */
  id: number;
  words: WordTable<true> | undefined;
  /** Phrases by their first word: a phrase is compared only where its first word is. */
  phrases: WordTable<Array<{ folded: string; stem: boolean }>> | undefined;
}

function contextWords(entries: string[]): ContextWords | undefined {
  if (entries.length === 0) return undefined;
  const table = new WordTable<true>();
  const phrases = new WordTable<Array<{ folded: string; stem: boolean }>>();
  for (const entry of entries) {
    const words = termWords(entry);
    if (words.length === 1) table.set(words[0]!.folded, words[0]!.stem, true);
    else if (words.length > 1)
      phrases.set(
        words[0]!.folded,
        words[0]!.stem,
        words.map(({ folded, stem }) => ({ folded, stem })),
      );
  }
  return { id: 0, words: table.size > 0 ? table : undefined, phrases: phrases.size > 0 ? phrases : undefined };
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
 * Per word: one hash over its folded characters and one Map lookup; the trie
 * is descended only when a first word matches.
 */
export function compileMatcher(taxonomy: Taxonomy): Matcher {
  const root = newNode(true);
  // Terms of one group share their context lists: compile each list once.
  const contexts = new Map<string, ContextWords | undefined>();
  let contextCount = 0;
  const context = (entries: string[]) => {
    const key = entries.join("\u0000");
    if (!contexts.has(key)) {
      const ctx = contextWords(entries);
      if (ctx) ctx.id = contextCount++;
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
          node.children.set(w.folded, w.stem, next);
        }
        node = next;
      }
      const phraseKey = `${topic.id}\u0000${term.text}`;
      if (!phraseIds.has(phraseKey)) phraseIds.set(phraseKey, phraseIds.size);
      node.terms.push({
        topic,
        topicIndex,
        phraseId: phraseIds.get(phraseKey)!,
        term,
        rawWords: words.map((w) => w.raw),
        near: context(term.requireNear),
        notNear: context(term.forbidNear),
      });
    }
  }

  // Scratch buffers, grown as needed: scanning is synchronous, so one matcher can reuse them.
  let starts = new Int32Array(1024);
  let ends = new Int32Array(1024);
  /** Folded hash of each word, for context lookups without hashing the word again. */
  let hashes = new Int32Array(1024);
  const firstHits: TrieNode[] = [];

  const phraseScratch: Array<Array<{ folded: string; stem: boolean }>> = [];

  /** Whether a context phrase starts at word i. */
  function phraseAt(phrase: Array<{ folded: string; stem: boolean }>, text: string, n: number, i: number): boolean {
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
   * Lookups of context lists per word, memoized for one scan: the windows of
   * nearby hits overlap and share lists, so each (list, word) is looked up
   * once. An entry is generation × 4 + bit 1 (a single context word) + bit 2
   * (a context phrase starts here); older generations read as not computed.
   */
  let memo = new Int32Array(0);
  let generation = 0;

  function lookupContext(ctx: ContextWords, text: string, n: number, i: number): number {
    const slot = ctx.id * n + i;
    const cached = memo[slot]!;
    if (cached >> 2 === generation) return cached & 3;
    let bits = 0;
    if (ctx.words?.has(text, starts[i]!, ends[i]!, hashes[i]!)) bits |= 1;
    if (ctx.phrases !== undefined) {
      const from = phraseScratch.length;
      ctx.phrases.collect(text, starts[i]!, ends[i]!, hashes[i]!, phraseScratch);
      for (let p = from; p < phraseScratch.length; p++) {
        if (phraseAt(phraseScratch[p]!, text, n, i)) {
          bits |= 2;
          break;
        }
      }
      while (phraseScratch.length > from) phraseScratch.pop();
    }
    memo[slot] = (generation << 2) | bits;
    return bits;
  }

  function inContext(ctx: ContextWords, text: string, n: number, i: number, start: number, length: number): boolean {
    const bits = lookupContext(ctx, text, n, i);
    // A single context word never matches the term itself; a phrase may contain it.
    if ((bits & 1) !== 0 && (i < start || i >= start + length)) return true;
    return (bits & 2) !== 0;
  }

  function contextHolds(ref: TermRef, text: string, n: number, start: number, length: number): boolean {
    if (ref.near === undefined && ref.notNear === undefined) return true;
    const window = ref.term.windowWords;
    const from = Math.max(0, start - window);
    const to = Math.min(n, start + length + window);
    let nearFound = ref.near === undefined;
    for (let i = from; i < to; i++) {
      if (ref.notNear !== undefined && inContext(ref.notNear, text, n, i, start, length)) return false;
      if (!nearFound && inContext(ref.near!, text, n, i, start, length)) nearFound = true;
    }
    return nearFound;
  }

  function sameCase(ref: TermRef, raw: string, start: number): boolean {
    for (let k = 0; k < ref.rawWords.length; k++) {
      const w = ref.rawWords[k]!;
      if (ends[start + k]! - starts[start + k]! !== w.length || !raw.startsWith(w, starts[start + k]!)) return false;
    }
    return true;
  }

  function record(node: TrieNode, raw: string, folded: string, n: number, start: number, length: number, hits: Hit[]): void {
    for (const ref of node.terms) {
      if (ref.term.caseSensitive && !sameCase(ref, raw, start)) continue;
      if (contextHolds(ref, folded, n, start, length)) hits.push({ ref, start, length });
    }
  }

  // One result buffer per phrase depth, reused: descending allocates nothing.
  const foundAtDepth: TrieNode[][] = [];

  /** Multi-word phrases: the trie is descended only after a first word matched. */
  function descend(node: TrieNode, raw: string, folded: string, n: number, start: number, next: number, hits: Hit[]): void {
    if (next >= n || node.children.size === 0) return;
    const depth = next - start;
    const found = (foundAtDepth[depth] ??= []);
    const from = found.length;
    node.children.collect(folded, starts[next]!, ends[next]!, hashes[next]!, found);
    for (let f = from; f < found.length; f++) {
      const child = found[f]!;
      record(child, raw, folded, n, start, next - start + 1, hits);
      descend(child, raw, folded, n, start, next + 1, hits);
    }
    while (found.length > from) found.pop();
  }

  // First words found during the pass: (word index, trie node), processed after it.
  const pendingWord: number[] = [];
  const pendingNode: TrieNode[] = [];

  function scan(text: string): ScanResult {
    const raw = prepareText(text);
    const folded = raw;
    const len = raw.length;
    // At most one word per two characters (a word and its separator), plus one.
    const capacity = (len >> 1) + 1;
    if (starts.length < capacity) {
      starts = new Int32Array(capacity);
      ends = new Int32Array(capacity);
      hashes = new Int32Array(capacity);
    }
    // One pass: word boundaries, the folded hash of each word and of its
    // prefixes (for stems), and the first-word lookups, character by character.
    const table = root.children;
    // Locals, not module bindings, inside the hot loop.
    const wordChar = WORD_CHAR;
    const foldTable = FOLD;
    const stemLengths = table.stemLengths;
    const maxStem = stemLengths.length - 1;
    const stemFilter = table.stemFilter;
    const exactFilter = table.exactFilter;
    let n = 0;
    let start = -1;
    let h = 0;
    for (let i = 0; i <= len; i++) {
      const c = i < len ? raw.charCodeAt(i) : 0x20;
      if (wordChar[c] === 1) {
        if (start < 0) {
          start = i;
          h = 0;
        }
        h = (Math.imul(h, 31) + foldTable[c]!) & 0x3fffffff;
        const k = i - start + 1;
        if (k <= maxStem && stemLengths[k] === 1 && stemFilter[h & 0xffff] === 1) {
          table.probeStem(h, k, raw, start, firstHits);
          for (const node of firstHits) {
            pendingWord.push(n);
            pendingNode.push(node);
          }
          while (firstHits.length > 0) firstHits.pop();
        }
      } else if (start >= 0) {
        starts[n] = start;
        ends[n] = i;
        hashes[n] = h;
        if (exactFilter[h & 0xffff] === 1) table.probeExact(h, i - start, raw, start, firstHits);
        if (firstHits.length > 0) {
          for (const node of firstHits) {
            pendingWord.push(n);
            pendingNode.push(node);
          }
          while (firstHits.length > 0) firstHits.pop();
        }
        n++;
        start = -1;
      }
    }
    const hits: Hit[] = [];
    if (pendingWord.length > 0 && contextCount > 0) {
      if (memo.length < contextCount * n) memo = new Int32Array(contextCount * n * 2);
      // A new generation invalidates the previous scan's memo; at the limit, clear it.
      if (++generation >= 1 << 28) {
        memo.fill(0);
        generation = 1;
      }
    }
    for (let p = 0; p < pendingWord.length; p++) {
      const i = pendingWord[p]!;
      const node = pendingNode[p]!;
      record(node, raw, folded, n, i, 1, hits);
      descend(node, raw, folded, n, i, i + 1, hits);
    }
    while (pendingWord.length > 0) pendingWord.pop();
    while (pendingNode.length > 0) pendingNode.pop();
    return { hits, words: n };
  }

  return { taxonomy, phraseCount: phraseIds.size, scan };
}
