/**
 * Whether a UTF-16 code unit is what JavaScript's `\s` matches (ECMAScript
 * WhiteSpace and LineTerminator): character loops that stand in for a `\s`
 * pattern must agree with it exactly, or their output would differ from the
 * pattern's.
 */
export function isWhiteSpaceCode(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
