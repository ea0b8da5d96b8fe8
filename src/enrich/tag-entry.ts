import type { Entry, PhraseMatch, TopicMatch } from "../model/index.js";
import type { Matcher } from "./compile-matcher.js";
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

/**
 * Scores every topic on the text and keeps those at or above the threshold,
 * each with the phrases that matched, per field, for explanations.
 */
export function tagText(matcher: Matcher, input: TagInput): TopicMatch[] {
  const { taxonomy } = matcher;
  const perTopic = new Map<string, { topic: (typeof taxonomy.topics)[number]; phrases: Map<string, PhraseMatch & { weight: number }> }>();
  const fields: Array<["title" | "body", string]> = [
    ["title", input.title],
    ["body", input.body],
  ];
  for (const [field, text] of fields) {
    if (text === "") continue;
    const { hits } = matcher.scan(text);
    // Overlapping terms of one topic ("border patrol" and "border") count once: the longest wins.
    const claimed = new Map<string, Set<number>>();
    hits.sort((a, b) => b.length - a.length || a.start - b.start);
    for (const hit of hits) {
      const topicId = hit.ref.topic.id;
      const lang = hit.ref.term.lang;
      if (lang !== "any" && input.language !== undefined && input.language !== lang) continue;
      let used = claimed.get(topicId);
      if (!used) claimed.set(topicId, (used = new Set()));
      let overlaps = false;
      for (let k = hit.start; k < hit.start + hit.length; k++) if (used.has(k)) overlaps = true;
      if (overlaps) continue;
      for (let k = hit.start; k < hit.start + hit.length; k++) used.add(k);
      let entry = perTopic.get(topicId);
      if (!entry) perTopic.set(topicId, (entry = { topic: hit.ref.topic, phrases: new Map() }));
      const key = `${field}\u0000${hit.ref.term.text}`;
      const existing = entry.phrases.get(key);
      if (existing) existing.count++;
      else entry.phrases.set(key, { phrase: hit.ref.term.text, field, count: 1, weight: hit.ref.term.weight });
    }
  }
  const out: TopicMatch[] = [];
  // Topics the title alone is enough for: what the item is about, whatever the body says.
  const headlined = new Set<string>();
  for (const { topic, phrases } of perTopic.values()) {
    let score = 0;
    let titleScore = 0;
    for (const p of phrases.values()) {
      const s = p.weight * repeatWeight(p.count) * (p.field === "title" ? taxonomy.titleWeight : 1);
      score += s;
      if (p.field === "title") titleScore += s;
    }
    score = Math.round(score * 100) / 100;
    if (score < taxonomy.threshold) continue;
    if (titleScore >= taxonomy.threshold) headlined.add(topic.id);
    out.push({
      id: topic.id,
      label: topic.label,
      iptcCode: topic.iptcCode,
      iptcLabel: topic.iptcLabel,
      iptcAncestors: topic.iptcAncestors,
      score,
      matches: [...phrases.values()]
        .map(({ phrase, field, count }) => ({ phrase, field, count }))
        .sort((a, b) => b.count - a.count || a.phrase.localeCompare(b.phrase)),
    });
  }
  // Stable order: strongest first, then taxonomy order.
  const order = new Map(taxonomy.topics.map((t, i) => [t.id, i]));
  out.sort((a, b) => b.score - a.score || order.get(a.id)! - order.get(b.id)!);
  // A topic far weaker than the item's main one is a passing mention, not what it is about.
  const top = out[0]?.score ?? 0;
  const kept = out.filter((t) => headlined.has(t.id) || t.score >= top * taxonomy.relativeThreshold);
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
