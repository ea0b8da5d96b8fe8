import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionPool, FetchError, type FetchOptions, type FetchResult, fetchSource } from "../../src/fetch/index.js";
import type { Source } from "../../src/model/index.js";
import { REPO_ROOT, tempProject } from "../helpers/temp-project.js";
import { runCli } from "../store/cli-process.js";

const FEED = readFileSync(join(REPO_ROOT, "config/sample/radiohc-en.rss"));
const ETAG = '"pool-v1"';

const OPTIONS: FetchOptions = {
  timeoutMs: 5000,
  connectTimeoutMs: 1000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: "feed-enricher/0.1 (+https://feeds.example.org/)",
  allowPrivate: false,
};

interface CountingServer {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Server-side sockets, to see which are still open. */
  sockets: Socket[];
  /** Status of each answer sent. */
  answered: number[];
  close(): Promise<void>;
}

/** A feed with an ETag and 304 on If-None-Match, counting the connections it accepts; `hook` may take over a request. */
async function startServer(hook?: (req: IncomingMessage, res: ServerResponse, nthOnSocket: number) => boolean): Promise<CountingServer> {
  const perSocket = new WeakMap<Socket, number>();
  const server: Server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (hook?.(req, res, n)) return;
    res.on("finish", () => state.answered.push(res.statusCode));
    if (req.headers["if-none-match"] === ETAG) {
      res.writeHead(304, { etag: ETAG }).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/rss+xml", etag: ETAG, "content-length": FEED.length }).end(FEED);
  });
  // Longer than any test: a connection is closed by the client or by close(), never by the server's idle timer.
  server.keepAliveTimeout = 60_000;
  const state: CountingServer = {
    port: 0,
    connections: 0,
    sockets: [],
    answered: [],
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  server.on("connection", (socket: Socket) => {
    state.connections++;
    state.sockets.push(socket);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

function source(url: string, local: boolean): Source {
  return { id: "pooled", title: "Pooled", url, schedule: "*/15 * * * *", local, boilerplate: [] };
}

const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function setUp(hook?: Parameters<typeof startServer>[0]): Promise<{ server: CountingServer; pool: ConnectionPool; options: FetchOptions }> {
  const server = await startServer(hook);
  const pool = new ConnectionPool();
  opened.push(server, pool);
  return { server, pool, options: { ...OPTIONS, pool } };
}

function ok(result: FetchResult) {
  if (result.status !== "ok") throw new Error(`expected ok, got ${result.status}`);
  return result;
}

describe("the connection pool", () => {
  it("reuses one connection for a second fetch and for a 304 after it", async () => {
    const { server, options } = await setUp();
    const src = source(`http://127.0.0.1:${server.port}/feed.rss`, true);
    const first = ok(await fetchSource(src, {}, options));
    expect(first.body.equals(FEED)).toBe(true);
    expect(ok(await fetchSource(src, {}, options)).body.equals(FEED)).toBe(true);
    const again = await fetchSource(src, { etag: first.etag! }, options);
    expect(again).toEqual({ status: "not-modified", url: src.url });
    expect(await fetchSource(src, { etag: first.etag! }, options)).toMatchObject({ status: "not-modified" });
    expect(server.connections).toBe(1);
  });

  it("opens a connection per request without a pool, and leaves none open", async () => {
    const { server } = await setUp();
    const src = source(`http://127.0.0.1:${server.port}/feed.rss`, true);
    ok(await fetchSource(src, {}, OPTIONS));
    await fetchSource(src, { etag: ETAG }, OPTIONS);
    expect(server.connections).toBe(2);
  });

  it("never hands a socket to another host", async () => {
    const { server, options } = await setUp();
    ok(await fetchSource(source(`http://127.0.0.1:${server.port}/feed.rss`, true), {}, options));
    ok(await fetchSource(source(`http://localhost:${server.port}/feed.rss`, true), {}, options));
    expect(server.connections).toBe(2);
  });

  it("still refuses a private address to a public source after a local source to the same host pooled a socket", async () => {
    const { server, options } = await setUp();
    const url = `http://localhost:${server.port}/feed.rss`;
    ok(await fetchSource(source(url, true), {}, options));
    const refused = await fetchSource(source(url, false), {}, options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FetchError);
    expect((refused as FetchError).code).toBe("blocked-address");
    const literal = await fetchSource(source(`http://127.0.0.1:${server.port}/feed.rss`, false), {}, options).catch((e: unknown) => e);
    expect((literal as FetchError).code).toBe("blocked-address");
    // The refused requests never reached the server: the one connection is the local source's.
    expect(server.connections).toBe(1);
  });

  it("sends the GET again on a fresh connection when the server drops a pooled one as it is reused", async () => {
    // The second request on any connection is cut unanswered, as a server closing an idle connection at that moment does.
    const { server, options } = await setUp((req, _res, nth) => {
      if (nth < 2) return false;
      req.socket.destroy();
      return true;
    });
    const src = source(`http://127.0.0.1:${server.port}/feed.rss`, true);
    ok(await fetchSource(src, {}, options));
    expect(await fetchSource(src, { etag: ETAG }, options)).toMatchObject({ status: "not-modified" });
    expect(server.connections).toBe(2);
  });

  it("still applies the connect timeout to a new pooled connection whose handshake never completes", async () => {
    const mute = createNetServer((socket) => socket.resume().on("error", () => {}));
    await new Promise<void>((done) => mute.listen(0, "127.0.0.1", done));
    opened.push({ close: () => new Promise((done) => mute.close(done)) });
    const pool = new ConnectionPool();
    opened.push(pool);
    const port = (mute.address() as AddressInfo).port;
    const error = await fetchSource(source(`https://127.0.0.1:${port}/feed.rss`, true), {}, { ...OPTIONS, pool, connectTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect((error as FetchError).code).toBe("timeout");
    expect((error as FetchError).message).toContain("no connection within 300 ms");
  });

  it("closes its idle connections on close()", async () => {
    const { server, pool, options } = await setUp();
    ok(await fetchSource(source(`http://127.0.0.1:${server.port}/feed.rss`, true), {}, options));
    const serverSide = server.sockets[0]!;
    expect(serverSide.destroyed).toBe(false);
    const closed = new Promise<void>((done) => serverSide.once("close", () => done()));
    pool.close();
    await closed;
    expect(serverSide.destroyed).toBe(true);
    // A closed pool no longer pools: a late fetch still works, on a connection of its own.
    ok(await fetchSource(source(`http://127.0.0.1:${server.port}/feed.rss`, true), {}, options));
    expect(server.connections).toBe(2);
  });
});

describe("the run command with the pool", () => {
  it("exits after its cycle while the server would keep the connection open, and a second run gets a 304", async () => {
    const { server } = await setUp();
    const project = tempProject(`sources:\n  - id: pooled\n    title: Pooled\n    url: http://127.0.0.1:${server.port}/feed.rss\n    local: true\n`);
    opened.push({ close: () => project.cleanup() });
    const first = await runCli(["run", "--config", project.configFile]);
    expect(first.code, first.stderr).toBe(0);
    const files = readdir(project.feedsDir);
    expect(files.length).toBeGreaterThan(0);
    const before = new Map(files.map((f) => [f, mtime(join(project.feedsDir, f))]));
    const second = await runCli(["run", "--config", project.configFile]);
    expect(second.code, second.stderr).toBe(0);
    expect(server.connections).toBe(2);
    expect(server.answered).toEqual([200, 304]);
    for (const [f, t] of before) expect(mtime(join(project.feedsDir, f)), f).toBe(t);
  }, 60_000);
});

function readdir(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
}

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}
