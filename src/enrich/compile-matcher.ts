import type { Taxonomy, Topic, TopicTerm } from "../model/index.js";
import { fold, type Token, tokenize } from "./tokenize.js";

interface TermRef {
  topic: Topic;
  term: TopicTerm;
  /** Words of the term as written, for case-sensitive comparison. */
  rawWords: string[];
  near: WordSet;
  notNear: WordSet;
}

/** Words (and `prefix*` stems) for context rules. */
interface WordSet {
  exact: Set<string>;
  prefixes: string[];
}

interface TrieNode {
  exact: Map<string, TrieNode>;
  /** Children reached by a token that starts with the key (terms written `stem*`). */
  prefix: Array<[string, TrieNode]>;
  terms: TermRef[];
}

export interface Hit {
  ref: TermRef;
  /** Token index where the phrase starts. */
  start: number;
  length: number;
}

export interface Matcher {
  taxonomy: Taxonomy;
  /** Every term hit in the tokens, context rules applied. One pass over the text. */
  scan(tokens: Token[]): Hit[];
}

function newNode(): TrieNode {
  return { exact: new Map(), prefix: [], terms: [] };
}

function wordSet(words: string[]): WordSet {
  const set: WordSet = { exact: new Set(), prefixes: [] };
  for (const w of words) {
    for (const part of tokenize(w.replace(/\*$/, ""))) {
      if (w.endsWith("*")) set.prefixes.push(part.folded);
      else set.exact.add(part.folded);
    }
  }
  return set;
}

function inSet(set: WordSet, word: string): boolean {
  if (set.exact.has(word)) return true;
  for (const p of set.prefixes) if (word.startsWith(p)) return true;
  return false;
}

function contextHolds(ref: TermRef, tokens: Token[], start: number, length: number): boolean {
  const hasNear = ref.near.exact.size + ref.near.prefixes.length > 0;
  const hasNotNear = ref.notNear.exact.size + ref.notNear.prefixes.length > 0;
  if (!hasNear && !hasNotNear) return true;
  const from = Math.max(0, start - ref.term.windowWords);
  const to = Math.min(tokens.length, start + length + ref.term.windowWords);
  let nearFound = !hasNear;
  for (let i = from; i < to; i++) {
    if (i >= start && i < start + length) continue;
    const w = tokens[i]!.folded;
    if (hasNotNear && inSet(ref.notNear, w)) return false;
    if (!nearFound && inSet(ref.near, w)) nearFound = true;
  }
  return nearFound;
}

/**
 * Compiles the taxonomy's terms into one token trie, so tagging is a single
 * pass over the text whatever the number of terms (not one regex per term).
 */
export function compileMatcher(taxonomy: Taxonomy): Matcher {
  const root = newNode();
  for (const topic of taxonomy.topics) {
    if (!topic.enabled) continue;
    for (const term of topic.terms) {
      const words = term.text.trim().split(/\s+/);
      let node = root;
      const rawWords: string[] = [];
      for (const word of words) {
        const isPrefix = word.endsWith("*");
        const parts = tokenize(word.replace(/\*$/, ""));
        for (const [k, part] of parts.entries()) {
          rawWords.push(part.raw);
          const last = k === parts.length - 1;
          if (isPrefix && last) {
            let next = node.prefix.find(([p]) => p === part.folded)?.[1];
            if (!next) {
              next = newNode();
              node.prefix.push([part.folded, next]);
            }
            node = next;
          } else {
            let next = node.exact.get(part.folded);
            if (!next) {
              next = newNode();
              node.exact.set(part.folded, next);
            }
            node = next;
          }
        }
      }
      if (node === root) continue;
      node.terms.push({ topic, term, rawWords, near: wordSet(term.requireNear), notNear: wordSet(term.forbidNear) });
    }
  }

  function scan(tokens: Token[]): Hit[] {
    const hits: Hit[] = [];
    const n = tokens.length;
    // Walk the trie from every token; frontier holds the nodes alive at depth d.
    for (let i = 0; i < n; i++) {
      let frontier: TrieNode[] = [root];
      for (let j = i; j < n && frontier.length > 0; j++) {
        const word = tokens[j]!.folded;
        const next: TrieNode[] = [];
        for (const node of frontier) {
          const e = node.exact.get(word);
          if (e) next.push(e);
          for (const [p, child] of node.prefix) if (word.startsWith(p)) next.push(child);
        }
        for (const node of next) {
          for (const ref of node.terms) {
            const length = j - i + 1;
            if (ref.term.caseSensitive) {
              let same = true;
              for (let k = 0; k < length && same; k++) same = tokens[i + k]!.raw === ref.rawWords[k];
              if (!same) continue;
            }
            if (contextHolds(ref, tokens, i, length)) hits.push({ ref, start: i, length });
          }
        }
        frontier = next;
      }
    }
    return hits;
  }

  return { taxonomy, scan };
}

export { fold };
