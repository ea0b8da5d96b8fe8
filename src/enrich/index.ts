// Enrich stage: Entry → topics (and entities) from the taxonomy in
// config/topics.yaml, compiled once into a single-pass matcher. It must not
// change what the source said (title, content, dates) nor touch the store.
export { compileMatcher, type Matcher } from "./compile-matcher.js";
export { DEFAULT_ENTITY_OPTIONS, type EntityOptions, extractEntities } from "./extract-entities.js";
export { type LintProblem, lintTaxonomy } from "./lint-taxonomy.js";
export { type IptcVocabulary, iptcAncestors, loadIptc, loadTaxonomy, TaxonomyError } from "./load-taxonomy.js";
export { type TagInput, tagEntry, tagText } from "./tag-entry.js";
export { fold, tokenize } from "./tokenize.js";
