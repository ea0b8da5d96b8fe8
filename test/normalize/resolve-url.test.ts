import { describe, expect, it } from "vitest";
import { createUrlResolver, effectiveBase, resolveUrl, trackingParamMatcher } from "../../src/normalize/resolve-url.js";

// The default list of config/feed-enricher.yaml.
const isTracking = trackingParamMatcher(["utm_*", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "yclid", "igshid", "ref_src"]);
const BASE = "https://www.radiohc.cu/en/noticias/";

// [href, expected, why]
const CASES: Array<[string, string | undefined, string]> = [
  [
    "https://www.theguardian.com/us-news/2018/jan/31/border-library?CMP=Share_iOSApp_Other&utm_source=twitter&utm_medium=social",
    "https://www.theguardian.com/us-news/2018/jan/31/border-library?CMP=Share_iOSApp_Other",
    "utm_* removed, other parameters kept in order",
  ],
  ["https://example.com/a?fbclid=IwAR0abc", "https://example.com/a", "fbclid alone: no empty ?"],
  ["https://example.com/a?gclid=1&id=7&mc_cid=2&mc_eid=3", "https://example.com/a?id=7", "gclid, mc_cid, mc_eid"],
  ["https://example.com/a?UTM_Source=x&q=1", "https://example.com/a?q=1", "parameter names compared case-insensitively"],
  ["https://example.com/a?utm_source=x#section-2", "https://example.com/a#section-2", "fragment kept"],
  ["/en/noticias/internacionales/374817-us-military", "https://www.radiohc.cu/en/noticias/internacionales/374817-us-military", "root-relative"],
  ["374817-story", "https://www.radiohc.cu/en/noticias/374817-story", "path-relative"],
  ["//cdn.example.com/img.jpg", "https://cdn.example.com/img.jpg", "protocol-relative takes the base's scheme"],
  ["  https://example.com/a b  ", "https://example.com/a%20b", "spaces trimmed and encoded"],
  ["HTTPS://EXAMPLE.com/Path", "https://example.com/Path", "scheme and host lower-cased"],
  ["javascript:alert(1)", undefined, "javascript: refused"],
  ["java\tscript:alert(1)", undefined, "tab-obfuscated javascript: refused"],
  [" \u0001javascript:alert(1)", undefined, "control-character prefix"],
  ["JaVaScRiPt:alert(1)", undefined, "mixed case javascript:"],
  ["data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", undefined, "data: refused"],
  ["vbscript:msgbox(1)", undefined, "vbscript: refused"],
  ["mailto:editor@example.com", undefined, "mailto: is not a story link"],
  ["ftp://example.com/file", undefined, "http(s) only"],
  ["", undefined, "empty"],
];

describe("resolveUrl", () => {
  it.each(CASES)("%j → %s (%s)", (href, expected) => {
    expect(resolveUrl(href, BASE, isTracking)).toBe(expected);
  });

  it("leaves a relative link unresolved when there is no base", () => {
    expect(resolveUrl("/a/b", undefined, isTracking)).toBeUndefined();
  });

  it("keeps tracking parameters when no matcher is given (media URLs)", () => {
    expect(resolveUrl("https://example.com/i.jpg?utm_source=x", BASE)).toBe("https://example.com/i.jpg?utm_source=x");
  });
});

describe("createUrlResolver", () => {
  it("answers as resolveUrl does for every href and base, asked once or again", () => {
    const isTracking = trackingParamMatcher(["utm_*"]);
    const tracked = createUrlResolver(isTracking);
    const plain = createUrlResolver();
    const hrefs = [undefined, "", "/a?utm_source=x&id=1", "b/c", "https://x.example/p?utm_medium=y", "javascript:alert(1)", "//cdn.example/i.jpg", " /d e "];
    const bases = [undefined, "https://news.example/s/", "https://other.example/deep/path/"];
    for (let round = 0; round < 2; round++) {
      for (const base of bases) {
        for (const href of hrefs) {
          expect(tracked(href, base)).toBe(resolveUrl(href, base, isTracking));
          expect(plain(href, base)).toBe(resolveUrl(href, base));
        }
      }
    }
    expect(tracked("/a?utm_source=x&id=1", "https://news.example/s/")).toBe("https://news.example/a?id=1");
    expect(plain("/a?utm_source=x&id=1", "https://news.example/s/")).toBe("https://news.example/a?utm_source=x&id=1");
  });
});

describe("effectiveBase", () => {
  it("prefers the innermost xml:base, then the feed link, then the feed URL", () => {
    expect(effectiveBase(["http://example.com/test/", "http://example.com/parent/", "https://feeds.example.com/rss"])).toBe("http://example.com/test/");
    expect(effectiveBase([undefined, "https://www.radiohc.cu/en", "https://feeds.example.com/rss"])).toBe("https://www.radiohc.cu/en");
    expect(effectiveBase([undefined, undefined, "https://feeds.example.com/rss"])).toBe("https://feeds.example.com/rss");
    expect(effectiveBase([undefined, undefined])).toBeUndefined();
  });

  it("resolves a relative xml:base against the next base out (XML Base §4.2)", () => {
    expect(effectiveBase(["test/", "http://example.com/parent/"])).toBe("http://example.com/parent/test/");
    expect(resolveUrl("test.html", effectiveBase(["../other/", "http://example.com/parent/x/"]))).toBe("http://example.com/parent/other/test.html");
  });
});

describe("trackingParamMatcher", () => {
  it("matches exact names and prefix globs, case-insensitively", () => {
    const m = trackingParamMatcher(["utm_*", "fbclid"]);
    expect([m("utm_campaign"), m("UTM_TERM"), m("fbclid"), m("fbclid2"), m("utm"), m("id")]).toEqual([true, true, true, false, false, false]);
  });
});
