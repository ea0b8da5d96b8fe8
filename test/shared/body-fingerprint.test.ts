import { describe, expect, it } from "vitest";
import { bodyFingerprint } from "../../src/shared/hash.js";

describe("bodyFingerprint", () => {
  it("is the length and XXH64 of the bytes (the reference value for 'abc')", () => {
    expect(bodyFingerprint(Buffer.from("abc"))).toBe("3-44bc2cf5ad770999");
  });

  it("tells one changed byte and a changed length apart, and keeps equal bytes equal", () => {
    const body = Buffer.from("<rss><channel><title>a</title></channel></rss>".repeat(1000));
    const changed = Buffer.from(body);
    changed[body.length >> 1] = changed[body.length >> 1]! ^ 1;
    expect(bodyFingerprint(Buffer.from(body))).toBe(bodyFingerprint(body));
    expect(bodyFingerprint(changed)).not.toBe(bodyFingerprint(body));
    expect(bodyFingerprint(body.subarray(1))).not.toBe(bodyFingerprint(body));
  });
});
