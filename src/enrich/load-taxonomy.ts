import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Taxonomy, Topic, TopicTerm } from "../model/index.js";
import { FeedEnricherError } from "../shared/errors.js";
import { sha256Hex } from "../shared/hash.js";
import { parsedYaml } from "./parsed-yaml-cache.js";

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

/** A taxonomy or vocabulary file's text; a missing or unreadable file is a TaxonomyError that says what to set. */
function readTaxonomyFile(file: string, what: string, fix: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new TaxonomyError(file, [`cannot read the ${what} (${reason}): ${fix}`]);
  }
}

export function loadIptc(file: string): IptcVocabulary {
  const text = readTaxonomyFile(
    file,
    "IPTC Media Topics vocabulary",
    "keep iptc/mediatopic.json beside the taxonomy file (copy config/iptc/ from feed-enricher)",
  );
  let list: IptcConcept[];
  try {
    list = JSON.parse(text) as IptcConcept[];
  } catch (error) {
    throw new TaxonomyError(file, [`(json): ${(error as Error).message}: restore it from config/iptc/mediatopic.json of feed-enricher`]);
  }
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

type RawTerm = string | { term?: unknown; terms?: unknown; weight?: unknown; case?: unknown; near?: unknown; not_near?: unknown; window?: unknown };

function asStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

const TERM_KEYS = new Set(["term", "terms", "weight", "case", "near", "not_near", "window"]);

/**
 * One entry of a topic's term list: a plain term, a term with options
 * (`{ term: ICE, case: true }`), or a group of terms sharing options
 * (`{ terms: [earthquake*, tsunami], weight: 2 }`).
 */
function parseTerms(raw: RawTerm, lang: TopicTerm["lang"], where: string, problems: string[]): TopicTerm[] {
  // A nested list is a group of plain terms.
  if (Array.isArray(raw)) return raw.flatMap((item, k) => parseTerms(item as RawTerm, lang, `${where}[${k}]`, problems));
  if (typeof raw === "string" || typeof raw === "number") {
    return [{ text: String(raw), lang, weight: 1, caseSensitive: false, requireNear: [], forbidNear: [], windowWords: 12 }];
  }
  if (raw !== null && typeof raw === "object" && Array.isArray(raw.terms) && raw.terms.some((t) => t !== null && typeof t === "object")) {
    // A mapping inside a group (`{ terms: [flood*, { term: landslide*, not_near: [election] }], weight: 1.5 }`)
    // takes the group's options and overrides those it sets itself.
    const { terms, ...options } = raw;
    return (terms as unknown[]).flatMap((item, k) =>
      parseTerms(
        item !== null && typeof item === "object" && !Array.isArray(item) ? { ...options, ...(item as object) } : { ...options, term: item },
        lang,
        `${where}.terms[${k}]`,
        problems,
      ),
    );
  }
  const texts =
    raw !== null && typeof raw === "object"
      ? typeof raw.term === "string" || typeof raw.term === "number"
        ? [String(raw.term)]
        : Array.isArray(raw.terms)
          ? raw.terms.map(String)
          : undefined
      : undefined;
  if (raw === null || typeof raw !== "object" || texts === undefined) {
    problems.push(`${where}: expected a term (text, or a mapping with term: or terms:), got ${JSON.stringify(raw)}`);
    return [];
  }
  for (const key of Object.keys(raw)) if (!TERM_KEYS.has(key)) problems.push(`${where}.${key}: unknown key (expected ${[...TERM_KEYS].join(", ")})`);
  const weight = raw.weight === undefined ? 1 : Number(raw.weight);
  if (!Number.isFinite(weight) || weight <= 0) problems.push(`${where}.weight: expected a positive number, got ${JSON.stringify(raw.weight)}`);
  const windowWords = raw.window === undefined ? 12 : Number(raw.window);
  if (!Number.isInteger(windowWords) || windowWords < 1) problems.push(`${where}.window: expected a whole number of words, got ${JSON.stringify(raw.window)}`);
  if (raw.case !== undefined && typeof raw.case !== "boolean") problems.push(`${where}.case: expected true or false, got ${JSON.stringify(raw.case)}`);
  return texts.map((text) => ({
    text,
    lang,
    weight,
    caseSensitive: raw.case === true,
    requireNear: asStrings(raw.near),
    forbidNear: asStrings(raw.not_near),
    windowWords: Number.isInteger(windowWords) && windowWords >= 1 ? windowWords : 12,
  }));
}

function numberSetting(doc: Record<string, unknown>, key: string, fallback: number, problems: string[]): number {
  const value = doc[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    problems.push(`${key}: expected a number of at least 0, got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}

/**
 * Reads the taxonomy YAML and resolves IPTC codes against the vocabulary next
 * to it (config/iptc/mediatopic.json). Every problem is reported at once.
 */
export function loadTaxonomy(file: string, options: { scheme: string; iptcFile?: string; cacheDir?: string }): Taxonomy {
  const text = readTaxonomyFile(
    file,
    "topic taxonomy",
    "set `taxonomy:` in the config to your topics file (relative to the config's folder), or copy config/topics.yaml and config/iptc/ of feed-enricher beside the config",
  );
  let doc: Record<string, unknown>;
  try {
    doc = (parsedYaml(text, options.cacheDir) ?? {}) as Record<string, unknown>;
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
    if (concept !== undefined && t.iptc_ancestors !== undefined) {
      const written = asStrings(t.iptc_ancestors);
      const actual = iptcAncestors(vocabulary, iptcCode);
      if (written.join(" ") !== actual.join(" ")) {
        problems.push(
          `${where}.iptc_ancestors: ${iptcCode} has ancestors [${actual.join(", ")}] in the IPTC vocabulary, the taxonomy says [${written.join(", ")}]`,
        );
      }
    }
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
        terms.push(...parseTerms(raw as RawTerm, lang, `${where}.terms.${lang}[${j}]`, problems));
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
  const threshold = numberSetting(doc, "threshold", 2, problems);
  const titleWeight = numberSetting(doc, "title_weight", 2, problems);
  const relativeThreshold = numberSetting(doc, "relative_threshold", 0, problems);
  const maxTopics = numberSetting(doc, "max_topics", 10, problems);
  if (problems.length > 0) throw new TaxonomyError(file, problems);
  return {
    version: sha256Hex(text).slice(0, 16),
    threshold,
    relativeThreshold,
    maxTopics,
    titleWeight,
    scheme: typeof doc.scheme === "string" ? doc.scheme : options.scheme,
    topics,
  };
}
