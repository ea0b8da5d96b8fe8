import type { Entry, TopicMatch } from "../../../src/model/index.js";
import type { Hit, Matcher } from "./compile-matcher.js";
import { DEFAULT_ENTITY_OPTIONS, type EntityOptions, extractEntities } from "./extract-entities.js";

export interface TagInput {
  title: string;
  /** Plain text of the body (summary or full text). */
  body: string;
  language?: string;
}

/** Repeats of one term in the body count, but with diminishing weight (1, 1.5, 1.75, …). */
function repeatWeight(count: number): number {
  return 2 - 2 ** (1 - count);
}

interface PhraseCount {
  ref: Hit["ref"];
  field: "title" | "body";
  count: number;
}

/** Per-matcher scratch space: tagging is synchronous, so one set of buffers per matcher is reused. */
interface Scratch {
  /** Index into `phrases` + 1 per (phrase, field), 0 when not seen in this call. */
  slot: Int32Array;
  phrases: PhraseCount[];
  /** Phrases per topic, in the order first met (scores are summed in that order). */
  byTopic: number[][];
  touched: number[];
}
const scratchOf = new WeakMap<Matcher, Scratch>();

function scratchFor(matcher: Matcher): Scratch {
  let s = scratchOf.get(matcher);
  if (!s) {
    s = { slot: new Int32Array(matcher.phraseCount * 2), phrases: [], byTopic: matcher.taxonomy.topics.map(() => []), touched: [] };
    scratchOf.set(matcher, s);
  }
  return s;
}

const byLengthThenStart = (a: Hit, b: Hit) => b.length - a.length || a.start - b.start;

/**
 * Scores every topic on the text and keeps those at or above the threshold,
 * each with the phrases that matched, per field, for explanations.
 */
export function tagText(matcher: Matcher, input: TagInput): TopicMatch[] {
  const { taxonomy } = matcher;
  const scratch = scratchFor(matcher);
  const { slot, phrases, byTopic, touched } = scratch;
  for (let f = 0; f < 2; f++) {
    const field = f === 0 ? "title" : "body";
    const text = f === 0 ? input.title : input.body;
    if (text === "") continue;
    const { hits } = matcher.scan(text);
    // Overlapping terms of one topic ("border patrol" and "border") count once: the longest wins.
    if (hits.length > 1) hits.sort(byLengthThenStart);
    const kept: Hit[] = [];
    for (const hit of hits) {
      const lang = hit.ref.term.lang;
      if (lang !== "any" && input.language !== undefined && input.language !== lang) continue;
      let overlaps = false;
      for (const k of kept) {
        if (k.ref.topicIndex === hit.ref.topicIndex && k.start < hit.start + hit.length && hit.start < k.start + k.length) {
          overlaps = true;
          break;
        }
      }
      if (overlaps) continue;
      kept.push(hit);
      const key = hit.ref.phraseId * 2 + f;
      const at = slot[key]!;
      if (at > 0) {
        phrases[at - 1]!.count++;
        continue;
      }
      phrases.push({ ref: hit.ref, field, count: 1 });
      slot[key] = phrases.length;
      const list = byTopic[hit.ref.topicIndex]!;
      if (list.length === 0) touched.push(hit.ref.topicIndex);
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
      matches: list
        .map((i) => ({ phrase: phrases[i]!.ref.term.text, field: phrases[i]!.field, count: phrases[i]!.count }))
        .sort((a, b) => b.count - a.count || a.phrase.localeCompare(b.phrase)),
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
  const entities = entityOptions.maxBodyChars >= 0 ? extractEntities(entry.title, bodyText, entry.language, entityOptions) : [];
  return { ...entry, topics, entities, taxonomyVersion: matcher.taxonomy.version };
}
