/** Compiles a tracking-parameter list (`utm_*` style globs) into a predicate. */
export function trackingParamMatcher(patterns: string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    const lower = p.toLowerCase();
    if (lower.endsWith("*")) prefixes.push(lower.slice(0, -1));
    else exact.add(lower);
  }
  return (name) => {
    const n = name.toLowerCase();
    if (exact.has(n)) return true;
    for (const p of prefixes) if (n.startsWith(p)) return true;
    return false;
  };
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// Read URLs the way browsers do (WHATWG URL Standard, basic URL parser):
// leading and trailing C0 controls and spaces are stripped, tabs and newlines
// anywhere are removed, so ` \x0e javascript:` and `java\tscript:` are both
// `javascript:` and get refused below. Other inner spaces are encoded.
const EDGE_CONTROLS = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const TAB_OR_NEWLINE = /[\t\n\r]/g;
const CONTROL_OR_SPACE = /[\u0000-\u001F\u007F\s]/;
const CONTROL_OR_SPACE_RUNS = /[\u0000-\u001F\u007F\s]+/g;

function tryUrl(input: string, base?: string): URL | undefined {
  try {
    return base === undefined ? new URL(input) : new URL(input, base);
  } catch {
    return undefined;
  }
}

/**
 * The base that relative links of an item resolve against: the first of
 * `bases` (innermost xml:base first, then the feed link, then the feed URL)
 * that is, or resolves to, an absolute URL. A relative xml:base is itself
 * relative to the next base out (XML Base §4.2). Computed once per item.
 */
export function effectiveBase(bases: ReadonlyArray<string | undefined>): string | undefined {
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i];
    if (base === undefined || base.trim() === "") continue;
    const abs = tryUrl(base.trim());
    if (abs !== undefined) return abs.href;
    const outer = effectiveBase(bases.slice(i + 1));
    if (outer !== undefined) {
      const resolved = tryUrl(base.trim(), outer);
      if (resolved !== undefined) return resolved.href;
    }
  }
  return undefined;
}

/**
 * Resolves `href` against `base` (see effectiveBase; an array of bases is
 * accepted too) and returns an absolute http(s) URL without tracking
 * parameters, or undefined (relative with no base, javascript:, data:,
 * mailto: …). Fragments are kept.
 */
export function resolveUrl(
  href: string | undefined,
  base: string | ReadonlyArray<string | undefined> | undefined,
  isTracking?: (name: string) => boolean,
): string | undefined {
  if (href === undefined) return undefined;
  let cleaned = href.trim();
  if (CONTROL_OR_SPACE.test(cleaned)) {
    cleaned = cleaned
      .replace(EDGE_CONTROLS, "")
      .replace(TAB_OR_NEWLINE, "")
      .replace(CONTROL_OR_SPACE_RUNS, (m) => (/[ \u00a0]/.test(m) ? "%20" : ""));
  }
  if (cleaned === "") return undefined;
  const baseUrl = typeof base === "string" || base === undefined ? base : effectiveBase(base);
  // Only parse with a base when the link is relative: a failed absolute parse
  // would throw, and exceptions are the slow path of URL parsing.
  const url = HAS_SCHEME.test(cleaned) ? tryUrl(cleaned) : baseUrl === undefined ? undefined : tryUrl(cleaned, baseUrl);
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined;
  if (isTracking !== undefined && url.search !== "") {
    const params = url.searchParams;
    const kept: Array<[string, string]> = [];
    let dropped = false;
    for (const [name, value] of params) {
      if (isTracking(name)) dropped = true;
      else kept.push([name, value]);
    }
    if (dropped) url.search = kept.length === 0 ? "" : new URLSearchParams(kept).toString();
  }
  return url.href;
}

/** resolveUrl with a fixed tracking predicate: `(href, base) → absolute URL`. */
export type UrlResolver = (href: string | undefined, base: string | undefined) => string | undefined;

// Bounds the memory of a resolver kept for one huge feed; past it the memo starts over.
const MAX_MEMO_ENTRIES = 20_000;

/**
 * A memoizing resolveUrl for one feed. The same links recur within a feed
 * (the site's pages, photo hosts, share and "related" links) and every
 * resolution is a WHATWG URL parse and serialization; the result only
 * depends on the href, the base and the tracking predicate, so it is kept.
 */
export function createUrlResolver(isTracking?: (name: string) => boolean): UrlResolver {
  const byBase = new Map<string | undefined, Map<string, string | undefined>>();
  let size = 0;
  return (href, base) => {
    if (href === undefined) return undefined;
    let memo = byBase.get(base);
    if (memo === undefined) {
      memo = new Map();
      byBase.set(base, memo);
    } else {
      const known = memo.get(href);
      if (known !== undefined || memo.has(href)) return known;
    }
    if (size >= MAX_MEMO_ENTRIES) {
      byBase.clear();
      size = 0;
      memo = new Map();
      byBase.set(base, memo);
    }
    const resolved = resolveUrl(href, base, isTracking);
    memo.set(href, resolved);
    size++;
    return resolved;
  };
}
