import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from "node:zlib";

/**
 * A hostile HTTP source for tests, on 127.0.0.1 only. Every body that could be
 * large is generated lazily and written with backpressure, so the server never
 * holds more than a chunk of it: what a test measures is the client's memory.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface EvilServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  url(path: string): string;
  /** Adds or replaces the handler for a path (the query string is ignored when matching). */
  route(path: string, handler: Handler): void;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /** Connections still open (a client that gave up must have hung up). */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export interface FeedItem {
  title: string;
  link: string;
  description?: string;
  pubDate?: string;
}

/** A small, valid RSS 2.0 document. */
export function rssFeed(title: string, items: FeedItem[]): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body = items
    .map(
      (i) =>
        `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link><guid isPermaLink="true">${esc(i.link)}</guid>` +
        `<pubDate>${i.pubDate ?? "Thu, 23 Jan 2025 10:00:00 GMT"}</pubDate><description>${esc(i.description ?? i.title)}</description></item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${esc(title)}</title><link>https://news.example.com/</link><description>${esc(title)}</description>\n${body}\n</channel></rss>\n`;
}

export const SAMPLE_FEED = rssFeed("Evil server sample", [
  { title: "Parliament passes the budget", link: "https://news.example.com/budget" },
  { title: "Storm closes the harbour", link: "https://news.example.com/storm" },
]);

// ---- handlers -------------------------------------------------------------

/** 200 with the given body and headers. */
export function sendBody(body: string | Buffer, headers: Record<string, string> = {}, status = 200): Handler {
  return (_req, res) => {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    res.writeHead(status, { "content-type": "application/rss+xml; charset=utf-8", "content-length": String(bytes.length), ...headers });
    res.end(bytes);
  };
}

/** A feed compressed with the given Content-Encoding. */
export function compressed(body: string, encoding: "gzip" | "br" | "deflate" | "raw-deflate"): Handler {
  const input = Buffer.from(body);
  const bytes =
    encoding === "gzip"
      ? gzipSync(input)
      : encoding === "br"
        ? brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
        : encoding === "deflate"
          ? deflateSync(input)
          : deflateRawSync(input);
  return sendBody(bytes, { "content-encoding": encoding === "raw-deflate" ? "deflate" : encoding });
}

/** `total` bytes produced a chunk at a time while the client reads; Content-Length only when `declare`. */
export function hugeBody(total: number, options: { declare?: boolean } = {}): Handler {
  const chunk = Buffer.alloc(64 * 1024, " ");
  return (_req, res) => {
    res.writeHead(200, { "content-type": "application/rss+xml", ...(options.declare ? { "content-length": String(total) } : {}) });
    const head = Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>');
    async function* generate() {
      yield head;
      for (let sent = head.length; sent < total; sent += chunk.length) yield sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
    }
    pipeline(Readable.from(generate()), res).catch(() => {});
  };
}

/**
 * A gzip bomb: `members` concatenated gzip members (RFC 1952 §2.2 allows
 * several), each 1 MiB of zeros squeezed to about 1 KiB. 1024 members: ≈1 MB on
 * the wire, 1 GiB inflated; built from one small compression, never from 1 GiB.
 */
export function gzipBomb(members = 1024): { handler: Handler; compressedBytes: number; inflatedBytes: number } {
  const member = gzipSync(Buffer.alloc(MIB), { level: 9 });
  const handler: Handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/rss+xml", "content-encoding": "gzip", "content-length": String(member.length * members) });
    async function* generate() {
      for (let i = 0; i < members; i++) yield member;
    }
    pipeline(Readable.from(generate()), res).catch(() => {});
  };
  return { handler, compressedBytes: member.length * members, inflatedBytes: MIB * members };
}

/** The headers arrive, then the body one byte per `intervalMs`, forever. */
export function drip(intervalMs = 1000): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "application/rss+xml" });
    res.write("<");
    const timer = setInterval(() => res.write(" "), intervalMs);
    res.on("close", () => clearInterval(timer));
  };
}

/** A status line, then one header line per `intervalMs`, never the blank line that ends them. */
export function endlessHeaders(intervalMs = 200): Handler {
  return (req) => {
    const socket = req.socket;
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n");
    let n = 0;
    const timer = setInterval(() => socket.write(`X-Filler-${n++}: ${"x".repeat(40)}\r\n`), intervalMs);
    socket.on("close", () => clearInterval(timer));
  };
}

/** Header lines as fast as the client takes them, never ending (overflows any sane header limit). */
export function headerFlood(): Handler {
  return (req) => {
    const socket = req.socket;
    socket.write("HTTP/1.1 200 OK\r\n");
    const line = `X-Flood: ${"y".repeat(1000)}\r\n`;
    let open = true;
    socket.on("close", () => {
      open = false;
    });
    socket.on("error", () => {});
    const pump = () => {
      while (open && socket.write(line));
      if (open) socket.once("drain", pump);
    };
    pump();
  };
}

/** Accepts the request and never answers. */
export function silent(): Handler {
  return () => {};
}

export function redirect(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location, "content-type": "text/plain" });
    res.end(`moved to ${location}`);
  };
}

export function status(code: number, headers: Record<string, string> = {}, body = `status ${code}`): Handler {
  return (_req, res) => {
    res.writeHead(code, { "content-type": "text/plain", ...headers });
    res.end(body);
  };
}

/** A page where a feed was expected, advertising `feeds` (hrefs as written, relative ones too). */
export function htmlPage(feeds: Array<{ href: string; type?: string; title?: string }> = []): Handler {
  const links = feeds
    .map((f) => `<link rel="alternate" type="${f.type ?? "application/rss+xml"}" title="${f.title ?? "Feed"}" href="${f.href}">`)
    .join("\n    ");
  const page = `<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8">\n    <title>News</title>\n    ${links}\n  </head>\n  <body><h1>News</h1><p>Read our <a href="/feed">feed</a>.</p></body>\n</html>\n`;
  return sendBody(page, { "content-type": "text/html; charset=utf-8" });
}

/** Serves `body` with an ETag and Last-Modified, and 304 to a request that sends either back. */
export function conditional(body: string, etag = '"v1"', lastModified = "Thu, 23 Jan 2025 10:00:00 GMT"): Handler {
  return (req, res) => {
    if (req.headers["if-none-match"] === etag || (req.headers["if-none-match"] === undefined && req.headers["if-modified-since"] === lastModified)) {
      res.writeHead(304, { etag, "last-modified": lastModified });
      res.end();
      return;
    }
    sendBody(body, { etag, "last-modified": lastModified })(req, res);
  };
}

// ---- server ---------------------------------------------------------------

/** Starts the server on 127.0.0.1 (or another loopback `host`) on a free port, with the default routes. */
export async function startEvilServer(options: { host?: string } = {}): Promise<EvilServer> {
  const host = options.host ?? "127.0.0.1";
  const routes = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push({ method: req.method ?? "", path, headers: req.headers });
    res.on("error", () => {});
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else status(404)(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host}:${port}`;
  const url = (path: string) => `${origin}${path}`;

  routes.set("/feed.rss", sendBody(SAMPLE_FEED));
  routes.set("/feed.gz", compressed(SAMPLE_FEED, "gzip"));
  routes.set("/feed.br", compressed(SAMPLE_FEED, "br"));
  routes.set("/feed.deflate", compressed(SAMPLE_FEED, "deflate"));
  routes.set("/feed.raw-deflate", compressed(SAMPLE_FEED, "raw-deflate"));
  routes.set("/conditional", conditional(SAMPLE_FEED));
  routes.set("/huge", hugeBody(GIB));
  routes.set("/huge-declared", hugeBody(GIB, { declare: true }));
  routes.set("/bomb", gzipBomb().handler);
  routes.set("/drip", drip());
  routes.set("/endless-headers", endlessHeaders());
  routes.set("/header-flood", headerFlood());
  routes.set("/silent", silent());
  routes.set("/loop-a", redirect(url("/loop-b")));
  routes.set("/loop-b", redirect(url("/loop-a")));
  routes.set("/to-localhost", redirect(`http://localhost:${port}/feed.rss`));
  routes.set("/html", htmlPage());
  routes.set("/html-with-feeds", htmlPage([{ href: "/feed.rss" }, { href: "https://news.example.com/atom.xml", type: "application/atom+xml" }]));
  routes.set("/empty", sendBody(""));
  routes.set("/500", status(500));
  routes.set("/429", status(429, { "retry-after": "120" }));
  routes.set("/503", status(503, { "retry-after": new Date(Date.now() + 600_000).toUTCString() }));

  return {
    origin,
    port,
    url,
    route: (path, handler) => routes.set(path, handler),
    requests,
    openConnections: () => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
