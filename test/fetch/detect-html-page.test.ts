import { describe, expect, it } from "vitest";
import { detectHtmlPage, notAFeedError } from "../../src/fetch/index.js";

const PAGE_URL = "https://news.example.com/section/world/";
const html = (head: string, doctype = "<!DOCTYPE html>") =>
  Buffer.from(`${doctype}\n<html><head><title>World</title>${head}</head><body><p>hi</p></body></html>`);

describe("detectHtmlPage", () => {
  it("lists advertised RSS and Atom feeds as absolute URLs, in page order, once each", () => {
    const page = detectHtmlPage(
      html(`
        <link rel="stylesheet" href="/style.css">
        <link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml">
        <link rel="alternate" type="application/atom+xml" href="/atom.xml">
        <link rel="alternate" type="application/rss+xml" href="https://news.example.com/section/world/feed.xml">
        <link rel="alternate" hreflang="es" href="https://news.example.com/es/">
        <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/1">
        <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
        <LINK REL="Alternate" TYPE="application/rdf+xml" HREF="//cdn.example.net/rdf?a=1&amp;b=2">`),
      "text/html; charset=utf-8",
      PAGE_URL,
    );
    expect(page?.feeds).toEqual([
      "https://news.example.com/section/world/feed.xml",
      "https://news.example.com/atom.xml",
      "https://cdn.example.net/rdf?a=1&b=2",
    ]);
  });

  it("resolves against <base href>", () => {
    const page = detectHtmlPage(
      html(`<base href="https://static.example.org/x/"><link rel="alternate" type="application/rss+xml" href="rss">`),
      undefined,
      PAGE_URL,
    );
    expect(page?.feeds).toEqual(["https://static.example.org/x/rss"]);
  });

  it("recognises a page without advertised feeds", () => {
    expect(detectHtmlPage(html(""), "text/html", PAGE_URL)).toEqual({ feeds: [] });
  });

  it("recognises an HTML page by its bytes whatever the Content-Type says", () => {
    expect(detectHtmlPage(html(""), "application/rss+xml", PAGE_URL)).toEqual({ feeds: [] });
    expect(detectHtmlPage(Buffer.from("\n\n  <html><body>x</body></html>"), undefined, PAGE_URL)).toEqual({ feeds: [] });
  });

  it("recognises XHTML behind an XML declaration and a comment", () => {
    const xhtml = Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?>\n<!-- generated -->\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head><link rel="alternate" type="application/atom+xml" href="/a"/></head></html>`,
    );
    expect(detectHtmlPage(xhtml, "application/xhtml+xml", PAGE_URL)?.feeds).toEqual(["https://news.example.com/a"]);
  });

  it("reads a UTF-16 page", () => {
    const text = `<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/u16"></head></html>`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    expect(detectHtmlPage(le, undefined, PAGE_URL)?.feeds).toEqual(["https://news.example.com/u16"]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    expect(detectHtmlPage(be, undefined, PAGE_URL)?.feeds).toEqual(["https://news.example.com/u16"]);
  });

  it("treats text labelled text/html without a feed root as a page", () => {
    expect(detectHtmlPage(Buffer.from("Service temporarily unavailable"), "text/html", PAGE_URL)).toEqual({ feeds: [] });
  });

  it("leaves feeds alone, even one served as text/html", () => {
    const rss = Buffer.from(`<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title></channel></rss>`);
    const rss091 = Buffer.from(`<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss version="0.91"/>`);
    const atom = Buffer.from(`\uFEFF<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`);
    const rdf = Buffer.from(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"></rdf:RDF>`);
    const prefixedAtom = Buffer.from(`<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"/>`);
    for (const body of [rss, rss091, atom, rdf, prefixedAtom]) {
      expect(detectHtmlPage(body, "text/html", PAGE_URL), body.toString().slice(0, 40)).toBeUndefined();
      expect(detectHtmlPage(body, "application/xml", PAGE_URL)).toBeUndefined();
    }
  });

  it("takes a feed behind a page's doctype for a feed, and a page's doctype before any other element for a page", () => {
    // feedparser's always_strip_doctype test (corpus): RSS behind an XHTML DOCTYPE, which feed readers read as RSS.
    const behindXhtml = Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://site.invalid/">\n<!--\nDescription: unstripped invalid doctype\n-->\n<rss>\n<channel><title>found</title></channel>\n</rss>\n`,
    );
    const subset = Buffer.from(`<!DOCTYPE html [ <!ENTITY gt2 "]>"> <!ENTITY x '<rss>'> ]>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`);
    const longSubset = Buffer.from(`<!DOCTYPE html [ <!ENTITY pad "${"p".repeat(5000)}"> ]><rss version="2.0"><channel><title>t</title></channel></rss>`);
    for (const body of [behindXhtml, subset, longSubset]) {
      expect(detectHtmlPage(body, "text/html", PAGE_URL), body.toString().slice(0, 60)).toBeUndefined();
      expect(detectHtmlPage(body, undefined, PAGE_URL)).toBeUndefined();
    }
    // A page whose first element is not <html> is still a page by its doctype.
    const headless = Buffer.from(`<!DOCTYPE html><!-- x --><head><link rel="alternate" type="application/rss+xml" href="/r"></head><p>x</p>`);
    expect(detectHtmlPage(headless, undefined, PAGE_URL)?.feeds).toEqual(["https://news.example.com/r"]);
  });

  it("finds the root past the first 4 KB, and does not take a name cut at 4 KB for a feed's", () => {
    const prolog = (room: number) => `<?xml version="1.0"?><!--${"x".repeat(room - 28)}-->`;
    expect(prolog(100)).toHaveLength(100);
    // A long comment before the root: the page and the feed are still told apart.
    const page = Buffer.from(`${prolog(6000)}<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>`);
    expect(detectHtmlPage(page, "text/html", PAGE_URL)).toEqual({ feeds: ["https://news.example.com/feed.xml"] });
    expect(detectHtmlPage(Buffer.from(`${prolog(6000)}<rss version="2.0"><channel/></rss>${" ".repeat(10)}`), "text/html", PAGE_URL)).toBeUndefined();
    // "<rss" ends exactly at byte 4096, but the element is <rssx>: not a feed root.
    const cut = Buffer.from(`${prolog(4092)}<rssx>${"text ".repeat(200)}</rssx>`);
    expect(cut.subarray(4092, 4096).toString()).toBe("<rss");
    expect(detectHtmlPage(cut, "text/html", PAGE_URL)).toEqual({ feeds: [] });
    // The same with a feed root cut there is a feed.
    const rss = Buffer.from(`${prolog(4092)}<rss version="2.0"><channel>${"<item/>".repeat(200)}</channel></rss>`);
    expect(detectHtmlPage(rss, "text/html", PAGE_URL)).toBeUndefined();
  });

  it("leaves other non-HTML bytes to the parser", () => {
    expect(detectHtmlPage(Buffer.from("not markup at all"), "application/rss+xml", PAGE_URL)).toBeUndefined();
    expect(detectHtmlPage(Buffer.from(""), undefined, PAGE_URL)).toBeUndefined();
  });
});

describe("notAFeedError", () => {
  it("is coded not-a-feed and names the advertised feeds", () => {
    const error = notAFeedError(PAGE_URL, { feeds: ["https://news.example.com/a.xml", "https://news.example.com/b.xml"] });
    expect(error.code).toBe("not-a-feed");
    expect(error.advertisedFeeds).toEqual(["https://news.example.com/a.xml", "https://news.example.com/b.xml"]);
    expect(error.message).toBe(
      `fetch: ${PAGE_URL} is an HTML page, not a feed; it advertises https://news.example.com/a.xml, https://news.example.com/b.xml; set the source url to one of them`,
    );
  });

  it("says what to do when the page advertises nothing", () => {
    expect(notAFeedError(PAGE_URL, { feeds: [] }).message).toContain("advertises no feed; find the feed's address on the site");
  });
});
