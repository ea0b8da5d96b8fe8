import { decodeHTML } from "entities";

// Some feeds escape their HTML twice: the XML holds `&amp;lt;p&amp;gt;`, so
// after the XML parse the body is `&lt;p&gt;A threesome&lt;/p&gt;`, which a
// reader shows as literal tags ("<p>A threesome</p>"), and its summary
// starts with "<!-- SC_OFF -->" (Reddit's old RSS). Such a body (or its run of
// text before its first tag) starts with an escaped tag or comment and closes
// an escaped tag: that run is unescaped once more. A plain-text body that
// mentions a tag ("use the &lt;div&gt; element") does not start with one.
//
// Reddit also wrote that escaped HTML beside raw `<a>` elements; the parse
// reads such a body as markup (wrap-markup-bodies.ts), so its leading run is
// escaped once more still (`&amp;lt;p&amp;gt;`) and is unescaped twice.

const STARTS_ESCAPED = /^\s*&lt;(?:!--|[a-zA-Z][a-zA-Z0-9]*(?:\s|\/|&gt;))/;
const CLOSES_ESCAPED = /&lt;\/[a-zA-Z][a-zA-Z0-9]*\s*&gt;/;
const STARTS_ESCAPED_TWICE = /^\s*&amp;lt;(?:!--|[a-zA-Z])/;

/** The body's HTML: as it is, or with its leading run of text unescaped when that is HTML escaped again (see above). */
export function unescapeTwiceEscaped(html: string): string {
  const lt = html.indexOf("<");
  // Nearly every body starts with a tag (or holds none and no escaped one): nothing to look at.
  if (lt === 0) return html;
  const run = lt < 0 ? html : html.slice(0, lt);
  const unescaped = unescapeRun(run);
  if (unescaped === run) return html;
  return lt < 0 ? unescaped : unescaped + html.slice(lt);
}

function unescapeRun(run: string): string {
  let text = run;
  if (STARTS_ESCAPED_TWICE.test(text)) text = decodeHTML(text);
  if (!STARTS_ESCAPED.test(text) || !CLOSES_ESCAPED.test(text)) return run;
  return decodeHTML(text);
}
