import { decodeHTML } from "entities";

// Some feeds escape their HTML twice: the XML holds `&amp;lt;p&amp;gt;`, so
// after the XML parse the body is `&lt;p&gt;A threesome&lt;/p&gt;`, which a
// reader shows as literal tags ("<p>A threesome</p>"), and its summary
// starts with "<!-- SC_OFF -->" (Reddit's old RSS). Such a body holds no tag
// at all, starts with an escaped tag or comment, and closes an escaped tag
// somewhere: that is unescaped once more. A plain-text body that mentions a
// tag ("use the &lt;div&gt; element") does not start with one and closes none.

const STARTS_ESCAPED = /^\s*&lt;(?:!--|[a-zA-Z][a-zA-Z0-9]*(?:\s|\/|&gt;))/;
const CLOSES_ESCAPED = /&lt;\/[a-zA-Z][a-zA-Z0-9]*\s*&gt;/;

/** The body's HTML: as it is, or unescaped once when it is HTML escaped twice (see above). */
export function unescapeTwiceEscaped(html: string): string {
  if (html.includes("<") || !STARTS_ESCAPED.test(html) || !CLOSES_ESCAPED.test(html)) return html;
  return decodeHTML(html);
}
