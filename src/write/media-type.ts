import { createRequire } from "node:module";

// Enclosure types as feeds declare them are often wrong or missing, and
// `feed` makes one up from the URL's last dot when it is not given (RSS), or
// always (Atom): "image/jpg" for a photo, "image/mp3" for a podcast episode,
// "image//u/425716" for an avatar URL without an extension. Podcast apps and
// readers pick what to play or show by this type, so every enclosure gets a
// registered one here, or is left out of RSS and Atom (which require a type).

type MimeTypes = typeof import("mime-types");
let mime: MimeTypes | undefined;

/**
 * mime-types and its database (200 KB of JSON, 15–30 ms to load) are read
 * when an enclosure first needs them, not at every start: a refresh where
 * nothing changed renders nothing, and the common declared types are known
 * below without them.
 */
function mimeTypes(): MimeTypes {
  mime ??= createRequire(import.meta.url)("mime-types") as MimeTypes;
  return mime;
}

/** Registered types most enclosures declare, known without loading the database. */
const COMMON = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/svg+xml",
  "audio/mpeg",
  "audio/mp4",
  "audio/x-m4a",
  "audio/aac",
  "audio/ogg",
  "video/mp4",
  "video/webm",
  "application/pdf",
]);

/** Declared types no registry lists, and the type that was meant. */
const MISNAMED: Readonly<Record<string, string>> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "image/x-png": "image/png",
  "audio/mp3": "audio/mpeg",
  "audio/mpeg3": "audio/mpeg",
  "audio/x-mp3": "audio/mpeg",
  "audio/x-mpeg": "audio/mpeg",
  "audio/mpg": "audio/mpeg",
  "audio/m4a": "audio/mp4",
  "video/mpeg4": "video/mp4",
};

/** type "/" subtype, RFC 6838 §4.2 (after lowercasing, parameters dropped). */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The type the URL's file extension names (its path only, not its query), if any. */
function typeFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const type = mimeTypes().lookup(path);
  return type === false ? undefined : type;
}

/**
 * The media type to write for an enclosure: the declared one when it is
 * registered (lowercased, parameters dropped, known misnamings put right:
 * image/jpg → image/jpeg, audio/mp3 → audio/mpeg), else the one the URL's
 * extension names, else the declared one if it is at least well formed. For
 * an image (`kind`), only an image type. Undefined when nothing says: the
 * enclosure is then left out of RSS and Atom.
 */
export function enclosureType(url: string, declared: string | undefined, kind?: "image"): string | undefined {
  let given = declared?.split(";", 1)[0]?.trim().toLowerCase();
  if (given !== undefined) given = MISNAMED[given] ?? given;
  if (given !== undefined && !MEDIA_TYPE.test(given)) given = undefined;
  // A registered type as declared; else the extension's ("x-audio/mp3" on an .mp3 is audio/mpeg); else a well-formed declaration as it is.
  const registered = given !== undefined && (COMMON.has(given) || Object.hasOwn(mimeTypes().extensions, given));
  const type = registered ? given : (typeFromUrl(url) ?? given);
  if (kind === "image" && !type?.startsWith("image/")) return undefined;
  return type;
}
