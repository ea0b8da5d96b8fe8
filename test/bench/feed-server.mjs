// A static feed server for the benchmarks: serves the files of one folder on
// several 127.0.0.1 ports (each port is a different "host" for the per-host
// politeness of the refresh cycle), with a strong ETag and 304 on If-None-Match.
// Prints {"ports":[…]} on stdout once listening.
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
    hit = { body, etag: `"${createHash("sha1").update(body).digest("hex")}"` };
    cache.set(name, hit);
  }
  return hit;
}

function handler(req, res) {
  const name = decodeURIComponent(new URL(req.url, "http://x").pathname.slice(1));
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
    res.writeHead(304, { etag: file.etag }).end();
    return;
  }
  res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", etag: file.etag, "content-length": file.body.length });
  res.end(file.body);
}

const ports = [];
for (let i = 0; i < count; i++) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
