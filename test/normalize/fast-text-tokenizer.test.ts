import { Parser, Tokenizer } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { FastTextTokenizer, HTML_TOKENIZER } from "../../src/normalize/fast-text-tokenizer.js";
import { seededRandom } from "../helpers/seeded-random.js";

const CALLBACKS = [
  "onattribdata",
  "onattribentity",
  "onattribend",
  "onattribname",
  "oncdata",
  "onclosetag",
  "oncomment",
  "ondeclaration",
  "onend",
  "onopentagend",
  "onopentagname",
  "onprocessinginstruction",
  "onselfclosingtag",
  "ontext",
  "ontextentity",
] as const;

/** Every tokenizer callback with its arguments, for the input written in the given pieces. */
function tokens(Impl: typeof Tokenizer, pieces: string[]): string[] {
  const out: string[] = [];
  const cbs = Object.fromEntries(CALLBACKS.map((name) => [name, (...args: unknown[]) => out.push(`${name}(${args.join(",")})`)]));
  const t = new Impl({ decodeEntities: true }, cbs as unknown as ConstructorParameters<typeof Tokenizer>[1]);
  for (const p of pieces) t.write(p);
  t.end();
  return out;
}

/** What a Parser with the tokenizer reports (tags, attributes, text). */
function parsed(Impl: typeof Tokenizer, html: string): string[] {
  const out: string[] = [];
  const parser = new Parser(
    {
      onopentag: (name, attribs) => out.push(`<${name} ${JSON.stringify(attribs)}>`),
      ontext: (text) => out.push(text),
      onclosetag: (name) => out.push(`</${name}>`),
      oncomment: (text) => out.push(`<!--${text}-->`),
    },
    { decodeEntities: true, Tokenizer: Impl },
  );
  parser.write(html);
  parser.end();
  return out;
}

const CASES = [
  "",
  "plain text without markup",
  "text &amp; more &eacute;t&eacute; &#8212; &#x1F600; &notanentity; AT&T &amp",
  "<p>Para one.</p>\n<p>Para <b>two</b> &nbsp;end</p>",
  "x<a href=\"https://e.org/?a=1&amp;b=2&c=3&quot;\" title='single &amp; quoted' data-x=unquoted&amp;v>link</a>y",
  '<img src="a.jpg" alt="">tail',
  '<img src="unterminated',
  "a < b and c > d <3 </ p>",
  "<script>if (a < b && c) { x = '&amp;' }</script>after",
  "<style>p > a { color: red }</style><title>T &amp; t</title><textarea>x &lt; y</textarea>",
  "<!-- a comment with <p> & stuff --> <![CDATA[ cdata & < ]]> <!DOCTYPE html> <?pi x?>",
  "trailing ampersand &",
  "trailing text at end",
  '<p a="1"b="2" c = "3 &amp; 4">&lt;b&gt;escaped&lt;/b&gt;</p>',
  "<div>\u00a0\u200b&#1;&#xD800;</div>",
  "<plaintext>everything <p> & after is text",
];

describe("FastTextTokenizer", () => {
  it("is the tokenizer the normalize stage uses (its self-check passes with this htmlparser2)", () => {
    expect(HTML_TOKENIZER).toBe(FastTextTokenizer);
  });

  it("reports the same tokens as htmlparser2's tokenizer", () => {
    for (const html of CASES) expect(tokens(FastTextTokenizer, [html]), html).toEqual(tokens(Tokenizer, [html]));
  });

  it("reports the same tokens when the input is written in pieces", () => {
    for (const html of CASES) {
      const pieces = [html.slice(0, html.length / 3), html.slice(html.length / 3, (2 * html.length) / 3), html.slice((2 * html.length) / 3)];
      expect(tokens(FastTextTokenizer, pieces), html).toEqual(tokens(Tokenizer, pieces));
    }
  });

  it("gives a Parser the same elements, attributes and text on random markup", () => {
    const rnd = seededRandom(7);
    const alphabet = ["<", ">", "&", '"', "'", "=", " ", "/", "!", "-", "p", "a", "b", "amp;", "#x26;", "lt;", "\n", "é", "😀", 'a href="', "</p>", "<br>"];
    for (let n = 0; n < 300; n++) {
      let html = "";
      const length = Math.floor(rnd() * 60);
      for (let i = 0; i < length; i++) html += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(parsed(FastTextTokenizer, html), html).toEqual(parsed(Tokenizer, html));
    }
  });
});
