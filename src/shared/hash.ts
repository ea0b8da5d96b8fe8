import { createHash } from "node:crypto";
import { xxh3, xxh64 } from "@node-rs/xxhash";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * A fingerprint of a fetched body, to tell "the same bytes as last time"
 * without parsing: length and XXH64 (https://xxhash.com/), about ten times
 * faster than SHA-256 on a 5 MB feed. Not collision-resistant against a
 * crafted body, which is fine here: it is compared only with the previous
 * body of the same source, so a publisher forging a collision only keeps its
 * own feed from updating.
 */
export function bodyFingerprint(data: Uint8Array): string {
  return `${data.length.toString(16)}-${xxh64(data).toString(16).padStart(16, "0")}`;
}

/**
 * XXH3 (64-bit) of a text's UTF-8 as 16 hex digits; `seed` (another
 * `fastHash`) chains hashes. For telling whether a record changed since it
 * was last stored, not against forgery: a publisher who crafted a collision
 * would only keep its own entry from updating.
 */
export function fastHashHex(text: string, seed?: bigint): string {
  return xxh3.xxh64(text, seed).toString(16).padStart(16, "0");
}

/** The seed for fastHashHex: XXH3 (64-bit) of a text's UTF-8. */
export function fastHash(text: string): bigint {
  return xxh3.xxh64(text);
}

/** A name-based UUID (RFC 9562 §5.5, version 5 layout over SHA-1) for ids that must be URIs. */
export function uuidFromName(name: string): string {
  const h = createHash("sha1").update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
