/**
 * Media types of what feeds/ holds. RSS and Atom have registered types (RFC
 * 4287 §7 for Atom); JSON Feed 1.1 asks for application/feed+json; OPML has
 * only the de-facto text/x-opml. Text types carry charset=utf-8 because the
 * writers only emit UTF-8.
 */
export const CONTENT_TYPES: Record<string, string> = {
  ".rss": "application/rss+xml; charset=utf-8",
  ".atom": "application/atom+xml; charset=utf-8",
  ".json": "application/feed+json; charset=utf-8",
  ".opml": "text/x-opml; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
};

export function contentTypeFor(path: string): string {
  const dot = path.lastIndexOf(".");
  return (dot >= 0 ? CONTENT_TYPES[path.slice(dot).toLowerCase()] : undefined) ?? "application/octet-stream";
}
