// Named zones that appear in real feeds (RFC 822 §5.1 plus common ones).
const ZONES: Record<string, string> = {
  UT: "+0000",
  UTC: "+0000",
  GMT: "+0000",
  Z: "+0000",
  EST: "-0500",
  EDT: "-0400",
  CST: "-0600",
  CDT: "-0500",
  MST: "-0700",
  MDT: "-0600",
  PST: "-0800",
  PDT: "-0700",
  AKST: "-0900",
  AKDT: "-0800",
  HST: "-1000",
  BST: "+0100",
  IST: "+0530",
  CET: "+0100",
  CEST: "+0200",
  MET: "+0100",
  MEST: "+0200",
  EET: "+0200",
  EEST: "+0300",
  WET: "+0000",
  WEST: "+0100",
  MSK: "+0300",
  JST: "+0900",
  KST: "+0900",
  AEST: "+1000",
  AEDT: "+1100",
  ACST: "+0930",
  AWST: "+0800",
  NZST: "+1200",
  NZDT: "+1300",
};

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  ene: 1,
  enero: 1,
  janv: 1,
  janvier: 1,
  januar: 1,
  feb: 2,
  february: 2,
  febrero: 2,
  fev: 2,
  fevr: 2,
  fevrier: 2,
  februar: 2,
  mar: 3,
  march: 3,
  marzo: 3,
  mars: 3,
  marz: 3,
  apr: 4,
  april: 4,
  abr: 4,
  abril: 4,
  avr: 4,
  avril: 4,
  may: 5,
  mayo: 5,
  mai: 5,
  jun: 6,
  june: 6,
  junio: 6,
  juin: 6,
  juni: 6,
  jul: 7,
  july: 7,
  julio: 7,
  juil: 7,
  juillet: 7,
  juli: 7,
  aug: 8,
  august: 8,
  ago: 8,
  agosto: 8,
  aou: 8,
  aout: 8,
  sep: 9,
  sept: 9,
  september: 9,
  septiembre: 9,
  setiembre: 9,
  set: 9,
  septembre: 9,
  oct: 10,
  october: 10,
  octubre: 10,
  octobre: 10,
  okt: 10,
  oktober: 10,
  nov: 11,
  november: 11,
  noviembre: 11,
  novembre: 11,
  dec: 12,
  december: 12,
  dic: 12,
  diciembre: 12,
  decembre: 12,
  dez: 12,
  dezember: 12,
};

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function zoneOffset(zone: string | undefined): string | undefined {
  if (zone === undefined || zone === "") return undefined;
  const upper = zone.toUpperCase();
  if (ZONES[upper] !== undefined) return ZONES[upper];
  const m = /^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$/.exec(upper);
  if (m) return `${m[1]}${pad(Number(m[2]))}${m[3] ?? "00"}`;
  return undefined;
}

function fullYear(y: number): number {
  if (y >= 100) return y;
  // RFC 2822 §4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx.
  return y < 50 ? 2000 + y : 1900 + y;
}

function build(year: number, month: number, day: number, h: number, mi: number, s: number, offset: string): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  const iso = `${pad(fullYear(year), 4)}-${pad(month)}-${pad(day)}T${pad(h)}:${pad(mi)}:${pad(Math.min(s, 59))}${offset.slice(0, 3)}:${offset.slice(3)}`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Parses RFC 822/2822, RFC 3339 and the variants feeds really send (named
 * zones, no zone, two-digit years, Spanish and French month names, Unix
 * timestamps). A date without a zone is taken as UTC. Returns undefined when
 * nothing sensible can be read.
 */
export function parseDate(input: string | undefined): Date | undefined {
  if (input === undefined) return undefined;
  const s = input.trim().replace(/\s+/g, " ");
  if (s === "") return undefined;

  // RFC 3339 / ISO 8601, also with a space for T and no zone.
  // Slashes and one-digit months/days ("2020/1/10 14:33:00") are read the same way.
  let m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?$/i.exec(s);
  if (m) {
    const offset = zoneOffset(m[7]) ?? "+0000";
    return build(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), offset);
  }
  // Unix timestamp (seconds or milliseconds).
  if (/^\d{9,13}$/.test(s)) {
    const n = Number(s);
    const d = new Date(s.length > 11 ? n : n * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  // RFC 822 and friends: [Wkday,] D Mon YYYY [HH:MM[:SS]] [zone], in any language.
  // Accents dropped ("diciembre", "décembre"); ASCII text (nearly every date) has none to drop.
  const normalized = (/^[\x00-\x7f]*$/.test(s) ? s : s.normalize("NFD").replace(/[\u0300-\u036f]/g, "")).toLowerCase();
  m =
    /^(?:[a-z]+\.?,?\s*)?(\d{1,2})(?:\s+de)?[\s-]+([a-z]+)\.?(?:\s+de)?[\s-]+(\d{2,4})(?:,?\s+(?:a las\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([a-z]{1,5}|[+-]\d{2}:?\d{2}|(?:gmt|utc)[+-]\d{1,2}(?::?\d{2})?)?$/.exec(
      normalized,
    );
  if (m && MONTHS[m[2]!] !== undefined) {
    const offset = zoneOffset(m[7]) ?? "+0000";
    return build(Number(m[3]), MONTHS[m[2]!]!, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), offset);
  }
  // Month first: "January 23, 2025 10:00 EST", "Mon, Jan 23 2025 …".
  m =
    /^(?:[a-z]+\.?,\s*|[a-z]+\.?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?\s*([a-z]{1,5}|[+-]\d{2}:?\d{2})?$/.exec(
      normalized,
    );
  if (m && MONTHS[m[1]!] !== undefined) {
    let hour = Number(m[4] ?? 0);
    if (m[7] === "pm" && hour < 12) hour += 12;
    if (m[7] === "am" && hour === 12) hour = 0;
    const offset = zoneOffset(m[8]) ?? "+0000";
    return build(Number(m[3]), MONTHS[m[1]!]!, Number(m[2]), hour, Number(m[5] ?? 0), Number(m[6] ?? 0), offset);
  }
  // Last resort: the engine's own parser, but only when the text names a zone or
  // is unambiguous enough that the result is not local-time dependent.
  const fallback = new Date(s);
  if (!Number.isNaN(fallback.getTime()) && /(?:[+-]\d{4}|GMT|UTC|Z)\b/i.test(s)) return fallback;
  return undefined;
}
