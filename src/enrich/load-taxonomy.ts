import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import type { Taxonomy, Topic, TopicTerm } from "../model/index.js";
import { FeedEnricherError } from "../shared/errors.js";
import { sha256Hex } from "../shared/hash.js";

export class TaxonomyError extends FeedEnricherError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super("enrich", "invalid-taxonomy", `${file} has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

export interface IptcConcept {
  qcode: string;
  label: string;
  parent: string | null;
  retired: boolean;
  labels?: { es?: string };
}

/** IPTC Media Topics, keyed by qcode. */
export type IptcVocabulary = Map<string, IptcConcept>;

export function loadIptc(file: string): IptcVocabulary {
  const list = JSON.parse(readFileSync(file, "utf8")) as IptcConcept[];
  return new Map(list.map((c) => [c.qcode, c]));
}

export function iptcAncestors(vocabulary: IptcVocabulary, qcode: string): string[] {
  const out: string[] = [];
  let current = vocabulary.get(qcode)?.parent ?? null;
  while (current !== null && !out.includes(current)) {
    out.push(current);
    current = vocabulary.get(current)?.parent ?? null;
  }
  return out;
}

type RawTerm = string | { term?: unknown; weight?: unknown; case?: unknown; near?: unknown; not_near?: unknown; window?: unknown };

function asStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

function parseTerm(raw: RawTerm, lang: TopicTerm["lang"], where: string, problems: string[]): TopicTerm | undefined {
  if (typeof raw === "string") {
    return { text: raw, lang, weight: 1, caseSensitive: false, requireNear: [], forbidNear: [], windowWords: 12 };
  }
  if (raw === null || typeof raw !== "object" || typeof raw.term !== "string") {
    problems.push(`${where}: expected a term (text, or a mapping with term:), got ${JSON.stringify(raw)}`);
    return undefined;
  }
  const known = new Set(["term", "weight", "case", "near", "not_near", "window"]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${where}.${key}: unknown key`);
  const weight = raw.weight === undefined ? 1 : Number(raw.weight);
  if (!Number.isFinite(weight)) problems.push(`${where}.weight: expected a number, got ${JSON.stringify(raw.weight)}`);
  const windowWords = raw.window === undefined ? 12 : Number(raw.window);
  return {
    text: raw.term,
    lang,
    weight,
    caseSensitive: raw.case === true,
    requireNear: asStrings(raw.near),
    forbidNear: asStrings(raw.not_near),
    windowWords: Number.isFinite(windowWords) ? windowWords : 12,
  };
}

/**
 * Reads the taxonomy YAML and resolves IPTC codes against the vocabulary next
 * to it (config/iptc/mediatopic.json). Every problem is reported at once.
 */
export function loadTaxonomy(file: string, options: { scheme: string; iptcFile?: string }): Taxonomy {
  const text = readFileSync(file, "utf8");
  let doc: Record<string, unknown>;
  try {
    doc = (parse(text) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new TaxonomyError(file, [`(yaml): ${(error as Error).message.split("\n")[0]}`]);
  }
  const iptcFile = options.iptcFile ?? resolve(dirname(file), "iptc/mediatopic.json");
  const vocabulary = loadIptc(iptcFile);
  const problems: string[] = [];
  const topics: Topic[] = [];
  const rawTopics = Array.isArray(doc.topics) ? (doc.topics as Array<Record<string, unknown>>) : [];
  if (rawTopics.length === 0) problems.push("topics: expected a list of topics, got none");
  const ids = new Set<string>();
  rawTopics.forEach((t, i) => {
    const where = `topics[${i}]`;
    const id = typeof t.id === "string" ? t.id : "";
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) problems.push(`${where}.id: expected lowercase letters, digits and hyphens, got ${JSON.stringify(t.id)}`);
    if (ids.has(id)) problems.push(`${where}.id: "${id}" is defined twice`);
    ids.add(id);
    const iptcCode = typeof t.iptc === "string" ? t.iptc : "";
    const concept = vocabulary.get(iptcCode);
    if (concept === undefined) problems.push(`${where}.iptc: unknown IPTC Media Topic ${JSON.stringify(t.iptc)} (see config/iptc/mediatopic.json)`);
    else if (concept.retired) problems.push(`${where}.iptc: ${iptcCode} is retired by IPTC; choose its successor`);
    const terms: TopicTerm[] = [];
    const rawTerms = (t.terms ?? {}) as Record<string, unknown>;
    for (const lang of Object.keys(rawTerms)) {
      if (lang !== "en" && lang !== "es" && lang !== "any") {
        problems.push(`${where}.terms.${lang}: expected en, es or any`);
        continue;
      }
      const list = rawTerms[lang];
      if (!Array.isArray(list)) {
        problems.push(`${where}.terms.${lang}: expected a list of terms`);
        continue;
      }
      list.forEach((raw, j) => {
        const term = parseTerm(raw as RawTerm, lang, `${where}.terms.${lang}[${j}]`, problems);
        if (term) terms.push(term);
      });
    }
    topics.push({
      id,
      label: typeof t.label === "string" ? t.label : id,
      labelEs: typeof t.label_es === "string" ? t.label_es : typeof t.label === "string" ? t.label : id,
      definition: typeof t.definition === "string" ? t.definition : "",
      iptcCode,
      iptcLabel: concept?.label ?? "",
      iptcAncestors: concept ? iptcAncestors(vocabulary, iptcCode) : [],
      ...(typeof t.iptc_note === "string" ? { iptcNote: t.iptc_note } : {}),
      enabled: t.enabled !== false,
      terms,
    });
  });
  if (problems.length > 0) throw new TaxonomyError(file, problems);
  const threshold = doc.threshold === undefined ? 2 : Number(doc.threshold);
  const titleWeight = doc.title_weight === undefined ? 2 : Number(doc.title_weight);
  return {
    version: sha256Hex(text).slice(0, 16),
    threshold,
    titleWeight,
    scheme: typeof doc.scheme === "string" ? doc.scheme : options.scheme,
    topics,
  };
}
