import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawFeed } from "../../src/model/index.js";
import { ParseError, parseFeed } from "../../src/parse/index.js";

/** Either the feed, or the ParseError it failed with; anything else thrown fails the test. */
async function outcome(xml: string, timeoutMs = 10_000): Promise<RawFeed | ParseError> {
  try {
    return await parseFeed(xml, { timeoutMs });
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
}

const rss = (prolog: string, body: string) => `<?xml version="1.0"?>${prolog}<rss version="2.0"><channel><title>t</title>${body}</channel></rss>`;

describe("hostile XML: entity expansion", () => {
  it("billion laughs (nested internal entities) is refused before anything expands", async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
    const xml = rss(`<!DOCTYPE rss [<!ENTITY lol0 "lol">${levels}]>`, "<item><title>&lol9;</title></item>");
    const result = await outcome(xml);
    expect(result).toBeInstanceOf(ParseError);
    expect((result as ParseError).code).toBe("hostile-xml");
    expect((result as ParseError).message).toMatch(/billion laughs/);
  });

  it("quadratic blowup (one big entity referenced many times) is refused at the expansion budget", async () => {
    const xml = rss(`<!DOCTYPE rss [<!ENTITY big "${"x".repeat(100_000)}">]>`, `<item><title>${"&big;".repeat(20_000)}</title></item>`);
    const result = await outcome(xml);
    expect((result as ParseError).code).toBe("hostile-xml");
    expect((result as ParseError).message).toMatch(/quadratic/);
  });
});

describe("hostile XML: external entities (XXE)", () => {
  let server: Server;
  let port = 0;
  let requests = 0;
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "xxe-"));
    writeFileSync(join(dir, "secret.txt"), "TOP-SECRET-CONTENT");
    server = createServer((_req, res) => {
      requests++;
      res.end('<!ENTITY leak "LEAKED-OVER-HTTP">');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("a SYSTEM entity naming a local file is refused and the file never read into the feed", async () => {
    const xml = rss(`<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://${join(dir, "secret.txt")}">]>`, "<item><title>&xxe;</title></item>");
    const result = await outcome(xml);
    expect((result as ParseError).code).toBe("hostile-xml");
    expect(JSON.stringify(result)).not.toContain("TOP-SECRET");
  });

  it("a SYSTEM entity naming /etc/passwd is refused", async () => {
    const result = await outcome(rss('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "<item><title>&xxe;</title></item>"));
    expect((result as ParseError).code).toBe("hostile-xml");
  });

  it("a SYSTEM or PUBLIC entity naming an HTTP URL is refused and never fetched", async () => {
    const before = requests;
    for (const decl of [`<!ENTITY xxe SYSTEM "http://127.0.0.1:${port}/x">`, `<!ENTITY xxe PUBLIC "-//X//EN" "http://127.0.0.1:${port}/y">`]) {
      const result = await outcome(rss(`<!DOCTYPE rss [${decl}]>`, "<item><title>&xxe;</title></item>"));
      expect((result as ParseError).code).toBe("hostile-xml");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBe(before);
  });

  it("an external DTD or parameter entity is discarded unread: the feed parses, nothing is fetched", async () => {
    const before = requests;
    const xml = rss(
      `<!DOCTYPE rss SYSTEM "http://127.0.0.1:${port}/rss.dtd" [<!ENTITY % remote SYSTEM "http://127.0.0.1:${port}/evil.dtd"> %remote;]>`,
      "<item><title>safe &leak;</title></item>",
    );
    const result = await outcome(xml);
    expect(result).not.toBeInstanceOf(ParseError);
    expect((result as RawFeed).items[0]?.title).toBe("safe &leak;");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBe(before);
  });
});

describe("hostile XML: size and depth", () => {
  it("10,000-deep well-formed nesting is a clear error or a safe parse, never a stack overflow", async () => {
    const xml = rss("", `<item><title>deep</title><description>${"<x>".repeat(10_000)}${"</x>".repeat(10_000)}</description></item>`);
    const result = await outcome(xml);
    if (result instanceof ParseError) expect(result.code).toBe("hostile-xml");
    else expect(result.items[0]?.title).toBe("deep");
  });

  it("10,000 unclosed elements (the repair path) are a clear error or a safe parse", async () => {
    const xml = rss("", `<item><title>deep</title><description>${"<x>".repeat(10_000)}</description></item>`);
    const result = await outcome(xml);
    if (result instanceof ParseError) expect(result.code).toBe("hostile-xml");
    else expect(result.items[0]?.title).toBe("deep");
  });

  it("100,000 unclosed elements are refused without building the tree", async () => {
    const result = await outcome(rss("", `<item><title>deep</title></item>${"<x>".repeat(100_000)}`));
    expect((result as ParseError).code).toBe("hostile-xml");
  });

  it("100,000 items parse within the time limit or stop with code timeout", async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `<item><title>Item ${i}</title><guid>id-${i}</guid></item>`).join("");
    const result = await outcome(rss("", items), 1_500);
    if (result instanceof ParseError) expect(result.code).toBe("timeout");
    else expect(result.items).toHaveLength(100_000);
  });

  it("a time limit shorter than the parse stops it with code timeout", async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `<item><title>Item ${i}</title></item>`).join("");
    const result = await outcome(rss("", items), 20);
    expect(result).toBeInstanceOf(ParseError);
    expect((result as ParseError).code).toBe("timeout");
  });

  it("one 10 MB item parses whole", async () => {
    const body = "word ".repeat(2_000_000);
    const result = await outcome(rss("", `<item><title>big</title><description>${body}</description></item>`));
    expect(result).not.toBeInstanceOf(ParseError);
    expect((result as RawFeed).items[0]?.summary?.length).toBe(body.length);
  });
});
