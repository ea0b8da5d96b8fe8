import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A request with the path sent exactly as given (no normalisation, unlike
 * fetch), so traversal attempts reach the server byte for byte.
 */
export function rawRequest(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: options.method ?? "GET", path, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The body with its Content-Encoding undone. */
export function decodedBody(res: RawResponse): string {
  const enc = res.headers["content-encoding"];
  if (enc === "gzip") return gunzipSync(res.body).toString("utf8");
  if (enc === "br") return brotliDecompressSync(res.body).toString("utf8");
  return res.body.toString("utf8");
}
