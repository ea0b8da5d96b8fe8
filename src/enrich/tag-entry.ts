import type { Entry, TopicMatch } from "../model/index.js";
import { HitList, type Matcher, type TermRef } from "./compile-matcher.js";
import { DEFAULT_ENTITY_OPTIONS, type EntityOptions, extractEntities, withoutCreditedNames } from "./extract-entities.js";

export interface TagInput {
  title: string;
  /** Plain text of the body (summary or full text). */
  body: string;
  language?: string;
}

/** Repeats of one term in the body count, but with diminishing weight (1, 1.5, 1.75, …). */
function repeatWeight(count: number): number {
  return count < REPEAT_WEIGHTS.length ? REPEAT_WEIGHTS[count]! : 2 - 2 ** (1 - count);
}
/** repeatWeight for the counts news items have, computed once with the same expression (same doubles). */
const REPEAT_WEIGHTS = Float64Array.from({ length: 64 }, (_, count) => 2 - 2 ** (1 - count));

interface PhraseCount {
  ref: TermRef;
  field: "title" | "body";
  count: number;
  /** The phrase's place in localeCompare order. */
  rank: number;
}

/** Per-matcher scratch space: tagging is synchronous, so one set of buffers per matcher is reused. */
interface Scratch {
  /** Index into `phrases` + 1 per (phrase, field), 0 when not seen in this call. */
  slot: Int32Array;
  phrases: PhraseCount[];
  /** Phrases per topic, in the order first met (scores are summed in that order). */
  byTopic: number[][];
  touched: number[];
  hits: HitList;
  /**
   * Words covered by a kept hit, per (word, topic): covered[word × topics +
   * topic] === generation. Bumping the generation clears it for the next field.
   */
  covered: Int32Array;
  generation: number;
  /** Every term text's place in localeCompare order; texts that compare equal share one. */
  rank: Map<string, number>;
  /** rank of each phrase (by TermRef.phraseId), -1 until first met. */
  phraseRank: Int32Array;
  /** Hit indexes longest first, then in scan order, and the per-length counts that place them. */
  order: Int32Array;
  offsets: Int32Array;
}
const scratchOf = new WeakMap<Matcher, Scratch>();

function scratchFor(matcher: Matcher): Scratch {
  let s = scratchOf.get(matcher);
  if (!s) {
    s = {
      slot: new Int32Array(matcher.phraseCount * 2),
      phrases: [],
      byTopic: matcher.taxonomy.topics.map(() => []),
      touched: [],
      hits: new HitList(),
      covered: new Int32Array(0),
      generation: 0,
      rank: localeRanks(matcher.taxonomy.topics.flatMap((t) => t.terms.map((term) => term.text))),
      phraseRank: new Int32Array(matcher.phraseCount).fill(-1),
      order: new Int32Array(256),
      offsets: new Int32Array(16),
    };
    scratchOf.set(matcher, s);
  }
  return s;
}

/** Ranks strings in `localeCompare` order, equal ranks for strings it calls equal, so sorting by rank sorts as localeCompare does. */
function localeRanks(texts: string[]): Map<string, number> {
  const sorted = [...new Set(texts)].sort((a, b) => a.localeCompare(b));
  const rank = new Map<string, number>();
  let r = 0;
  sorted.forEach((text, i) => {
    if (i > 0 && sorted[i - 1]!.localeCompare(text) !== 0) r++;
    rank.set(text, r);
  });
  return rank;
}

/**
 * Scores every topic on the text and keeps those at or above the threshold,
 * each with the phrases that matched, per field, for explanations.
 */
export function tagText(matcher: Matcher, input: TagInput): TopicMatch[] {
  const { taxonomy } = matcher;
  const scratch = scratchFor(matcher);
  const { slot, phrases, byTopic, touched, hits } = scratch;
  const topicCount = taxonomy.topics.length;
  for (let f = 0; f < 2; f++) {
    const field = f === 0 ? "title" : "body";
    const text = f === 0 ? input.title : input.body;
    if (text === "") continue;
    matcher.scanInto(text, hits, input.language);
    if (hits.count === 0) continue;
    const size = hits.words * topicCount;
    if (scratch.covered.length < size) {
      scratch.covered = new Int32Array(size * 2);
      scratch.generation = 0;
    }
    if (++scratch.generation >= 0x7fffffff) {
      scratch.covered.fill(0);
      scratch.generation = 1;
    }
    const covered = scratch.covered;
    const generation = scratch.generation;
    const { refs, starts, lengths, count } = hits;
    // Overlapping terms of one topic ("border patrol" and "border") count once: the longest wins.
    // Hits are taken longest first, then by start word: the scan reports them by start word already,
    // so a stable counting sort by length gives that order.
    const maxLength = hits.maxLength;
    if (scratch.offsets.length < maxLength + 1) scratch.offsets = new Int32Array(maxLength * 2 + 1);
    if (scratch.order.length < count) scratch.order = new Int32Array(count * 2);
    const { offsets, order } = scratch;
    offsets.fill(0, 0, maxLength + 1);
    for (let h = 0; h < count; h++) offsets[maxLength - lengths[h]! + 1]!++;
    for (let k = 1; k <= maxLength; k++) offsets[k]! += offsets[k - 1]!;
    for (let h = 0; h < count; h++) order[offsets[maxLength - lengths[h]!]!++] = h;
    for (let o = 0; o < count; o++) {
      const h = order[o]!;
      const length = lengths[h]!;
      // Terms of another language than the item's are not in the hits: scanInto left them out.
      const ref = refs[h]!;
      const start = starts[h]!;
      const topicIndex = ref.topicIndex;
      let overlaps = false;
      for (let w = start; w < start + length; w++) {
        if (covered[w * topicCount + topicIndex] === generation) {
          overlaps = true;
          break;
        }
      }
      if (overlaps) continue;
      for (let w = start; w < start + length; w++) covered[w * topicCount + topicIndex] = generation;
      const key = ref.phraseId * 2 + f;
      const at = slot[key]!;
      if (at > 0) {
        phrases[at - 1]!.count++;
        continue;
      }
      let rank = scratch.phraseRank[ref.phraseId]!;
      if (rank < 0) rank = scratch.phraseRank[ref.phraseId] = scratch.rank.get(ref.term.text)!;
      phrases.push({ ref, field, count: 1, rank });
      slot[key] = phrases.length;
      const list = byTopic[topicIndex]!;
      if (list.length === 0) touched.push(topicIndex);
      list.push(phrases.length - 1);
    }
  }
  const out: TopicMatch[] = [];
  const rank: number[] = [];
  // Topics the title alone is enough for: what the item is about, whatever the body says.
  const headlined = new Set<string>();
  // Topics in the order first met, as before.
  for (const topicIndex of touched) {
    const list = byTopic[topicIndex]!;
    let score = 0;
    let titleScore = 0;
    for (const i of list) {
      const p = phrases[i]!;
      const s = p.ref.term.weight * repeatWeight(p.count) * (p.field === "title" ? taxonomy.titleWeight : 1);
      score += s;
      if (p.field === "title") titleScore += s;
    }
    score = Math.round(score * 100) / 100;
    if (score < taxonomy.threshold) continue;
    const topic = taxonomy.topics[topicIndex]!;
    if (titleScore >= taxonomy.threshold) headlined.add(topic.id);
    rank.push(topicIndex);
    out.push({
      id: topic.id,
      label: topic.label,
      iptcCode: topic.iptcCode,
      iptcLabel: topic.iptcLabel,
      iptcAncestors: topic.iptcAncestors,
      score,
      // Most repeated first, then by phrase in localeCompare order (its rank, computed once per matcher).
      matches: list
        .slice()
        .sort((a, b) => phrases[b]!.count - phrases[a]!.count || phrases[a]!.rank - phrases[b]!.rank)
        .map((i) => ({ phrase: phrases[i]!.ref.term.text, field: phrases[i]!.field, count: phrases[i]!.count })),
    });
  }
  // Reset the scratch space for the next call.
  for (const p of phrases) slot[p.ref.phraseId * 2 + (p.field === "title" ? 0 : 1)] = 0;
  phrases.length = 0;
  for (const t of touched) byTopic[t]!.length = 0;
  touched.length = 0;

  // Stable order: strongest first, then taxonomy order.
  const order = new Map(out.map((t, i) => [t, rank[i]!]));
  out.sort((a, b) => b.score - a.score || order.get(a)! - order.get(b)!);
  // A topic far weaker than the item's main one is a passing mention, not what it is about.
  const top = out[0]?.score ?? 0;
  const kept = out.filter((t) => headlined.has(t.id) || t.score >= top * taxonomy.relativeThreshold);
  if (kept.length <= taxonomy.maxTopics) return kept;
  // The cap keeps headline topics first, then the strongest of the rest; output stays strongest first.
  const capped = new Set([...kept.filter((t) => headlined.has(t.id)), ...kept.filter((t) => !headlined.has(t.id))].slice(0, taxonomy.maxTopics));
  return kept.filter((t) => capped.has(t));
}

/** Tags an entry from its title and body text: topics, and the people, places and organizations it names. */
export function tagEntry(matcher: Matcher, entry: Entry, bodyText: string, entityOptions: EntityOptions = DEFAULT_ENTITY_OPTIONS): Entry {
  const topics = tagText(matcher, { title: entry.title, body: bodyText, ...(entry.language ? { language: entry.language } : {}) });
  const found = entityOptions.maxBodyChars >= 0 ? extractEntities(entry.title, bodyText, entry.language, entityOptions) : [];
  const entities = withoutCreditedNames(found, entry.title, bodyText, {
    ...(entry.image?.credit ? { photo: entry.image.credit } : {}),
    authors: entry.authors,
  });
  return { ...entry, topics, entities, taxonomyVersion: matcher.taxonomy.version };
}
