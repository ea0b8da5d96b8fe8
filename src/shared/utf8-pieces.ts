/**
 * Pieces of text encoded as UTF-8 into one buffer of the exact size, without
 * joining them into one string first: on this kind of machine the fresh
 * pages of a document-sized string (a feed file, often two bytes a
 * character) cost more than the encoding.
 */
export function utf8Pieces(pieces: readonly string[]): Buffer {
  let size = 0;
  for (const piece of pieces) size += Buffer.byteLength(piece, "utf8");
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const piece of pieces) at += bytes.write(piece, at, "utf8");
  return bytes;
}
