import { XMLValidator } from "fast-xml-parser";

/** Throws with the parser's message when the text is not well-formed XML. */
export function assertWellFormed(xml: string): void {
  const result = XMLValidator.validate(xml);
  if (result !== true) throw new Error(`not well-formed: ${result.err.msg} at line ${result.err.line}`);
}
