import { Tokenizer } from "htmlparser2";

// htmlparser2's tokenizer reads text one character at a time through its
// state switch, although in text only "<" and "&" (with decodeEntities) do
// anything, and in a double-quoted attribute value only '"' and "&". Most of
// a news item is text, so these states here jump to the next character that
// matters (String#indexOf, native) and hand that character to the library's
// own state function: the token stream is the library's, only the characters
// in between are not visited one by one. The Parser takes the tokenizer class
// as an option (`Tokenizer`), so everything else (tree building, implied end
// tags, entity decoding) is htmlparser2's.

const LT = 0x3c;
const AMP = 0x26;
const DQUOTE = 0x22;

/** The tokenizer's internals that the fast states read and move (private in its typings). */
interface TokenizerState {
  buffer: string;
  index: number;
  offset: number;
  running: boolean;
  decodeEntities: boolean;
}

interface TokenizerStates {
  stateText(c: number): void;
  stateInAttributeValueDoubleQuotes(c: number): void;
}

const base = Tokenizer.prototype as unknown as TokenizerStates;
const baseText = base.stateText;
const baseAttributeValue = base.stateInAttributeValueDoubleQuotes;

/**
 * The next position at or after `from` of `ch` in `buffer`, or buffer.length;
 * `cached` is the last answer for this character, reused while it lies ahead
 * (a text run between tags without "&" would otherwise search to the end of
 * the document once per run).
 */
function nextOf(buffer: string, ch: string, from: number, cached: number): number {
  if (cached >= from) return cached;
  const i = buffer.indexOf(ch, from);
  return i === -1 ? buffer.length : i;
}

/** An htmlparser2 Tokenizer that skips the characters that cannot change its state in text and double-quoted attribute values. */
export class FastTextTokenizer extends Tokenizer {
  private fastBuffer = "";
  private nextLt = -1;
  private nextAmp = -1;
  private nextQuote = -1;

  private skipTo(position: number): void {
    // parse() moves to the next character after a state function returns.
    (this as unknown as TokenizerState).index = (this as unknown as TokenizerState).offset + position - 1;
  }

  private sync(t: TokenizerState): void {
    if (t.buffer !== this.fastBuffer) {
      this.fastBuffer = t.buffer;
      this.nextLt = -1;
      this.nextAmp = -1;
      this.nextQuote = -1;
    }
  }

  /** Whether the characters ahead may be skipped: the tokenizer runs and decodes entities (else "&" is plain text). */
  private skippable(t: TokenizerState): boolean {
    if (!t.running || !t.decodeEntities) return false;
    this.sync(t);
    return true;
  }

  /** Moves to the first of `stop` (the state's own delimiter) and the next "&" after `from`. */
  private jump(t: TokenizerState, from: number, stop: number): void {
    this.nextAmp = nextOf(t.buffer, "&", from, this.nextAmp);
    this.skipTo(Math.min(stop, this.nextAmp));
  }

  /** Called by parse() for each character in the Text state. */
  fastText(c: number): void {
    const t = this as unknown as TokenizerState;
    if (c === LT || c === AMP || !this.skippable(t)) {
      baseText.call(this, c);
      return;
    }
    const from = t.index - t.offset + 1;
    this.nextLt = nextOf(t.buffer, "<", from, this.nextLt);
    this.jump(t, from, this.nextLt);
  }

  /** Called by parse() for each character of a double-quoted attribute value. */
  fastAttributeValue(c: number): void {
    const t = this as unknown as TokenizerState;
    if (c === DQUOTE || c === AMP || !this.skippable(t)) {
      baseAttributeValue.call(this, c);
      return;
    }
    const from = t.index - t.offset + 1;
    this.nextQuote = nextOf(t.buffer, '"', from, this.nextQuote);
    this.jump(t, from, this.nextQuote);
  }
}

const fast = FastTextTokenizer.prototype as unknown as TokenizerStates & { fastText(c: number): void; fastAttributeValue(c: number): void };
fast.stateText = fast.fastText;
fast.stateInAttributeValueDoubleQuotes = fast.fastAttributeValue;

/**
 * FastTextTokenizer when it reports what htmlparser2's own tokenizer reports
 * on a sample with text, references and attributes (it relies on the
 * library's internal field and state names), else the library's tokenizer.
 */
export const HTML_TOKENIZER: typeof Tokenizer = (() => {
  const sample = 'a &amp; b<p class="x &quot;y&quot; z" id=q>t&eacute;xt &notanentity; AT&T</p> < p>tail &#x1F600; end';
  const trace = (Impl: typeof Tokenizer): string => {
    const out: string[] = [];
    const log =
      (name: string) =>
      (...args: unknown[]) =>
        out.push(`${name}:${args.join(",")}`);
    const t = new Impl(
      { decodeEntities: true },
      {
        onattribdata: log("ad"),
        onattribentity: log("ae"),
        onattribend: log("aend"),
        onattribname: log("an"),
        oncdata: log("cd"),
        onclosetag: log("ct"),
        oncomment: log("c"),
        ondeclaration: log("d"),
        onend: log("end"),
        onopentagend: log("ote"),
        onopentagname: log("otn"),
        onprocessinginstruction: log("pi"),
        onselfclosingtag: log("sct"),
        ontext: log("t"),
        ontextentity: log("te"),
      },
    );
    t.write(sample);
    t.end();
    return out.join("|");
  };
  try {
    return trace(FastTextTokenizer) === trace(Tokenizer) ? FastTextTokenizer : Tokenizer;
  } catch {
    return Tokenizer;
  }
})();
