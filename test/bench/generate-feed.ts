// Seeded generator of realistic news feeds for the benchmarks: RSS 2.0 and
// Atom 1.0, English and Spanish wire stories on varied topics, 3–5 KB HTML
// bodies with datelines, captions, CDATA, named and numeric entities,
// enclosures and media:content. Same seed → same bytes.

import { seededRandom } from "../helpers/seeded-random.js";
export type FeedFormat = "rss" | "atom";

export interface GenerateOptions {
  format: FeedFormat;
  items: number;
  seed: number;
  /** Used in links and ids so several generated sources never collide. */
  sourceKey?: string;
}

type Lang = "en" | "es";

interface TopicWords {
  subjects: string[];
  actions: string[];
  objects: string[];
  details: string[];
  headlines: string[];
}

// Word lists per topic and language. The tagger should find work in most stories
// (immigration, borders, military, elections…) and nothing in some (weather, filler).
const WORDS: Record<Lang, Record<string, TopicWords>> = {
  en: {
    immigration: {
      subjects: [
        "Immigration officials",
        "Federal agents",
        "Advocates for migrants",
        "The Department of Homeland Security",
        "Lawyers for undocumented workers",
        "ICE",
      ],
      actions: [
        "announced new rules on",
        "stepped up deportations of",
        "detained dozens of",
        "challenged the policy on",
        "processed thousands of visa applications from",
      ],
      objects: ["asylum seekers", "undocumented immigrants", "migrant families", "green card holders", "seasonal workers on temporary visas"],
      details: [
        "The measure affects residency permits issued since 2019.",
        "Deportation flights resumed on Monday.",
        "Immigration and Customs Enforcement declined to comment.",
      ],
      headlines: [
        "Deportations rise as new immigration rules take effect",
        "Migrant families wait months for asylum hearings",
        "Visa backlog leaves immigrants in limbo",
      ],
    },
    border: {
      subjects: [
        "Border Patrol agents",
        "Customs and Border Protection",
        "The governor",
        "Troops deployed to the southern border",
        "Residents of border towns",
      ],
      actions: ["reported record crossings at", "reinforced the border wall near", "closed two ports of entry along", "inspected trucks at"],
      objects: ["the border with Mexico", "the southern border", "a busy border crossing", "the national border"],
      details: [
        "CBP said the closure would last at least a week.",
        "The border wall section cost 20 million dollars per mile.",
        "Security at the crossing was tightened overnight.",
      ],
      headlines: ["Border crossings climb as patrols are reinforced", "Governor sends troops to the southern border", "Ports of entry closed after clashes"],
    },
    military: {
      subjects: ["The Pentagon", "Defence ministers", "NATO commanders", "The army", "Navy officials", "Armed forces"],
      actions: [
        "deployed troops to",
        "launched air strikes against",
        "held joint military exercises with",
        "signed a defence agreement with",
        "withdrew soldiers from",
      ],
      objects: ["the eastern flank", "a naval base in the Pacific", "rebel positions", "allied forces", "the disputed region"],
      details: [
        "The military operation involved 3,000 soldiers and 40 aircraft.",
        "Officials said the missile was intercepted.",
        "The defence budget rises by 7 percent.",
      ],
      headlines: ["Troops deployed as military tensions rise", "Air strikes hit rebel positions overnight", "NATO holds largest exercise in decades"],
    },
    elections: {
      subjects: ["Voters", "The electoral commission", "Opposition candidates", "The ruling party", "Election observers"],
      actions: ["went to the polls in", "disputed the results of", "campaigned across", "counted ballots from", "called for a recount in"],
      objects: ["the presidential election", "the parliamentary vote", "the runoff", "key swing districts", "the referendum"],
      details: [
        "Turnout reached 64 percent, the highest in two decades.",
        "Polls close at 8 p.m. local time.",
        "The candidate conceded defeat late on Sunday.",
      ],
      headlines: [
        "Voters head to the polls in tight presidential election",
        "Opposition disputes election results",
        "Runoff set after no candidate wins majority",
      ],
    },
    economy: {
      subjects: ["The central bank", "Economists", "The finance ministry", "Investors", "Exporters"],
      actions: ["raised interest rates to curb", "warned of slowing", "cut its forecast for", "reacted to higher", "reported strong growth in"],
      objects: ["inflation", "economic growth", "unemployment", "trade tariffs", "the stock market", "gross domestic product"],
      details: [
        "Inflation eased to 3.2 percent in October.",
        "The economy grew 0.4 percent in the third quarter.",
        "Markets fell 2 percent after the announcement.",
      ],
      headlines: ["Central bank raises rates as inflation persists", "Economy slows as exports fall", "Markets tumble on tariff fears"],
    },
    sport: {
      subjects: ["The national team", "The coach", "Fans", "The striker", "Olympic athletes"],
      actions: ["won the championship against", "qualified for", "lost the final to", "celebrated a record in", "prepared for"],
      objects: ["the World Cup", "the league title", "the Olympic Games", "the baseball series", "the tournament"],
      details: ["The match ended 2-1 after extra time.", "The stadium was sold out for the final.", "She set a new world record in the 400 metres."],
      headlines: ["National team wins championship in dramatic final", "Striker scores twice as team qualifies for World Cup", "Olympic athletes set records"],
    },
    culture: {
      subjects: ["The festival", "The museum", "Filmmakers", "The orchestra", "Writers"],
      actions: ["opened an exhibition on", "premiered a film about", "celebrated the anniversary of", "honoured", "brought music to"],
      objects: ["contemporary art", "the history of jazz", "a beloved novelist", "the national ballet", "the book fair"],
      details: ["The exhibition runs until March.", "Tickets sold out within hours.", "The film won the jury prize at the festival."],
      headlines: ["Film festival opens with premiere", "Museum celebrates anniversary with new exhibition", "Book fair draws record crowds"],
    },
    health: {
      subjects: ["Health authorities", "Doctors", "The World Health Organization", "Hospitals", "Researchers"],
      actions: ["launched a vaccination campaign against", "reported an outbreak of", "warned about", "developed a treatment for"],
      objects: ["dengue", "measles", "the flu season", "a new virus variant", "cholera"],
      details: ["The vaccine is free for children under five.", "Hospitals reported 1,200 new cases this week.", "The epidemic has spread to three provinces."],
      headlines: ["Vaccination campaign launched as outbreak spreads", "Hospitals overwhelmed by flu season", "New treatment shows promise"],
    },
    weather: {
      subjects: ["Forecasters", "Local authorities", "Farmers", "Residents"],
      actions: ["expect sunny skies over", "prepared for rain in", "enjoyed mild temperatures across", "reported light winds along"],
      objects: ["the weekend", "the coast", "the northern valleys", "the capital"],
      details: ["Temperatures will reach 24 degrees.", "A light breeze is expected in the afternoon.", "Skies clear by Thursday."],
      headlines: ["Mild weekend ahead", "Sunny skies return to the capital", "Light rain expected on the coast"],
    },
  },
  es: {
    immigration: {
      subjects: [
        "Las autoridades migratorias",
        "Los agentes federales",
        "Los defensores de los migrantes",
        "El gobierno",
        "Abogados de inmigrantes indocumentados",
      ],
      actions: ["anunciaron nuevas reglas sobre", "aumentaron las deportaciones de", "detuvieron a decenas de", "denunciaron la política hacia"],
      objects: ["los solicitantes de asilo", "los inmigrantes indocumentados", "las familias migrantes", "los trabajadores con visado temporal"],
      details: [
        "La medida afecta los permisos de residencia.",
        "Los vuelos de deportación se reanudaron el lunes.",
        "La política migratoria fue criticada por la ONU.",
      ],
      headlines: [
        "Aumentan las deportaciones con las nuevas reglas migratorias",
        "Familias migrantes esperan meses por el asilo",
        "Inmigrantes indocumentados en el limbo",
      ],
    },
    border: {
      subjects: [
        "La patrulla fronteriza",
        "Las autoridades aduaneras",
        "El gobernador",
        "Los soldados desplegados en la frontera",
        "Los vecinos de las ciudades fronterizas",
      ],
      actions: ["reforzaron el muro fronterizo en", "cerraron el paso fronterizo de", "inspeccionaron camiones en", "vigilaron"],
      objects: ["la frontera con México", "la frontera sur", "el paso fronterizo", "la zona fronteriza"],
      details: [
        "El cierre durará al menos una semana.",
        "La seguridad en la frontera se reforzó durante la noche.",
        "Miles de personas cruzan la frontera cada día.",
      ],
      headlines: ["Se refuerza la vigilancia en la frontera sur", "Cierran paso fronterizo tras enfrentamientos", "Récord de cruces en la frontera"],
    },
    military: {
      subjects: ["El Pentágono", "Los ministros de defensa", "Las fuerzas armadas", "El ejército", "La marina"],
      actions: ["desplegaron tropas en", "lanzaron ataques aéreos contra", "realizaron maniobras militares con", "firmaron un acuerdo de defensa con"],
      objects: ["la región en disputa", "una base naval", "las posiciones rebeldes", "las fuerzas aliadas"],
      details: [
        "La operación militar involucró a 3.000 soldados.",
        "El misil fue interceptado, según fuentes oficiales.",
        "El presupuesto de defensa aumenta un 7 por ciento.",
      ],
      headlines: ["Despliegan tropas ante la tensión militar", "Ataques aéreos contra posiciones rebeldes", "Maniobras militares conjuntas en el Caribe"],
    },
    elections: {
      subjects: ["Los votantes", "La comisión electoral", "Los candidatos de la oposición", "El partido gobernante", "Los observadores electorales"],
      actions: ["acudieron a las urnas en", "impugnaron los resultados de", "hicieron campaña para", "contaron los votos de"],
      objects: ["las elecciones presidenciales", "los comicios legislativos", "la segunda vuelta", "el referendo"],
      details: ["La participación electoral alcanzó el 64 por ciento.", "Las urnas cierran a las 8 de la noche.", "El candidato reconoció su derrota."],
      headlines: ["Los votantes acuden a las urnas en reñidas elecciones", "La oposición impugna los resultados electorales", "Habrá segunda vuelta"],
    },
    economy: {
      subjects: ["El banco central", "Los economistas", "El ministerio de finanzas", "Los inversionistas", "Los exportadores"],
      actions: ["subió las tasas de interés para frenar", "advirtieron sobre", "recortó su pronóstico de", "reaccionaron ante"],
      objects: ["la inflación", "el crecimiento económico", "el desempleo", "los aranceles", "el producto interno bruto"],
      details: ["La inflación bajó al 3,2 por ciento en octubre.", "La economía creció un 0,4 por ciento.", "Las bolsas cayeron un 2 por ciento."],
      headlines: ["El banco central sube las tasas ante la inflación", "La economía se desacelera", "Caen las bolsas por temor a los aranceles"],
    },
    sport: {
      subjects: ["La selección nacional", "El entrenador", "Los aficionados", "El delantero", "Los atletas olímpicos"],
      actions: ["ganó el campeonato ante", "se clasificó para", "perdió la final contra", "celebró un récord en"],
      objects: ["el Mundial", "la liga", "los Juegos Olímpicos", "la serie nacional de béisbol", "el torneo"],
      details: ["El partido terminó 2-1 en la prórroga.", "El estadio se llenó para la final.", "Estableció un nuevo récord mundial."],
      headlines: ["La selección gana el campeonato en una final dramática", "El delantero marca dos goles", "Récords en los Juegos"],
    },
    culture: {
      subjects: ["El festival", "El museo", "Los cineastas", "La orquesta", "Los escritores"],
      actions: ["inauguró una exposición sobre", "estrenó una película sobre", "celebró el aniversario de", "homenajeó a"],
      objects: ["el arte contemporáneo", "la historia del son", "un querido novelista", "el ballet nacional", "la feria del libro"],
      details: ["La exposición estará abierta hasta marzo.", "Las entradas se agotaron en horas.", "La película ganó el premio del jurado."],
      headlines: ["Abre el festival de cine con un estreno", "El museo celebra su aniversario", "La feria del libro bate récords"],
    },
    health: {
      subjects: ["Las autoridades sanitarias", "Los médicos", "La Organización Mundial de la Salud", "Los hospitales", "Los investigadores"],
      actions: ["lanzaron una campaña de vacunación contra", "reportaron un brote de", "advirtieron sobre", "desarrollaron un tratamiento contra"],
      objects: ["el dengue", "el sarampión", "la gripe", "una nueva variante del virus", "el cólera"],
      details: ["La vacuna es gratuita para los niños.", "Los hospitales reportaron 1.200 casos nuevos.", "La epidemia se extendió a tres provincias."],
      headlines: ["Campaña de vacunación ante el brote", "Hospitales saturados por la gripe", "Nuevo tratamiento prometedor"],
    },
    weather: {
      subjects: ["Los meteorólogos", "Las autoridades locales", "Los agricultores", "Los vecinos"],
      actions: ["esperan cielos despejados en", "se prepararon para lluvias en", "disfrutaron temperaturas suaves en"],
      objects: ["el fin de semana", "la costa", "los valles del norte", "la capital"],
      details: ["Las temperaturas llegarán a 24 grados.", "Se espera una brisa ligera por la tarde.", "El cielo se despeja el jueves."],
      headlines: ["Fin de semana templado", "Vuelve el sol a la capital", "Lluvias ligeras en la costa"],
    },
  },
};

const TOPICS = Object.keys(WORDS.en);
const CITIES: Record<Lang, string[]> = {
  en: ["Washington", "Havana", "Mexico City", "Brussels", "Geneva", "London", "Caracas", "Bogotá", "Kyiv", "Tokyo"],
  es: ["La Habana", "Ciudad de México", "Madrid", "Bogotá", "Caracas", "Buenos Aires", "Santiago", "Lima", "Quito", "Managua"],
};
const MONTHS: Record<Lang, string[]> = {
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  es: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
};
const AUTHORS = ["María Fernández", "John O'Neill", "Redacción Central", "Ana López & Pedro Ruiz", "Staff Writer", "José Martí Agency"];
const FILLER: Record<Lang, string[]> = {
  en: [
    "According to sources close to the talks, the decision had been expected for weeks.",
    "Critics said the plan did not go far enough, while supporters called it “a historic step”.",
    "The statement was published on the official website &amp; shared on social media.",
    "Analysts noted that similar measures had been tried before with mixed results.",
    "Local media reported that the meeting lasted more than four hours.",
    "“We will not give up,” said a spokesperson, adding that further steps would follow.",
  ],
  es: [
    "Según fuentes cercanas a las conversaciones, la decisión se esperaba desde hacía semanas.",
    "Los críticos dijeron que el plan no era suficiente, mientras sus partidarios lo llamaron «un paso histórico».",
    "El comunicado fue publicado en el sitio oficial &amp; difundido en las redes sociales.",
    "Los analistas señalaron que medidas similares se habían intentado antes con resultados dispares.",
    "Medios locales informaron que la reunión duró más de cuatro horas.",
    "«No vamos a rendirnos», dijo un portavoz, y añadió que habrá más pasos.",
  ],
};

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Story {
  lang: Lang;
  topic: string;
  title: string;
  html: string;
  summary: string;
  author: string;
  date: Date;
  link: string;
  guid: string;
  image: string;
  /** Half the stories say their language; the others leave it to detection (the feed is mixed). */
  declareLanguage: boolean;
}

function sentence(r: () => number, w: TopicWords): string {
  return `${pick(r, w.subjects)} ${pick(r, w.actions)} ${pick(r, w.objects)}.`;
}

/** One story of 3–5 KB of HTML: dateline, photo caption, paragraphs, entities, a source line. */
function story(r: () => number, index: number, key: string, baseTime: number): Story {
  const lang: Lang = r() < 0.6 ? "en" : "es";
  // Mostly one topic, sometimes two (a border story that is also about the military).
  const topic = pick(r, TOPICS);
  const second = r() < 0.3 ? pick(r, TOPICS) : topic;
  const w = WORDS[lang][topic]!;
  const w2 = WORDS[lang][second]!;
  const date = new Date(baseTime - index * 7 * 60_000 - Math.floor(r() * 60_000));
  const city = pick(r, CITIES[lang]);
  const dateline =
    lang === "en"
      ? `${city}, ${MONTHS.en[date.getUTCMonth()]} ${date.getUTCDate()} (RHC)--`
      : `${city}, ${date.getUTCDate()} de ${MONTHS.es[date.getUTCMonth()]} (RHC)--`;
  const target = 3000 + Math.floor(r() * 2000);
  const image = `https://media.example.net/${key}/photo-${index}.jpg`;
  const parts: string[] = [];
  parts.push(
    `<p><img src="${image}" alt="${escapeXml(pick(r, w.headlines))}" width="640" height="360" /><br /><em>${lang === "en" ? "Photo" : "Foto"}: ${pick(r, AUTHORS).replace(/&/g, "&amp;")}/Archivo</em></p>`,
  );
  parts.push(`<p>${dateline} ${sentence(r, w)} ${pick(r, w.details)}</p>`);
  let size = parts.join("").length;
  while (size < target) {
    const n = 2 + Math.floor(r() * 3);
    const ss: string[] = [];
    for (let i = 0; i < n; i++) {
      const roll = r();
      if (roll < 0.45) ss.push(sentence(r, r() < 0.7 ? w : w2));
      else if (roll < 0.7) ss.push(pick(r, (r() < 0.7 ? w : w2).details));
      else ss.push(pick(r, FILLER[lang]));
    }
    let p = ss.join(" ");
    if (r() < 0.2) p = p.replace(/ ([a-z]{6,})/, ' <a href="https://example.org/ref?utm_source=rss&amp;utm_medium=feed&amp;id=$1">$1</a>');
    if (r() < 0.15) p = `<strong>${p}</strong>`;
    if (r() < 0.1) p += " &#8212; &eacute;&nbsp;&copy; 2026";
    const para = `<p>${p}</p>`;
    parts.push(para);
    size += para.length;
  }
  parts.push(`<p><a href="https://www.radiohc.cu/${lang}/noticias/${index}">https://www.radiohc.cu/${lang}/noticias/${index}</a></p>`);
  parts.push("<p>Radio Habana Cuba</p>");
  const title = pick(r, w.headlines);
  const summary = `${sentence(r, w)} ${pick(r, w.details)}`;
  const slug = `${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${index}`;
  const link = `https://news.example.com/${key}/${lang}/${slug}?utm_source=rss&utm_campaign=feed`;
  return {
    lang,
    topic,
    title: r() < 0.2 ? `${title} &amp; more` : title,
    html: parts.join("\n"),
    summary,
    author: pick(r, AUTHORS),
    date,
    link,
    guid: `https://news.example.com/${key}/item/${index}`,
    image,
    declareLanguage: index % 2 === 0,
  };
}

// A fixed clock so the same seed always gives the same bytes.
const BASE_TIME = Date.UTC(2026, 10, 20, 12, 0, 0);

function rssItem(s: Story): string {
  // Half the items carry the body in CDATA, the other half entity-escaped, as real feeds do.
  const content = s.html.includes("]]>") ? escapeXml(s.html) : `<![CDATA[${s.html}]]>`;
  return `  <item>
    <title>${s.title}</title>
    <link>${escapeXml(s.link)}</link>
    <guid isPermaLink="false">${s.guid}</guid>
    <pubDate>${s.date.toUTCString()}</pubDate>
    <dc:creator><![CDATA[${s.author}]]></dc:creator>${s.declareLanguage ? `\n    <dc:language>${s.lang}</dc:language>` : ""}
    <category domain="https://news.example.com/sections">${s.topic}</category>
    <category>${s.lang === "en" ? "World" : "Mundo"}</category>
    <description>${escapeXml(`<p>${s.summary}</p>`)}</description>
    <content:encoded>${content}</content:encoded>
    <enclosure url="${s.image}" length="123456" type="image/jpeg" />
    <media:content url="${s.image}" medium="image" type="image/jpeg" width="640" height="360" />
  </item>
`;
}

function atomEntry(s: Story): string {
  return `  <entry${s.declareLanguage ? ` xml:lang="${s.lang}"` : ""}>
    <title type="html">${escapeXml(s.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(s.link)}"/>
    <link rel="enclosure" type="image/jpeg" length="123456" href="${s.image}"/>
    <id>${s.guid}</id>
    <published>${s.date.toISOString()}</published>
    <updated>${s.date.toISOString()}</updated>
    <author><name>${escapeXml(s.author)}</name></author>
    <category term="${s.topic}" scheme="https://news.example.com/sections" label="${s.topic}"/>
    <summary type="html">${escapeXml(`<p>${s.summary}</p>`)}</summary>
    <content type="html">${escapeXml(s.html)}</content>
  </entry>
`;
}

/** A whole feed document as UTF-8 bytes. */
export function generateFeed(options: GenerateOptions): Buffer {
  const r = seededRandom(options.seed);
  const key = options.sourceKey ?? `s${options.seed}`;
  const parts: string[] = [];
  if (options.format === "rss") {
    parts.push(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Generated News ${key}</title>
  <link>https://news.example.com/${key}/</link>
  <atom:link href="https://news.example.com/${key}/rss" rel="self" type="application/rss+xml"/>
  <description>Wire stories in English and Spanish</description>
  <ttl>15</ttl>
`);
    for (let i = 0; i < options.items; i++) parts.push(rssItem(story(r, i, key, BASE_TIME)));
    parts.push("</channel>\n</rss>\n");
  } else {
    parts.push(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Generated News ${key}</title>
  <id>https://news.example.com/${key}/</id>
  <link rel="alternate" href="https://news.example.com/${key}/"/>
  <link rel="self" href="https://news.example.com/${key}/atom"/>
  <updated>${new Date(BASE_TIME).toISOString()}</updated>
`);
    for (let i = 0; i < options.items; i++) parts.push(atomEntry(story(r, i, key, BASE_TIME)));
    parts.push("</feed>\n");
  }
  return Buffer.from(parts.join(""), "utf8");
}
