import { readFile, stat } from "node:fs/promises";
import type { Source } from "../model/index.js";
import { FetchError } from "./fetch-error.js";
import { fetchHttp, type HttpOptions } from "./fetch-http.js";

export interface FetchOptions extends HttpOptions {}

/** Validators from the last good fetch, sent back for a conditional GET. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FetchResult =
  | {
      status: "not-modified";
      url: string;
      /** Set when a permanent redirect moved the feed: the config should say this URL. */
      movedTo?: string;
    }
  | {
      status: "ok";
      body: Buffer;
      /** Final URL after redirects (base for relative links). */
      url: string;
      contentType?: string;
      etag?: string;
      lastModified?: string;
      /** Set when a permanent redirect moved the feed: the config should say this URL. */
      movedTo?: string;
      /** Cache-Control max-age the server sent, in seconds. */
      maxAgeSeconds?: number;
    };

/** Reads a source's bytes from a file or over HTTP. Never parses. */
export async function fetchSource(source: Source, validators: Validators, options: FetchOptions): Promise<FetchResult> {
  if (source.file !== undefined) return fetchFile(source.file, options.maxBytes);
  if (source.url === undefined) throw new FetchError("io", `${source.id} has neither url nor file`);
  return fetchHttp(source.url, validators, { ...options, allowPrivate: options.allowPrivate || source.local });
}

async function fetchFile(path: string, maxBytes: number): Promise<FetchResult> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) {
      throw new FetchError("too-large", `${path} is ${info.size} bytes, over the ${maxBytes}-byte cap; raise fetch.maxBytes if the file is right`);
    }
    return { status: "ok", body: await readFile(path), url: `file://${path}` };
  } catch (error) {
    if (error instanceof FetchError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new FetchError("not-found", `${path} does not exist; check the source's file path`, { cause: error });
    throw new FetchError("io", `${path} could not be read (${code ?? String(error)})`, { cause: error });
  }
}
