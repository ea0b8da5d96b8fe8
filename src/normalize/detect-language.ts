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

/** ISO 639-1 code of the text's language, or undefined when the text is too short to tell. */
export function detectLanguage(text: string): string | undefined {
  if (text.length < 40) return undefined;
  const code = franc(text.slice(0, LANGUAGE_SAMPLE_CHARS), { minLength: 40, only: CANDIDATES });
  return ISO1[code];
}

/** `en-US` → `en`; undefined for junk. */
export function normalizeLanguageTag(tag: string | undefined): string | undefined {
  const m = tag === undefined ? null : /^\s*([a-z]{2,3})(?:[-_][a-z0-9]+)*\s*$/i.exec(tag);
  return m?.[1]?.toLowerCase();
}
