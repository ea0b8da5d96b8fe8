import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/temp-project.js";

export interface ServiceProcess {
  child: ChildProcess;
  /** Base URL the service printed when it started listening. */
  url: string;
  output(): string;
  /** Resolves once a line of the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Runs `node bin/feed-enricher.js <command> --config FILE` and waits until it listens. */
export async function startService(command: "start" | "serve", configFile: string): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin/feed-enricher.js"), command, "--config", configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "info", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = text.split("\n").find((line) => pattern.test(line));
        if (m !== undefined) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no output line matched ${pattern} within ${timeoutMs} ms; output:\n${text}`));
      }, timeoutMs);
      listeners.add(check);
      void exited.then(() => {
        check();
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`the service exited before printing ${pattern}; output:\n${text}`));
        }
      });
      check();
    });
  const line = await waitFor(/feed-enricher: listening on http:\/\//);
  const url = /listening on (http:\/\/\S+)/.exec(line)![1]!;
  return {
    child,
    url,
    output: () => text,
    waitFor,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface TestServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with a free port. */
export async function startTestServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A small RSS 2.0 feed with `count` items, dated so each run gives the same bytes. */
export function rssFeed(title: string, count: number, topicWords = "immigration border troops"): string {
  const items = Array.from({ length: count }, (_, i) => {
    const day = String((i % 27) + 1).padStart(2, "0");
    return `<item><title>${title} story ${i + 1} about ${topicWords}</title><link>https://news.example/${title}/${i + 1}</link><guid>https://news.example/${title}/${i + 1}</guid><pubDate>Mon, ${day} Jan 2026 10:00:00 GMT</pubDate><description>Story ${i + 1}: ${topicWords} in the news. The military sent troops to the border as immigration policy changed.</description></item>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>https://news.example/${title}</link><description>${title}</description>\n${items}\n</channel></rss>\n`;
}
