import type { Entry, PhraseMatch, TopicMatch } from "../model/index.js";
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

/**
 * Per-matcher scratch space: tagging is synchronous, so one set of buffers
 * per matcher is reused. The (phrase, field) pairs met in one call are kept
 * in parallel arrays (no object per phrase), each topic's in a linked list in
 * the order first met (scores are summed in that order).
 */
interface Scratch {
  /** Index into the phrase arrays + 1 per (phrase id, field), 0 when not seen in this call. */
  slot: Int32Array;
  /** Per (phrase, field) met: its term, field (0 title, 1 body), count, localeCompare rank and the next of its topic (-1 at the end). */
  phraseRef: TermRef[];
  phraseField: Uint8Array;
  phraseCount: Int32Array;
  phraseRankOf: Int32Array;
  nextOfTopic: Int32Array;
  phrases: number;
  /** Per topic: first and last (phrase, field) met, -1 when none. */
  topicFirst: Int32Array;
  topicLast: Int32Array;
  /** Topics in the order first met. */
  touched: Int32Array;
  touchedCount: number;
  hits: HitList;
  /**
   * Words covered by a kept hit, per (word, topic): covered[word × topics +
   * topic] === generation. Bumping the generation clears it for the next field;
   * bytes, cleared every 255 generations (a quarter of the memory to miss in).
   */
  covered: Uint8Array;
  generation: number;
  /** How much of covered the generations since the last clear have used. */
  coveredUsed: number;
  /** Every term text's place in localeCompare order; texts that compare equal share one. */
  rank: Map<string, number>;
  /** rank of each phrase (by TermRef.phraseId), -1 until first met. */
  phraseRank: Int32Array;
  /** Hit indexes longest first, then in scan order, and the per-length counts that place them. */
  order: Int32Array;
  offsets: Int32Array;
  /** Topics at or above the threshold: index, rounded score, whether the title alone reaches the threshold. */
  candidateTopic: Int32Array;
  candidateScore: Float64Array;
  candidateHeadline: Uint8Array;
  /** A topic's phrases, sorted for its explanation. */
  matchOrder: Int32Array;
}
const scratchOf = new WeakMap<Matcher, Scratch>();

function scratchFor(matcher: Matcher): Scratch {
  let s = scratchOf.get(matcher);
  if (!s) {
    const pairs = matcher.phraseCount * 2;
    const topics = matcher.taxonomy.topics.length;
    s = {
      slot: new Int32Array(pairs),
      phraseRef: [],
      phraseField: new Uint8Array(pairs),
      phraseCount: new Int32Array(pairs),
      phraseRankOf: new Int32Array(pairs),
      nextOfTopic: new Int32Array(pairs),
      phrases: 0,
      topicFirst: new Int32Array(topics).fill(-1),
      topicLast: new Int32Array(topics).fill(-1),
      touched: new Int32Array(topics),
      touchedCount: 0,
      hits: new HitList(),
      covered: new Uint8Array(0),
      generation: 0,
      coveredUsed: 0,
      rank: localeRanks(matcher.taxonomy.topics.flatMap((t) => t.terms.map((term) => term.text))),
      phraseRank: new Int32Array(matcher.phraseCount).fill(-1),
      order: new Int32Array(256),
      offsets: new Int32Array(16),
      candidateTopic: new Int32Array(topics),
      candidateScore: new Float64Array(topics),
      candidateHeadline: new Uint8Array(topics),
      matchOrder: new Int32Array(pairs),
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

/** Counts every hit of one field into the scratch space: overlapping hits of one topic count once, the longest winning. */
function countHits(matcher: Matcher, scratch: Scratch, field: number, topicCount: number): void {
  const hits = scratch.hits;
  const size = hits.words * topicCount;
  if (scratch.covered.length < size) {
    scratch.covered = new Uint8Array(size * 2);
    scratch.generation = 0;
  }
  if (++scratch.generation > 0xff) {
    scratch.covered.fill(0, 0, scratch.coveredUsed);
    scratch.generation = 1;
    scratch.coveredUsed = 0;
  }
  if (size > scratch.coveredUsed) scratch.coveredUsed = size;
  const covered = scratch.covered;
  const generation = scratch.generation;
  const { ids, starts, lengths, count } = hits;
  const { terms, termTopic, termPhrase } = matcher;
  // Overlapping terms of one topic ("border patrol" and "border") count once: the longest wins.
  // Hits are taken longest first, then by start word: the scan reports them by start word already,
  // so a stable counting sort by length gives that order.
  const maxLength = hits.maxLength;
  if (scratch.offsets.length < maxLength + 1) scratch.offsets = new Int32Array(maxLength * 2 + 1);
  if (scratch.order.length < count) scratch.order = new Int32Array(count * 2);
  const { offsets, order, slot, phraseRef, phraseField, phraseCount, phraseRankOf, nextOfTopic, topicFirst, topicLast, touched, phraseRank } = scratch;
  offsets.fill(0, 0, maxLength + 1);
  for (let h = 0; h < count; h++) offsets[maxLength - lengths[h]! + 1]!++;
  for (let k = 1; k <= maxLength; k++) offsets[k]! += offsets[k - 1]!;
  for (let h = 0; h < count; h++) order[offsets[maxLength - lengths[h]!]!++] = h;
  for (let o = 0; o < count; o++) {
    const h = order[o]!;
    const length = lengths[h]!;
    // Terms of another language than the item's are not in the hits: scanInto left them out.
    const id = ids[h]!;
    const start = starts[h]!;
    const topicIndex = termTopic[id]!;
    let w = start * topicCount + topicIndex;
    const end = w + length * topicCount;
    if (length === 1) {
      if (covered[w] === generation) continue;
      covered[w] = generation;
    } else {
      for (; w < end; w += topicCount) if (covered[w] === generation) break;
      if (w < end) continue;
      for (w = start * topicCount + topicIndex; w < end; w += topicCount) covered[w] = generation;
    }
    const phraseId = termPhrase[id]!;
    const key = phraseId * 2 + field;
    const at = slot[key]!;
    if (at > 0) {
      phraseCount[at - 1]!++;
      continue;
    }
    const ref = terms[id]!;
    let rank = phraseRank[phraseId]!;
    if (rank < 0) rank = phraseRank[phraseId] = scratch.rank.get(ref.term.text)!;
    const p = scratch.phrases++;
    phraseRef[p] = ref;
    phraseField[p] = field;
    phraseCount[p] = 1;
    phraseRankOf[p] = rank;
    nextOfTopic[p] = -1;
    slot[key] = p + 1;
    const last = topicLast[topicIndex]!;
    if (last < 0) {
      touched[scratch.touchedCount++] = topicIndex;
      topicFirst[topicIndex] = p;
    } else nextOfTopic[last] = p;
    topicLast[topicIndex] = p;
  }
}

/** A topic's phrases for its explanation: most repeated first, then by phrase in localeCompare order, then first met. */
function topicMatches(scratch: Scratch, topicIndex: number): PhraseMatch[] {
  const { matchOrder, phraseCount, phraseRankOf, nextOfTopic, phraseRef, phraseField } = scratch;
  let n = 0;
  for (let p = scratch.topicFirst[topicIndex]!; p >= 0; p = nextOfTopic[p]!) {
    // Insertion sort: stable, and a topic has a handful of phrases.
    let k = n++;
    const count = phraseCount[p]!;
    const rank = phraseRankOf[p]!;
    while (k > 0) {
      const q = matchOrder[k - 1]!;
      const c = phraseCount[q]!;
      if (c > count || (c === count && phraseRankOf[q]! <= rank)) break;
      matchOrder[k] = q;
      k--;
    }
    matchOrder[k] = p;
  }
  const out: PhraseMatch[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const p = matchOrder[k]!;
    out[k] = { phrase: phraseRef[p]!.term.text, field: phraseField[p] === 0 ? "title" : "body", count: phraseCount[p]! };
  }
  return out;
}

/**
 * Scores every topic on the text and keeps those at or above the threshold,
 * each with the phrases that matched, per field, for explanations.
 */
export function tagText(matcher: Matcher, input: TagInput): TopicMatch[] {
  const { taxonomy } = matcher;
  const scratch = scratchFor(matcher);
  const topicCount = taxonomy.topics.length;
  for (let f = 0; f < 2; f++) {
    const text = f === 0 ? input.title : input.body;
    if (text === "") continue;
    matcher.scanInto(text, scratch.hits, input.language);
    if (scratch.hits.count > 0) countHits(matcher, scratch, f, topicCount);
  }
  const { phraseRef, phraseField, phraseCount, nextOfTopic, topicFirst, candidateTopic, candidateScore, candidateHeadline } = scratch;
  const { threshold, titleWeight } = taxonomy;
  // Topics at or above the threshold, strongest first, then in taxonomy order.
  let candidates = 0;
  for (let t = 0; t < scratch.touchedCount; t++) {
    const topicIndex = scratch.touched[t]!;
    let score = 0;
    let titleScore = 0;
    for (let p = topicFirst[topicIndex]!; p >= 0; p = nextOfTopic[p]!) {
      const title = phraseField[p] === 0;
      const s = phraseRef[p]!.term.weight * repeatWeight(phraseCount[p]!) * (title ? titleWeight : 1);
      score += s;
      if (title) titleScore += s;
    }
    score = Math.round(score * 100) / 100;
    if (score < threshold) continue;
    let k = candidates++;
    while (k > 0 && (candidateScore[k - 1]! < score || (candidateScore[k - 1] === score && candidateTopic[k - 1]! > topicIndex))) {
      candidateTopic[k] = candidateTopic[k - 1]!;
      candidateScore[k] = candidateScore[k - 1]!;
      candidateHeadline[k] = candidateHeadline[k - 1]!;
      k--;
    }
    candidateTopic[k] = topicIndex;
    candidateScore[k] = score;
    // Topics the title alone is enough for: what the item is about, whatever the body says.
    candidateHeadline[k] = titleScore >= threshold ? 1 : 0;
  }
  // A topic far weaker than the item's main one is a passing mention, not what it is about.
  const floor = candidates > 0 ? candidateScore[0]! * taxonomy.relativeThreshold : 0;
  let kept = 0;
  let headlines = 0;
  for (let c = 0; c < candidates; c++) {
    if (candidateHeadline[c] === 1 || candidateScore[c]! >= floor) {
      candidateTopic[kept] = candidateTopic[c]!;
      candidateScore[kept] = candidateScore[c]!;
      candidateHeadline[kept] = candidateHeadline[c]!;
      headlines += candidateHeadline[c]!;
      kept++;
    }
  }
  // The cap keeps headline topics first, then the strongest of the rest; output stays strongest first.
  let others = kept <= taxonomy.maxTopics ? kept : Math.max(0, taxonomy.maxTopics - headlines);
  let headlineRoom = Math.min(headlines, taxonomy.maxTopics);
  const out: TopicMatch[] = [];
  for (let c = 0; c < kept; c++) {
    if (candidateHeadline[c] === 1 ? headlineRoom-- <= 0 : others-- <= 0) continue;
    const topicIndex = candidateTopic[c]!;
    const topic = taxonomy.topics[topicIndex]!;
    out.push({
      id: topic.id,
      label: topic.label,
      iptcCode: topic.iptcCode,
      iptcLabel: topic.iptcLabel,
      iptcAncestors: topic.iptcAncestors,
      score: candidateScore[c]!,
      matches: topicMatches(scratch, topicIndex),
    });
  }
  // Reset the scratch space for the next call.
  const { slot } = scratch;
  for (let p = 0; p < scratch.phrases; p++) slot[phraseRef[p]!.phraseId * 2 + phraseField[p]!] = 0;
  scratch.phrases = 0;
  for (let t = 0; t < scratch.touchedCount; t++) {
    topicFirst[scratch.touched[t]!] = -1;
    scratch.topicLast[scratch.touched[t]!] = -1;
  }
  scratch.touchedCount = 0;
  return out;
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
