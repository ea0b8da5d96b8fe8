import { describe, expect, it } from "vitest";
import { isWhiteSpaceCode } from "../../src/shared/white-space.js";

describe("isWhiteSpaceCode", () => {
  it("agrees with the \\s pattern on every UTF-16 code unit", () => {
    const differing: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isWhiteSpaceCode(c) !== /\s/.test(String.fromCharCode(c))) differing.push(c);
    expect(differing).toEqual([]);
  });
});
