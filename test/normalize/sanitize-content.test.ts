import { Parser } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { trackingParamMatcher } from "../../src/normalize/resolve-url.js";
import { isUnsafeUrl, parseSrcset, sanitizeContent, sanitizeHtml } from "../../src/normalize/sanitize-content.js";
import { assertWellFormed } from "../helpers/xml.js";

const OPTIONS = { base: "https://news.example.com/world/story.html", isTracking: trackingParamMatcher(["utm_*", "fbclid"]) };
const clean = (html: string) => sanitizeContent(html, OPTIONS);

/** The sanitized HTML as XML: well-formed once void elements are written `<br />` and HTML entities are numeric. */
function assertWellFormedFragment(html: string): void {
  assertWellFormed(`<root>${html.replace(/&nbsp;/g, "&#160;")}</root>`);
}

describe("sanitizeContent", () => {
  it("closes unclosed and misnested tags, so the output is well-formed", () => {
    const cases = [
      "<p>unclosed <b>bold <i>italic",
      "<p>a<b>b<i>c</p>d</b>e",
      "<ul><li>one<li>two</ul><table><tr><td>1<td>2</table>",
      "</div></p></br><p>x</span></p>",
      "<div><div><div><div><p>deep",
      "<blockquote><p>quote</blockquote> tail <em>open",
    ];
    for (const html of cases) {
      const out = clean(html);
      expect(() => assertWellFormedFragment(out), `${html} → ${out}`).not.toThrow();
    }
    expect(clean("<p>unclosed <b>bold <i>italic")).toBe("<p>unclosed <b>bold <i>italic</i></b></p>");
    expect(clean("<p>a<b>b<i>c</p>d</b>e")).toBe("<p>a<b>b<i>c</i></b></p>de");
  });

  it("escapes text and attribute values", () => {
    expect(clean('<p title="x">Tom &amp; Jerry &lt;script&gt; "quoted" &#x3C;b&#x3E; &copy;</p>')).toBe(
      '<p>Tom &amp; Jerry &lt;script&gt; "quoted" &lt;b&gt; ©</p>',
    );
    expect(clean(`<a href="/a?x=1&amp;y=2" title='say "hi" & <bye>'>l</a>`)).toBe(
      '<a href="https://news.example.com/a?x=1&amp;y=2" title="say &quot;hi&quot; &amp; &lt;bye&gt;">l</a>',
    );
    expect(clean('<img src="/a.jpg" alt="a &quot;b&quot; <c>">')).toBe('<img src="https://news.example.com/a.jpg" alt="a &quot;b&quot; &lt;c&gt;" />');
  });

  it("refuses javascript:, data: and protocol-relative URLs however they are spelled", () => {
    const hrefs = [
      "javascript:alert(1)",
      " JaVaScRiPt:alert(1)",
      "java&#x09;script:alert(1)",
      "jav&#x0A;ascript:alert(1)",
      "&#106;avascript:alert(1)",
      "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
      "javascript&colon;alert(1)",
      "\u0001javascript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD4=",
      "vbscript:msgbox(1)",
    ];
    for (const href of hrefs) expect(clean(`<a href="${href}">x</a>`), href).toBe("<a>x</a>");
    expect(clean('<img src="javascript:alert(1)">')).toBe("");
    expect(clean('<img src="/ok.jpg" srcset="javascript:alert(1) 1x, java&#x09;script:alert(2) 2x, data:image/png;base64,AAA 3x">')).not.toMatch(
      /javascript|data:/i,
    );
    expect(clean('<img src="/ok.jpg" srcset=" javascript:alert(1) 1x">')).toBe('<img src="https://news.example.com/ok.jpg" />');
    // Not resolved by the transforms: checked by scheme only.
    expect(clean('<blockquote cite="javascript:x">q</blockquote><video src="javascript:x" poster="//evil.example/p.jpg" controls></video>')).toBe(
      "<blockquote>q</blockquote><video controls></video>",
    );
    expect(clean('<q cite="https://ok.example/">q</q>')).toBe('<q cite="https://ok.example/">q</q>');
  });

  it("drops svg, math, script, style, iframe, object, comments, CDATA and processing instructions", () => {
    const out = clean(
      '<svg onload="alert(1)"><script>alert(1)</script><p>in svg</p></svg><math><mi>x</mi></math>' +
        "<!-- secret --><![CDATA[ <b>cdata</b> ]]><?php echo 1 ?>" +
        "<style>p{color:red}</style><script>alert(2)</script><iframe src='https://evil.example/'>frame text</iframe>" +
        '<object data="x"><p>fallback</p></object><embed src="x"><noscript><p>ns</p></noscript><template><p>t</p></template>' +
        "<p>kept</p>",
    );
    expect(out).not.toMatch(/<(?:svg|math|mi|script|style|iframe|object|embed|noscript|template)\b/i);
    expect(out).not.toMatch(/alert|secret|cdata|php|color:red|frame text|fallback|>ns<|>t</);
    expect(out).toContain("<p>kept</p>");
  });

  it("keeps only allowed attributes, drops event handlers and styles", () => {
    expect(clean('<p style="color:red" class="c" id="i" onclick="alert(1)">s</p><td colspan="2" onmouseover="x">c</td>')).toBe(
      '<p>s</p><td colspan="2">c</td>',
    );
    expect(clean('<img src="/a.jpg" alt="" width="" onerror="alert(1)">')).toBe('<img src="https://news.example.com/a.jpg" alt="" />');
    expect(clean('<audio src="https://a.example/a.mp3" controls=""></audio>')).toBe('<audio src="https://a.example/a.mp3" controls></audio>');
  });

  it("resolves relative URLs, removes tracking parameters, and drops web bugs and empty blocks", () => {
    expect(clean('<a href="../x?utm_source=rss&id=3#f">t</a>')).toBe('<a href="https://news.example.com/x?id=3#f">t</a>');
    expect(clean('<img data-src="/lazy.jpg" src="data:image/gif;base64,R0">')).toBe('<img src="https://news.example.com/lazy.jpg" />');
    expect(clean('<img src="/p.gif" width="1" height="1"><img src="https://feeds.feedburner.com/~r/foo/~4/abc">')).toBe("");
    expect(clean("<p>   </p><p>&nbsp;</p><span> </span><div><br></div><p>x</p>")).toBe("<p>x</p>");
    expect(clean('<p><img src="/i.jpg"></p>')).toBe('<p><img src="https://news.example.com/i.jpg" /></p>');
  });

  it("normalizes srcset candidates as the HTML standard parses them", () => {
    expect(parseSrcset("a.jpg 100w, b.jpg 1.50x,c.jpg 0w, d.jpg (a b), e.jpg 2h 100w, f.jpg")).toEqual([
      { url: "a.jpg", w: 100 },
      { url: "b.jpg", d: 1.5 },
      { url: "e.jpg", w: 100, h: 2 },
      { url: "f.jpg" },
    ]);
    expect(clean('<img src="x.jpg" srcset="a.jpg 100w, b.jpg 1.50x, c.jpg 0w">')).toBe(
      '<img src="https://news.example.com/world/x.jpg" srcset="https://news.example.com/world/a.jpg 100w, https://news.example.com/world/b.jpg 1.5x" />',
    );
  });

  it("reads URLs the way browsers do when judging their scheme", () => {
    expect(isUnsafeUrl("https://ok.example/")).toBe(false);
    expect(isUnsafeUrl("/relative")).toBe(false);
    expect(isUnsafeUrl("//evil.example/")).toBe(true);
    expect(isUnsafeUrl("\\\\evil.example/")).toBe(true);
    expect(isUnsafeUrl("java\tscript:x")).toBe(true);
    expect(isUnsafeUrl("java<!-- -->script:x")).toBe(true);
    expect(isUnsafeUrl("mailto:a@b.example")).toBe(true);
    expect(isUnsafeUrl("http://a.example/<!-- x -->b")).toBe(false);
    expect(isUnsafeUrl("HTTP://a.example/")).toBe(false);
    expect(isUnsafeUrl("http:\tjavascript:x")).toBe(false);
    expect(isUnsafeUrl(" https://ok.example/")).toBe(false);
    expect(isUnsafeUrl("httpx://a.example/")).toBe(true);
  });

  it("reports events that a parser of its output would report", () => {
    const inputs = [
      '<div><p>Washington, January 23 (RHC)-- The <a href="/x">U.S.</a> military &amp; more<br>line</p><figure><img src="/a.jpg" alt="a &quot;b&quot;"><figcaption>Cap</figcaption></figure></div>',
      "<p>a<b>b<i>c</p>d</b>e<script>x</script><p> </p><ul><li>1<li>2</ul>",
    ];
    for (const input of inputs) {
      const { html, events } = sanitizeHtml(input, OPTIONS);
      const reparsed: string[] = [];
      const parser: Parser = new Parser(
        {
          onopentag: (name, attribs) =>
            reparsed.push(`open ${name} ${JSON.stringify(name === "img" ? attribs : {})} ${html.slice(parser.startIndex, parser.endIndex + 1)}`),
          ontext: (text) => reparsed.push(`text ${text}`),
          onclosetag: (name) => reparsed.push(`close ${name}`),
        },
        { decodeEntities: true },
      );
      parser.write(html);
      parser.end();
      const reported = events.map((e) =>
        e.kind === "open"
          ? `open ${e.name} ${JSON.stringify(e.name === "img" ? e.attribs : {})} ${html.slice(e.start, e.end)}`
          : e.kind === "text"
            ? `text ${e.text}`
            : `close ${e.name}`,
      );
      // The parser may split a text run where the sanitizer did not (and back): compare joined runs.
      const joinText = (xs: string[]) => xs.join("\u0000").replace(/\u0000text /g, "");
      expect(joinText(reported)).toBe(joinText(reparsed));
      for (const e of events)
        if (e.kind === "text") expect(html.slice(e.start, e.end)).toBe(e.text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    }
  });
});

describe("sanitizeContent: characters XML cannot carry", () => {
  it("drops control characters and noncharacters that character references decode to, in text and attributes", () => {
    const out = clean('<p title="x&#1;y">a&#1;b &#xFFFE;c&#11;d &#x1F;e</p><img src="https://img.example.com/a.jpg" alt="p&#2;q">');
    expect(out).toBe('<p>ab cd e</p><img src="https://img.example.com/a.jpg" alt="pq" />');
    expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  it("drops them when they stand in the input itself, inside long texts and next to references", () => {
    const out = clean("<p>a long text\u0001 with a raw control character, a lone \ud800 surrogate&amp;&#1;more text\uFFFF at the end</p>");
    expect(out).toBe("<p>a long text with a raw control character, a lone  surrogate&amp;more text at the end</p>");
    expect(clean("<p>\ud83d\ude00 astral &#x1F600; kept</p>")).toBe("<p>\ud83d\ude00 astral \ud83d\ude00 kept</p>");
  });
});
