import { isWhiteSpaceCode } from "../shared/white-space.js";
import { LEXICON_WORDS, type LexTag } from "./english-lexicon.js";
import { capitalStarts, detached, matchesAtCapitals } from "./tokenize.js";

/**
 * Names in English text without running compromise's tagger (≈ 10 µs per
 * character, far too slow for every item): capitalized runs found by one
 * regex pass, classified with compromise's own lexicon (first and last
 * names, countries, cities, regions, organizations) and with the cues its
 * tagger uses — honorifics before a name, suffixes such as "Inc" or
 * "University", "of" phrases headed by "Department" or "University".
 */

/**
 * compromise's lexicon reduced to the tags that classify a name, built on
 * first use from the snapshot in english-lexicon.ts (importing compromise
 * itself costs ≈ 0.4 s of every process start).
 */
let lexicon: Map<string, LexTag> | undefined;
function nameLexicon(): Map<string, LexTag> {
  if (lexicon === undefined) {
    lexicon = new Map();
    for (const tag of Object.keys(LEXICON_WORDS) as LexTag[]) for (const word of LEXICON_WORDS[tag].split("|")) lexicon.set(word, tag);
  }
  return lexicon;
}

/** Words before a name that make it a person's ("President Donald Trump", "Sen. Jane Doe"). */
const HONORIFICS = new Set(
  "President Vice Secretary Senator Sen Rep Representative Governor Gov Mr Mrs Ms Dr Judge Justice Minister Prime Chancellor Mayor Sheriff Commissioner Director Spokesperson Spokeswoman Spokesman Chairman Chairwoman Chief Gen General Col Colonel Lt Sgt Officer Detective Ambassador Attorney Lawmaker Coach Professor Prof Rev Speaker Leader CEO Founder Author Actor Actress Singer Rapper Writer Editor Reporter Correspondent Analyst Economist Manager Captain Capt Father Sister Brother Lord Lady Sir Dame Deputy Acting Former".split(
    " ",
  ),
);

/** Words before a name that qualify it and are not part of it ("US Senate", "Democrat Dan McCready"). */
const QUALIFIERS = new Set(
  "US U.S UK U.K EU Republican Republicans Democrat Democrats Democratic Democratic-led Republican-led GOP Federal Mexican American British".split(" "),
);

/** Laws and prizes named after a person. */
const LAW_TAILS = new Set(["Act", "Bill", "Law", "Prize", "Award"]);
/** Titles that stay part of a person's name ("Pope Francis", "King Charles"). */
const RULER_TITLES = new Set(["Pope", "King", "Queen", "Prince", "Princess"]);

/** Last words of organization names. */
const ORG_TAILS = new Set(
  "Inc Corp Corporation Company Co Ltd LLC PLC Group Holdings University College School Academy Institute Department Ministry Agency Administration Bureau Office Party Council Committee Commission Association Union Federation League Bank Court Police Army Navy Force Forces Guard Foundation Organization Organisation Society Authority Board Service Services Network Airlines Airways Times Post News Journal Press Tribune Herald Gazette Telegraph Guardian Club Team Church Hospital Clinic Center Centre Trust Fund Coalition Alliance Movement Caucus Cabinet Parliament Assembly Senate Congress Reuters".split(
    " ",
  ),
);
/** First words of "X of Y" organization names ("Department of Justice", "University of Georgia"). */
const ORG_HEADS = new Set(
  "Department Ministry University College Bank Bureau Office Board Institute School Church Council Court House Museum Academy Federation Association".split(
    " ",
  ),
);
/** Last words of place names. */
const PLACE_TAILS = new Set(
  "County City Province State Island Islands River Valley Mountains Mountain Lake Bay Sea Ocean Coast Beach Street Avenue Road Square Park Bridge Airport Station Canyon Desert Peninsula Strait Gulf Harbor Harbour Port Heights Hills District Region Village Town Library House".split(
    " ",
  ),
);

/** Words that join capitalized words inside one name ("Department of Justice", "Ludwig van Beethoven"). */
const CONNECTORS = new Set(["of", "the", "and", "for", "de", "del", "van", "von", "da", "al", "bin", "la"]);

/** Particles inside people's names. */
const PARTICLES = new Set(["de", "del", "van", "von", "da", "al", "bin", "la"]);
/** Connectors that separate two names ("Mexico and Canada", "Samuel Moyn of Yale University") unless an "X of Y" name holds them. */
const SEPARATORS = new Set(["of", "the", "and", "for"]);

/** Capitalized words that never are (or start) a name on their own. */
const NOT_NAMES = new Set(
  `Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December
  The A An This That These Those It Its He She They We I You His Her Their Our My In On At Of For And But Or If When While After Before As By From
  With Without To Still Studies Shortly According However Also Then There Here What Who Why How Where Which Many Some Most More Other Another Each
  Every All Both No Not Yes So Yet Just Even Now Today Yesterday Tomorrow Members Officials One Two Three Once Since Despite During
  Under Over About Among Between Across Through Into Upon Until Unlike Like Because Although Though Whether Meanwhile Earlier Later Instead Photo
  Guest Guests Managers Managing Staff GMT BST EST EDT PST PDT UTC Read Watch Follow Subscribe Sign Click Share Copyright Image Video Update Updated Breaking Exclusive Opinion Analysis`.split(
    /\s+/,
  ),
);

function lex(phrase: string): LexTag | undefined {
  return nameLexicon().get(phrase.toLowerCase());
}

/** Whether either word is a known first or last name. */
function isNameWord(a: string, b: string): boolean {
  const ta = lex(a);
  const tb = lex(b);
  return ta === "first" || ta === "last" || ta === "person" || tb === "first" || tb === "last" || tb === "person";
}

function isInitial(word: string): boolean {
  return /^\p{Lu}\.$/u.test(word);
}

export interface EnglishNames {
  people: string[];
  places: string[];
  organizations: string[];
}

/**
 * Capitalized runs: words starting with a capital (or initials such as
 * "F."), joined by single spaces and the connectors above; hyphenated and
 * possessive forms are one word.
 */
const RUN =
  /(?<![\p{L}\p{N}'’.])\p{Lu}[\p{L}\p{N}'’&-]*\.?(?:[ \u00a0]+(?:(?:of|the|and|for|de|del|van|von|da|al|bin|la)[ \u00a0]+)*\p{Lu}[\p{L}\p{N}'’&-]*\.?)*/gu;
/** RUN anchored where matchesAtCapitals tries it. */
const RUN_AT = new RegExp(RUN.source, "uy");

/** One name out of a run: leading honorifics and fillers removed, possessive and trailing connectors dropped. */
function classify(words: string[], titled: boolean, sentenceStart: boolean, out: EnglishNames): void {
  while (words.length > 0 && CONNECTORS.has(words.at(-1)!)) words.pop();
  if (words.length === 0) return;
  const name = words.join(" ");
  const n = words.length;
  const first = words[0]!;
  const last = words[n - 1]!;
  const whole = lex(name);
  if (whole === "place") {
    out.places.push(name);
    return;
  }
  if (whole === "org") {
    out.organizations.push(name);
    return;
  }
  if (whole === "person" || ((whole === "first" || whole === "last") && n === 1 && (titled || !sentenceStart))) {
    out.people.push(name);
    return;
  }
  if (n >= 3 && LAW_TAILS.has(last) && isNameWord(words[0]!, words[n - 2]!) && !words.some((w) => lex(w) === "place" || lex(w) === "org")) {
    // "Laken Riley Act": a law named after a person (the caller keeps the person's name).
    out.people.push(name);
    return;
  }
  if (n >= 2 && RULER_TITLES.has(first)) {
    out.people.push(name);
    return;
  }
  if (n > 1 && ORG_TAILS.has(last)) {
    out.organizations.push(name);
    return;
  }
  const of = words.indexOf("of");
  if (of > 0 && of < n - 1 && ORG_HEADS.has(words[of - 1]!)) {
    out.organizations.push(name);
    return;
  }
  if (n > 1 && PLACE_TAILS.has(last)) {
    out.places.push(name);
    return;
  }
  const particle = words.findIndex((w) => PARTICLES.has(w));
  if (particle > 0 && particle < n - 1 && n <= 4) {
    // "Staffan de Mistura": a name particle inside a person's name.
    if (!words.some((w) => lex(w) === "place" || lex(w) === "org")) out.people.push(name);
    return;
  }
  if (n > 4) return;
  const firstTag = lex(first);
  const lastTag = lex(last);
  if (titled && n <= 3 && !words.some((w) => ORG_TAILS.has(w) || ORG_HEADS.has(w) || HONORIFICS.has(w))) {
    out.people.push(name);
    return;
  }
  if (n >= 2 && (firstTag === "first" || firstTag === "person" || isInitial(first)) && lastTag !== "org" && n <= 3) {
    out.people.push(name);
    return;
  }
  if (n >= 2 && lastTag === "last" && firstTag !== "place" && firstTag !== "org") {
    out.people.push(name);
    return;
  }
  if (n === 1 && /^\p{Lu}{2,6}$/u.test(name) && whole === undefined) return;
}

/** One part of a run: leading honorifics and fillers removed, then classified. */
function namePart(words: string[], sentenceStart: boolean, out: EnglishNames): void {
  let titled = false;
  let dropped = false;
  // "Canadian Prime Minister Justin Trudeau", "Missouri Gov. Jay Nixon": the name follows the last honorific.
  for (let k = words.length - 2; k > 0; k--) {
    if (HONORIFICS.has(words[k]!.replace(/\.$/, "").split("-")[0]!)) {
      words.splice(0, k + 1);
      titled = true;
      dropped = true;
      break;
    }
  }
  while (words.length > 0) {
    const w = words[0]!;
    const bare = w.replace(/\.$/, "").split("-")[0]!;
    if (HONORIFICS.has(bare) && words.length > 1) titled = true;
    else if (!NOT_NAMES.has(bare) && !(QUALIFIERS.has(bare) && words.length > 1)) break;
    words.shift();
    dropped = true;
  }
  if (words.length === 0 || (words.length === 1 && HONORIFICS.has(words[0]!))) return;
  // Trailing periods end a sentence, except after an initial or an abbreviation ("U.S.").
  const tail = words.at(-1)!;
  if (tail.endsWith(".") && !/^(?:\p{Lu}\.)+$/u.test(tail)) words[words.length - 1] = tail.slice(0, -1);
  const atStart = sentenceStart && !dropped;
  if (atStart && words.length === 1) {
    // Alone at a sentence start only when the lexicon knows it as a place or organization.
    const tag = lex(words[0]!);
    if (tag === "place") out.places.push(words[0]!);
    else if (tag === "org") out.organizations.push(words[0]!);
    return;
  }
  classify(words, titled, atStart, out);
}

/** People, places and organizations named in English text, in the order first met. */
export function englishNames(text: string, starts: number[] | undefined = capitalStarts(text)): EnglishNames {
  const out: EnglishNames = { people: [], places: [], organizations: [] };
  // A headline in Title Case capitalizes every word: there only names the lexicon knows count.
  const firstLine = text.indexOf("\n");
  const headline = firstLine > 0 ? text.slice(0, firstLine) : "";
  const headlineWords = headline.split(/\s+/).filter((w) => /^\p{L}/u.test(w));
  const titleCase = headlineWords.length >= 4 && headlineWords.filter((w) => /^\p{Lu}/u.test(w)).length >= headlineWords.length * 0.6;
  for (const m of matchesAtCapitals(text, starts, RUN_AT, RUN, true)) {
    if (titleCase && m.index < firstLine) {
      const all = m[0].split(/[ \u00a0]+/).map((w) => w.replace(/-$/, ""));
      for (const w of all) {
        const word = w.replace(/\.$/, "").replace(/[\u2019']s$/u, "");
        const tag = lex(word);
        if (tag === "place") out.places.push(word);
        else if (tag === "org") out.organizations.push(word);
      }
      continue;
    }
    // A sentence's first word is capitalized whatever it is.
    const names = runNames(m[0], opensSentence(text, m.index, SENTENCE_OPENERS_EN));
    for (const name of names.people) out.people.push(name);
    for (const name of names.places) out.places.push(name);
    for (const name of names.organizations) out.organizations.push(name);
  }
  return out;
}

const SENTENCE_OPENERS_EN = '.!?:"“(';

/**
 * Whether a capitalized word at index opens a sentence: at the start of the
 * text, or after one of `openers` or a line break with only whitespace (\s)
 * between, looking back at most three characters.
 */
export function opensSentence(text: string, index: number, openers: string): boolean {
  if (index === 0) return true;
  for (let j = index - 1; j >= 0 && j >= index - 3; j--) {
    const c = text.charCodeAt(j);
    if (c === 0x0a) return true;
    if (isWhiteSpaceCode(c)) continue;
    return openers.includes(text.charAt(j));
  }
  return false;
}

/**
 * The names one capitalized run yields, by the run's text and whether it
 * opens a sentence: a pure function of the two, cached (news repeats the same
 * names and sentence openers item after item). The cache is bounded and
 * only saves work; results never depend on it.
 */
const runCache = [new Map<string, EnglishNames>(), new Map<string, EnglishNames>()];
const RUN_CACHE_LIMIT = 10_000;

function runNames(match: string, startsSentence: boolean): EnglishNames {
  // One map per sentence-start flag, keyed by the run itself (no key string built per lookup).
  const cache = runCache[startsSentence ? 1 : 0]!;
  const cached = cache.get(match);
  if (cached !== undefined) return cached;
  const out: EnglishNames = { people: [], places: [], organizations: [] };
  const all = match.split(/[ \u00a0]+/).map((w) => w.replace(/-$/, ""));
  let sentenceStart = startsSentence;
  // A word ending in a period ends a sentence, unless it is an initial or an abbreviation ("U.S.", "Sen.").
  let from = 0;
  for (let k = 0; k <= all.length; k++) {
    const w = all[k];
    const ends = w === undefined || (w.endsWith(".") && k < all.length - 1 && !/^(?:\p{Lu}\.)+$/u.test(w) && !ABBREVIATIONS.has(w.slice(0, -1)));
    if (!ends) continue;
    const words = all.slice(from, k + (w === undefined ? 0 : 1));
    if (w !== undefined) words[words.length - 1] = w.slice(0, -1);
    run(words, sentenceStart, out);
    from = k + 1;
    sentenceStart = true;
  }
  const result: EnglishNames = { people: out.people.map(detached), places: out.places.map(detached), organizations: out.organizations.map(detached) };
  if (cache.size >= RUN_CACHE_LIMIT) cache.clear();
  cache.set(detached(match), result);
  return result;
}

/** Abbreviations that end in a period inside a name ("Sen. Jane Doe", "St. Louis"). */
const ABBREVIATIONS = new Set("Mr Mrs Ms Dr Sen Rep Gov Gen Col Lt Sgt Capt Prof Rev St Mt Jr Sr Inc Corp Co Ltd".split(" "));

/** One sentence's part of a capitalized run. */
function run(words: string[], sentenceStart: boolean, out: EnglishNames): void {
  // Split at connectors unless an "X of Y" name holds them ("Department of Justice").
  const parts: string[][] = [];
  let part: string[] = [];
  for (const raw of words) {
    // A possessive ends a name: "the BBC's Jonathan Head".
    const possessive = /[\u2019']s$/u.test(raw);
    const w = possessive ? raw.slice(0, -2) : raw;
    if (possessive) {
      part.push(w);
      parts.push(part);
      part = [];
    } else if (NOT_NAMES.has(w) && part.length > 0) {
      // "Robert Scoble The Gmail app": a capitalized filler word starts something else.
      parts.push(part);
      part = [w];
    } else if (SEPARATORS.has(w) && !(part.length > 0 && (ORG_HEADS.has(part.at(-1)!) || part.includes("of")) && (w === "of" || w === "for" || w === "the"))) {
      if (part.length > 0) parts.push(part);
      part = [];
    } else part.push(w);
  }
  if (part.length > 0) parts.push(part);
  for (let p = 0; p < parts.length; p++) namePart(parts[p]!, p === 0 && sentenceStart, out);
}
