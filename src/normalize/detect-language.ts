import { franc } from "franc-min";

// franc answers ISO 639-3; feeds and readers use ISO 639-1.
const ISO1: Record<string, string> = {
  eng: "en",
  spa: "es",
  por: "pt",
  fra: "fr",
  deu: "de",
  ita: "it",
  nld: "nl",
  rus: "ru",
  ukr: "uk",
  pol: "pl",
  ces: "cs",
  slk: "sk",
  cmn: "zh",
  jpn: "ja",
  kor: "ko",
  arb: "ar",
  urd: "ur",
  hin: "hi",
  tur: "tr",
  swe: "sv",
  dan: "da",
  nob: "no",
  fin: "fi",
  ell: "el",
  hun: "hu",
  ron: "ro",
  bul: "bg",
  srp: "sr",
  hrv: "hr",
  cat: "ca",
  ind: "id",
  vie: "vi",
  tha: "th",
  heb: "he",
  pes: "fa",
  ben: "bn",
  tam: "ta",
  zlm: "ms",
};

// Only the languages that have an ISO 639-1 code above are worth scoring:
// franc compares trigrams against every candidate, so a short list is faster
// and any other answer would be discarded anyway.
const CANDIDATES = Object.keys(ISO1);
/** Enough text for trigram statistics (franc is linear in it: ~0.7 µs a character with the list above); more costs time without changing the answer for news prose. */
export const LANGUAGE_SAMPLE_CHARS = 300;

// Function words that are frequent in news prose of one language and rare in
// the others franc would consider for Latin-script text (Portuguese, Italian,
// French, Romanian…): "que", "para", "con", "una", "este" and the like are
// not listed. A few English ones are shared with German, Dutch or French
// ("in", "was", "on", "will"), but a text in one of those also has its own
// function words (OTHER), which stop the vote.
const ENGLISH = new Set(
  [
    "the of and that with from his her are have has said which this were they their who its been after",
    "would than about into also had by but it at be not more she will was is in on to for over",
  ]
    .join(" ")
    .split(" "),
);
const SPANISH = new Set("el los las del y más pero fue sus también según hasta cuando muy ya dijo tras hay han desde sobre".split(" "));
// Frequent in the other Latin-script languages and not in English or Spanish.
const OTHER = new Set(
  [
    "não em os ao uma com pelo pela são foi dos das à é", // Portuguese
    "il di che della degli gli sono nel alla è", // Italian
    "le et les des est dans pour qui une pas du au sur ce", // French
    "der die und das ist nicht mit den von zu sich", // German
    "het een van niet zijn op voor", // Dutch
    "și este pe cu", // Romanian
    "ve bir bu için", // Turkish
    "yang dan untuk dengan", // Indonesian, Malay
    "och att är som för på", // Swedish
    "się że je jest", // Polish, Czech, Croatian
  ]
    .join(" ")
    .split(" "),
);
const WORD = /\p{L}+/gu;

/**
 * English or Spanish by a vote of function words, or undefined when the vote
 * is not clear (few words, a mix, or another language's words): franc then
 * decides. On news prose it answers as franc does, at a fraction of the cost
 * (test/normalize/detect-language.test.ts compares the two).
 */
export function voteLanguage(sample: string): "en" | "es" | undefined {
  let en = 0;
  let es = 0;
  let other = 0;
  // The words as strings (match with /g), not a match object per word.
  for (const w of sample.toLowerCase().match(WORD) ?? []) {
    if (ENGLISH.has(w)) en++;
    else if (SPANISH.has(w)) es++;
    else if (OTHER.has(w)) other++;
  }
  if (en >= 6 && en >= 4 * (es + other) && other <= 1) return "en";
  if (es >= 5 && es >= 4 * (en + other) && other <= 1) return "es";
  return undefined;
}

/** What franc alone answers (ISO 639-1), the reference of detectLanguage. */
export function detectLanguageByTrigrams(text: string): string | undefined {
  if (text.length < 40) return undefined;
  return ISO1[franc(text.slice(0, LANGUAGE_SAMPLE_CHARS), { minLength: 40, only: CANDIDATES })];
}

/** ISO 639-1 code of the text's language, or undefined when the text is too short to tell. */
export function detectLanguage(text: string): string | undefined {
  if (text.length < 40) return undefined;
  return voteLanguage(text.slice(0, LANGUAGE_SAMPLE_CHARS)) ?? detectLanguageByTrigrams(text);
}

/** `en-US` → `en`; undefined for junk. */
export function normalizeLanguageTag(tag: string | undefined): string | undefined {
  const m = tag === undefined ? null : /^\s*([a-z]{2,3})(?:[-_][a-z0-9]+)*\s*$/i.exec(tag);
  return m?.[1]?.toLowerCase();
}
