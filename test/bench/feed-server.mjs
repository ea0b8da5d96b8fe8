// A static feed server for the benchmarks: serves the files of one folder on
// several 127.0.0.1 ports (each port is a different "host" for the per-host
// politeness of the refresh cycle), with a strong ETag and 304 on If-None-Match.
// Prints {"ports":[…]} on stdout once listening.
//
// Each file is read and hashed once, on its first request, and its 200 and
// 304 header lists are built then: a request costs a map lookup and one write,
// as an origin with its validators in memory answers, so the benchmark's 304
// row measures the client rather than this server.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

const [dir, countArg] = process.argv.slice(2);
const count = Number(countArg ?? "1");
const cache = new Map();

function load(name) {
  let hit = cache.get(name);
  if (!hit) {
    const body = readFileSync(join(dir, name));
    const etag = `"${createHash("sha1").update(body).digest("hex")}"`;
    hit = {
      body,
      etag,
      notModified: ["etag", etag],
      ok: ["content-type", "application/rss+xml; charset=utf-8", "etag", etag, "content-length", String(body.length)],
    };
    cache.set(name, hit);
  }
  return hit;
}

function handler(req, res) {
  const url = req.url;
  const query = url.indexOf("?");
  const name = decodeURIComponent(query < 0 ? url.slice(1) : url.slice(1, query));
  if (name.includes("/") || name.includes("..")) {
    res.writeHead(404).end();
    return;
  }
  let file;
  try {
    file = load(name);
  } catch {
    res.writeHead(404).end();
    return;
  }
  if (req.headers["if-none-match"] === file.etag) {
    res.writeHead(304, file.notModified).end();
    return;
  }
  res.writeHead(200, file.ok);
  res.end(file.body);
}

const ports = [];
for (let i = 0; i < count; i++) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
