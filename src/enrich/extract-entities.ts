import type { Entity, EntityKind } from "../model/index.js";
import { englishNames, opensSentence } from "./english-names.js";
import { cachedByText, capitalStarts, detached, firstPairs, matchesAtCapitals } from "./tokenize.js";

export interface EntityOptions {
  /** Characters of body text read (entity extraction costs time; the lead holds most names). */
  maxBodyChars: number;
}

export const DEFAULT_ENTITY_OPTIONS: EntityOptions = { maxBodyChars: 4000 };

/**
 * Institutions and agencies named in news that taggers miss or misfile
 * (compromise reads "House of Representatives" as a place). Matched as
 * whole words, case-sensitive: "ICE" the agency, not "ice".
 */
const ORGANIZATIONS = [
  "House of Representatives",
  "House of Commons",
  "House of Lords",
  "Senate",
  "Congress",
  "White House",
  "Pentagon",
  "Kremlin",
  "Supreme Court",
  "National Guard",
  "Department of Defense",
  "Department of Homeland Security",
  "Department of Justice",
  "Justice Department",
  "State Department",
  "Customs and Border Protection",
  "Immigration and Customs Enforcement",
  "Border Patrol",
  "ICE",
  "CBP",
  "FBI",
  "CIA",
  "NSA",
  "NASA",
  "NATO",
  "UN",
  "United Nations",
  "UNHCR",
  "European Union",
  "EU",
  "WHO",
  "World Health Organization",
  "IMF",
  "World Bank",
  "WTO",
  "OPEC",
  "Red Cross",
  "Amnesty International",
  "Human Rights Watch",
  "Doctors Without Borders",
  "ONU",
  "OTAN",
  "Unión Europea",
  "Naciones Unidas",
  "Congreso",
  "Senado",
  "Gobierno",
  "Generalitat",
  "Govern",
  "Parlament",
  "Mossos d'Esquadra",
  "Guardia Civil",
  "Policía Nacional",
  "Tribunal Supremo",
  "Audiencia Nacional",
  "Banco de México",
  "Banco de España",
];

/** Words that start an organization's name in Spanish ("Ministerio de Sanidad"). */
const ES_ORG_HEADS = new Set(
  "Ministerio Secretaría Partido Universidad Tribunal Corte Congreso Senado Banco Comisión Instituto Policía Ejército Asamblea Fiscalía Ayuntamiento Consejo Agencia Fundación Asociación Federación Sindicato Comité Junta Gobierno Parlamento Fuerza Guardia Cámara Servicio Organización Oficina Dirección Departamento Hospital Club Empresa Grupo".split(
    " ",
  ),
);

/** Places in Spanish text (and their English names): countries, regions and large cities. */
const PLACES = new Set(
  `México Mexico Estados Unidos EE.UU. EEUU España Spain Francia France Alemania Germany Italia Italy Portugal Reino Unido Inglaterra Londres London
  París Paris Berlín Berlin Roma Rome Madrid Barcelona Cataluña Catalunya Catalonia Valencia Sevilla Bilbao Girona Tarragona Lleida Andalucía Galicia
  Colombia Bogotá Medellín Cali Venezuela Caracas Argentina Buenos Aires Chile Santiago Perú Lima Bolivia Ecuador Quito Uruguay Montevideo Paraguay
  Brasil Brazil Cuba La Habana Havana Guatemala Honduras El Salvador Nicaragua Costa Rica Panamá Puerto Rico República Dominicana Haití Haiti
  Canadá Canada China Pekín Beijing Japón Japan Rusia Russia Moscú Moscow India Pakistán Afganistán Irak Iraq Irán Iran Siria Syria Israel Palestina
  Gaza Turquía Turkey Egipto Egypt Marruecos Morocco Libia Ucrania Ukraine Venezuela Corea del Norte Corea del Sur Europa Europe América Latina
  Latinoamérica Centroamérica África Africa Asia Oriente Medio Washington Nueva York New York Los Ángeles Los Angeles Texas California Florida Arizona
  Tijuana Ciudad de México Monterrey Guadalajara Ciudad Juárez Chihuahua Sonora Oaxaca Chiapas Veracruz Jalisco Michoacán Guerrero Tamaulipas`
    .split(/\s{2,}|\n/)
    .flatMap((line) => line.trim().split(" "))
    .filter(Boolean),
);
/** Multi-word places, matched as phrases. */
const MULTIWORD_PLACES = [
  "Estados Unidos",
  "Reino Unido",
  "Buenos Aires",
  "La Habana",
  "El Salvador",
  "Costa Rica",
  "Puerto Rico",
  "República Dominicana",
  "Corea del Norte",
  "Corea del Sur",
  "Oriente Medio",
  "América Latina",
  "Nueva York",
  "New York",
  "Los Ángeles",
  "Los Angeles",
  "Ciudad de México",
  "Ciudad Juárez",
];

/** Capitalized words that are not names: weekdays, months, titles, sentence openers (English and Spanish). */
const STOP = new Set(
  `Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December
  US U.S. USA UK Mr Mrs Ms Dr President Secretary Senator Governor Minister Prime Press Sen Rep Gen Judge Officials Members The A An This That These Those It He She They We I
  In On At Of For And But Or If When While After Before As By From With Without To Still Studies Shortly According However Also
  Lunes Martes Miércoles Jueves Viernes Sábado Domingo Enero Febrero Marzo Abril Mayo Junio Julio Agosto Septiembre Octubre Noviembre Diciembre
  El La Los Las Un Una Unos Unas Este Esta Estos Estas Ese Esa Eso En Con Por Para Según Sin Sobre Tras Desde Hasta Pero Aunque Cuando Como Además
  Así También Ya No Sí Se Su Sus Al Del Lo Le Les Nos Mientras Durante Entre Hoy Ayer Mañana Señor Señora Presidente Presidenta Ministro Ministra`
    .split(/\s+/)
    .filter(Boolean),
);

/** Job titles that follow "said" without a name ("said Managing Director …"). */
const ROLES = new Set("Managing Director Chief Executive Officer Spokesman Spokeswoman Spokesperson Chairman Chairwoman Founder".split(" "));

const TITLES =
  /^(?:(?:U\.S\.|US|Former|former|Vice|Acting|Deputy|Chief|White House|Press|President|Secretary|Senator|Sen\.|Rep\.|Governor|Gov\.|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Judge|Minister|Prime Minister|General|Gen\.|Professor|Prof\.|Sir|Dame|Reverend|Rev\.|Mayor|Ambassador)\s+)+/;

// US states compromise files as first names ("Virginia", "Georgia" is a place
// already): alone, in news, they are the state.
const STATES_NAMED_LIKE_PEOPLE = new Set(["Virginia", "Carolina", "Dakota", "Indiana", "Montana", "Nevada", "Florida", "Maryland", "Louisiana"]);

function clean(name: string): string {
  return name
    .replace(/[\u2019']s$/u, "")
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.]+$/gu, "")
    .replace(/\.$/, (m) => (/\b\p{Lu}\.\p{Lu}\.$/u.test(name) ? m : ""))
    .replace(/\s+/g, " ")
    .trim();
}

/** A name is plausible when every word is capitalized (connectors aside) and it is not a stopword. */
function plausible(name: string): boolean {
  if (name.length < 2 || STOP.has(name) || /[/@#]/.test(name)) return false;
  const words = name.split(" ");
  for (const w of words) {
    if (/^(?:of|the|and|de|del|la|las|los|y|d'|van|von|da)$/u.test(w)) continue;
    if (!/^[\p{Lu}\p{N}]/u.test(w)) return false;
  }
  if (words.every((w) => STOP.has(w))) return false;
  return true;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The gazetteers as one alternation each (longest names first, so "House of
 * Representatives" wins over a shorter overlapping name): one regex pass over
 * the text instead of one regex per name.
 */
function alternation(names: string[], flags: string): RegExp {
  const sorted = [...names].sort((a, b) => b.length - a.length);
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${sorted.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}])`, flags);
}
const ORG_RE = alternation(ORGANIZATIONS, "gu");
const ORG_AT = alternation(ORGANIZATIONS, "uy");
const PLACE_RE = alternation(MULTIWORD_PLACES, "gu");
const PLACE_AT = alternation(MULTIWORD_PLACES, "uy");
/** Every gazetteer name starts with a capital: matchesAtCapitals may look for them only there. */
const CAPITALIZED = [...ORGANIZATIONS, ...MULTIWORD_PLACES].every((name) => /^\p{Lu}/u.test(name));
const ORG_PAIRS = firstPairs(ORGANIZATIONS);
const PLACE_PAIRS = firstPairs(MULTIWORD_PLACES);
/** Gazetteer names present in the text (every occurrence checked, so overlaps do not hide a name). */
function gazetteerHits(re: RegExp, at: RegExp, pairs: Uint8Array, names: string[], text: string, starts: number[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const m of CAPITALIZED ? matchesAtCapitals(text, starts, at, re, false, pairs) : text.matchAll(re)) out.add(m[0]);
  // A shorter name inside a longer one ("Senate" is not inside any, but "UN" in "UNHCR" is excluded by the word boundary).
  if (out.size > 0)
    for (const name of names)
      if (!out.has(name) && [...out].some((o) => o.includes(name)))
        if (new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, "u").test(text)) out.add(name);
  return out;
}

const CAPITALIZED_RUN = /(?<![\p{L}\p{N}])\p{Lu}[\p{L}'’-]*(?:\s+(?:(?:de|del|la|las|los|y)\s+)?\p{Lu}[\p{L}'’-]*)*/gu;
const CAPITALIZED_RUN_AT = new RegExp(CAPITALIZED_RUN.source, "uy");

/** Runs of capitalized words (with connectors), not at the start of a sentence unless longer than one word. */
function capitalizedPhrases(text: string, starts: number[] | undefined): string[] {
  const out: string[] = [];
  for (const m of matchesAtCapitals(text, starts, CAPITALIZED_RUN_AT, CAPITALIZED_RUN, false)) {
    const phrase = phraseOfRun(m[0]);
    if (!phrase.includes(" ") && opensSentence(text, m.index, '.!?:"“')) continue;
    out.push(phrase);
  }
  return out;
}

/** The name a capitalized run holds: cleaned, without the capitalized article or connector that opens it. */
const phraseOfRun = cachedByText((run: string): string => {
  let phrase = clean(run);
  // "El Gobierno de México": a capitalized article opens the sentence, it is not part of the name.
  while (phrase.includes(" ") && STOP.has(phrase.split(" ")[0]!)) phrase = phrase.split(" ").slice(1).join(" ");
  if (phrase.includes(" ") && /^(?:de|del|la|las|los|y) /.test(phrase)) phrase = phrase.replace(/^\S+ /, "");
  return detached(phrase);
});

/** A Spanish phrase's parts around "de", "del" and "y" ("Guardia Civil de España"). */
const partsOf = cachedByText((phrase: string): string[] => phrase.split(/ (?:de|del|y) /).map(detached));

/** What a Spanish capitalized phrase names: a known place, an organization by its head word or acronym, or nothing. */
const spanishKind = cachedByText((phrase: string): EntityKind | undefined => {
  if (PLACES.has(phrase)) return "place";
  if (ES_ORG_HEADS.has(phrase.split(" ")[0]!) && phrase.includes(" ")) return "organization";
  if (/^\p{Lu}{2,6}$/u.test(phrase) && !STOP.has(phrase)) return "organization";
  return undefined;
});

/** The cleaned name, or undefined when it is not a plausible name. */
const plausibleName = cachedByText((raw: string): string | undefined => {
  const name = clean(raw);
  return plausible(name) ? detached(name) : undefined;
});

/**
 * People, places and organizations named in an entry: compromise for English
 * (its people/places/organizations), a gazetteer of institutions and places
 * and a capitalized-phrase heuristic with a stoplist for Spanish. Reads the
 * title and the first `maxBodyChars` of the body. Deduplicated: "Trump" folds
 * into "Donald Trump" when both appear.
 */
export function extractEntities(title: string, body: string, language: string | undefined, options: EntityOptions = DEFAULT_ENTITY_OPTIONS): Entity[] {
  // Joined, not concatenated: one sequential string, read by every scanner below without the
  // indirection of a concatenation (which `+` and template literals build).
  const text = [title, ".\n", body.length > options.maxBodyChars ? body.slice(0, options.maxBodyChars) : body].join("");
  const found = new Map<string, EntityKind>();
  // Where capitalized words start, found once for the gazetteers and the name scanners.
  const starts = capitalStarts(text);
  const add = (raw: string, kind: EntityKind) => {
    const name = plausibleName(raw);
    if (name === undefined) return;
    if (!found.has(name)) found.set(name, kind);
  };

  // Gazetteer order, as before: the first kind recorded for a name wins.
  const orgs = gazetteerHits(ORG_RE, ORG_AT, ORG_PAIRS, ORGANIZATIONS, text, starts);
  for (const name of ORGANIZATIONS) if (orgs.has(name)) add(name, "organization");
  const places = gazetteerHits(PLACE_RE, PLACE_AT, PLACE_PAIRS, MULTIWORD_PLACES, text, starts);
  for (const name of MULTIWORD_PLACES) if (places.has(name)) add(name, "place");

  if (language === undefined || language.startsWith("en")) {
    const names = englishNames(text, starts);
    for (const p of names.people) {
      // "Laken Riley Act": a law named after a person; the person is the name.
      const name = clean(p)
        .replace(TITLES, "")
        .replace(/\s+(?:Act|Bill|Law|Foundation|Center|Centre|Prize|Award)$/u, "");
      if (STATES_NAMED_LIKE_PEOPLE.has(name) || (PLACES.has(name) && !name.includes(" "))) add(name, "place");
      else if (name.split(" ").length <= 4) add(name, "person");
    }
    // Quoted speakers the lexicon does not know: "…," said Karoline Leavitt.
    for (const m of text.matchAll(/\b(?:said|says|told|according to)\s+(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\.)?\s+\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)\b/gu)) {
      // "said Professor Samuel Moyn": the two words caught are a title and a first name; the lexicon pass has the name.
      if (TITLES.test(m[1]!)) continue;
      if (!ORGANIZATIONS.includes(m[1]!) && !m[1]!.split(/\s+/).some((w) => STOP.has(w) || ROLES.has(w))) add(m[1]!, "person");
    }
    for (const p of names.places) add(clean(p).replace(/^the\s+/iu, ""), "place");
    for (const o of names.organizations) add(clean(o).replace(/^the\s+/iu, ""), "organization");
  } else {
    const phrases = capitalizedPhrases(text, starts);
    // Places inside longer names ("Guardia Civil de España") count too.
    for (const phrase of [...phrases]) for (const part of partsOf(phrase)) if (part !== phrase) phrases.push(part);
    for (const phrase of phrases) {
      const kind = spanishKind(phrase);
      if (kind !== undefined) add(phrase, kind);
    }
  }

  // A gazetteer organization wins over another kind for the same name ("House of Representatives" is not a place).
  const entities = [...found].map(([name, kind]) => ({ name, kind }));
  // Fold short forms into the longer name of the same kind: "Trump" → "Donald Trump", "Riley" → "Laken Riley",
  // and a person's lone first name into the full name ("Samuel" → "Samuel Moyn").
  const kept = entities.filter(
    (e) =>
      !entities.some(
        (o) =>
          o !== e &&
          o.kind === e.kind &&
          o.name.length > e.name.length &&
          ((o.name.endsWith(e.name) && o.name.split(" ").includes(e.name.split(" ").at(-1)!)) ||
            (e.kind === "person" && !e.name.includes(" ") && o.name.startsWith(`${e.name} `))),
      ),
  );
  // A place that is also a person's or organization's name part ("Washington" in "Washington Post") stays a place.
  const order: Record<EntityKind, number> = { person: 0, place: 1, organization: 2 };
  return kept.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

/**
 * Drops people named only as who took the picture or wrote the story: a photo
 * credit ("[Gregory Bull/AP Photo]") or a byline names the photographer or the
 * writer, not someone the story is about. A name the title or the text also
 * mentions elsewhere stays.
 */
export function withoutCreditedNames(entities: Entity[], title: string, body: string, credits: { photo?: string; authors: readonly string[] }): Entity[] {
  const photo = credits.photo?.trim() ?? "";
  const authors = credits.authors.filter((a) => a.trim() !== "");
  if (photo === "" && authors.length === 0) return entities;
  // Each time the caption's credit appears in the text, the names in it are the credit's, not the story's.
  const photoInBody = photo === "" ? 0 : occurrences(body, photo);
  return entities.filter((e) => {
    if (e.kind !== "person" || title.includes(e.name)) return true;
    const inPhotoCredit = photo === "" ? 0 : occurrences(photo, e.name);
    const isAuthor = authors.some((a) => a.includes(e.name));
    if (inPhotoCredit === 0 && !isAuthor) return true;
    // A byline inside the text ("By Maria Lopez") is one mention.
    const creditMentions = inPhotoCredit * photoInBody + (isAuthor ? 1 : 0);
    return occurrences(body, e.name) > creditMentions;
  });
}
