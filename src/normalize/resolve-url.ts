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
    return exact.has(n) || prefixes.some((p) => n.startsWith(p));
  };
}

/**
 * Resolves `href` against the bases in order and returns an absolute http(s)
 * URL without tracking parameters, or undefined (relative with no base,
 * javascript:, data:, mailto: …). Fragments are kept.
 */
export function resolveUrl(href: string | undefined, bases: Array<string | undefined>, isTracking?: (name: string) => boolean): string | undefined {
  if (href === undefined) return undefined;
  const cleaned = href.trim().replace(/[\u0000-\u001F\u007F\s]+/g, (m) => (m.includes(" ") ? "%20" : ""));
  if (cleaned === "") return undefined;
  let url: URL | undefined;
  try {
    url = new URL(cleaned);
  } catch {
    for (const base of bases) {
      if (base === undefined) continue;
      try {
        url = new URL(cleaned, resolveBase(base, bases));
        break;
      } catch {
        // try the next base
      }
    }
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined;
  if (isTracking !== undefined && url.search !== "") {
    const kept = [...url.searchParams].filter(([name]) => !isTracking(name));
    if (kept.length !== [...url.searchParams].length) {
      url.search = kept.length === 0 ? "" : new URLSearchParams(kept).toString();
    }
  }
  return url.href;
}

// A relative xml:base is itself relative to the next base out.
function resolveBase(base: string, all: Array<string | undefined>): string {
  try {
    return new URL(base).href;
  } catch {
    for (const outer of all) {
      if (outer === undefined || outer === base) continue;
      try {
        return new URL(base, outer).href;
      } catch {
        // keep looking
      }
    }
    return base;
  }
}
