import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Taxonomy } from "../model/index.js";
import { termWords } from "./compile-matcher.js";
import { loadTaxonomy, TaxonomyError } from "./load-taxonomy.js";

export interface LintProblem {
  level: "error" | "warning";
  message: string;
}

const TOPIC_KEYS = new Set(["id", "label", "label_es", "definition", "iptc", "iptc_ancestors", "iptc_note", "enabled", "terms"]);
const TOP_KEYS = new Set(["threshold", "title_weight", "relative_threshold", "max_topics", "scheme", "topics"]);

/** A term's identity for duplicate checks: folded words, stem mark, language and case rule. */
function termKey(text: string, lang: string, caseSensitive: boolean): string {
  const words = termWords(text).map((w) => (w.stem ? `${w.folded}*` : caseSensitive ? w.raw : w.folded));
  return `${lang}|${caseSensitive ? "case" : ""}|${words.join(" ")}`;
}

/**
 * Lints a taxonomy file: what the loader rejects (unknown or retired IPTC
 * codes, ancestors that do not match the vocabulary, bad keys or values) as
 * errors; duplicate terms, terms shadowed by a stem of the same topic, and
 * topics no term can reach as warnings or errors.
 */
export function lintTaxonomy(file: string, options: { scheme: string; iptcFile?: string }): { taxonomy?: Taxonomy; problems: LintProblem[] } {
  const problems: LintProblem[] = [];
  let taxonomy: Taxonomy;
  try {
    taxonomy = loadTaxonomy(file, options);
  } catch (error) {
    if (error instanceof TaxonomyError) return { problems: error.problems.map((message) => ({ level: "error", message })) };
    throw error;
  }
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(doc))
    if (!TOP_KEYS.has(key)) problems.push({ level: "error", message: `${key}: unknown key (expected ${[...TOP_KEYS].join(", ")})` });
  const rawTopics = Array.isArray(doc.topics) ? (doc.topics as Array<Record<string, unknown>>) : [];
  rawTopics.forEach((t, i) => {
    for (const key of Object.keys(t ?? {})) if (!TOPIC_KEYS.has(key)) problems.push({ level: "error", message: `topics[${i}].${key}: unknown key` });
  });

  // Terms shared by several topics ("hurricane": disaster and weather) are intended and not reported.
  for (const topic of taxonomy.topics) {
    if (!topic.enabled) continue;
    if (topic.terms.length === 0) {
      problems.push({ level: "error", message: `${topic.id}: no term can reach this topic (it has no terms); add terms or set enabled: false` });
      continue;
    }
    // Best possible score: every term in the title, repeated.
    const best = topic.terms.reduce((sum, term) => sum + term.weight * 2 * taxonomy.titleWeight, 0);
    if (best < taxonomy.threshold) {
      problems.push({ level: "error", message: `${topic.id}: no text can reach the threshold ${taxonomy.threshold} (best score ${best}); raise term weights` });
    }
    const seen = new Set<string>();
    for (const term of topic.terms) {
      const key = termKey(term.text, term.lang, term.caseSensitive);
      if (termWords(term.text).length === 0) {
        problems.push({ level: "error", message: `${topic.id}: term "${term.text}" has no word characters and can never match` });
        continue;
      }
      if (seen.has(key)) problems.push({ level: "warning", message: `${topic.id}: duplicate term "${term.text}" (${term.lang})` });
      seen.add(key);
    }
    // A one-word term already matched by a stem of the same topic and language adds nothing but weight.
    const stems = topic.terms.filter(
      (t) => !t.caseSensitive && t.text.endsWith("*") && termWords(t.text).length === 1 && t.requireNear.length === 0 && t.forbidNear.length === 0,
    );
    for (const term of topic.terms) {
      if (term.text.endsWith("*") || term.caseSensitive || term.requireNear.length > 0 || term.forbidNear.length > 0) continue;
      const words = termWords(term.text);
      if (words.length !== 1) continue;
      const shadow = stems.find(
        (s) => (s.lang === term.lang || s.lang === "any") && words[0]!.folded.startsWith(termWords(s.text)[0]!.folded) && s.weight >= term.weight,
      );
      if (shadow)
        problems.push({
          level: "warning",
          message: `${topic.id}: term "${term.text}" (${term.lang}) is shadowed by "${shadow.text}"; remove it or give it its own weight`,
        });
    }
  }
  return { taxonomy, problems };
}
