import cron from "node-cron";
import { z } from "zod";

// Every object is strict: a misspelt key is an error, not a silently ignored setting.
const cronExpression = z.string().refine((s) => cron.validate(s), {
  message: 'expected a cron expression with 5 or 6 fields such as "*/15 * * * *"',
});

const httpUrl = z.string().refine((s) => /^https?:\/\/[^\s/]+/i.test(s), { message: "expected an http(s) URL" });

const sourceSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: "expected lowercase letters, digits and hyphens" }),
    title: z.string().min(1).optional(),
    url: z.string().optional(),
    file: z.string().optional(),
    schedule: cronExpression.optional(),
    local: z.boolean().default(false),
    language: z.string().optional(),
    boilerplate: z.array(z.string()).default([]),
    enabled: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    if (s.url === undefined && s.file === undefined) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "expected an http(s) URL or a file path, got nothing (set url or file)" });
    }
    if (s.url !== undefined && s.file !== undefined) {
      ctx.addIssue({ code: "custom", path: ["file"], message: "expected either url or file, not both" });
    }
    if (s.url !== undefined && !/^https?:\/\/[^\s/]+/i.test(s.url)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: `expected an http(s) URL or a file path, got ${JSON.stringify(s.url)}` });
    }
    for (const [i, pattern] of s.boilerplate.entries()) {
      try {
        new RegExp(pattern, "iu");
      } catch {
        ctx.addIssue({ code: "custom", path: ["boilerplate", i], message: `expected a regular expression, got ${JSON.stringify(pattern)}` });
      }
    }
  });

export const configSchema = z.strictObject({
  publicBaseUrl: httpUrl.default("http://127.0.0.1:8080/"),
  runtimeDir: z.string().default(".feed-enricher"),
  feedsDir: z.string().default("feeds"),
  taxonomy: z.string().default("topics.yaml"),
  server: z
    .strictObject({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8080),
    })
    .prefault({}),
  outputs: z
    .strictObject({
      formats: z
        .array(z.enum(["rss", "atom", "json"]))
        .min(1)
        .default(["rss", "atom", "json"]),
      maxItems: z.number().int().min(1).max(10000).default(100),
      perTopic: z.boolean().default(true),
      perSource: z.boolean().default(true),
      title: z.string().default("feed-enricher"),
      hub: httpUrl.optional(),
    })
    .prefault({}),
  schedule: z
    .strictObject({
      default: cronExpression.default("*/15 * * * *"),
      concurrency: z.number().int().min(1).max(64).default(4),
      jitterSeconds: z.number().min(0).default(30),
      maxBackoffMinutes: z.number().min(1).default(360),
    })
    .prefault({}),
  fetch: z
    .strictObject({
      timeoutMs: z.number().int().min(100).default(30000),
      connectTimeoutMs: z.number().int().min(100).default(10000),
      maxBytes: z
        .number()
        .int()
        .min(1024)
        .default(10 * 1024 * 1024),
      maxRedirects: z.number().int().min(0).max(20).default(5),
      userAgent: z.string().min(1).optional(),
    })
    .prefault({}),
  parse: z
    .strictObject({
      // A wall-clock limit per document, so one enormous or hostile feed cannot
      // hold a refresh slot for ever. 20 s parses ≈ 30,000 ordinary items on a
      // busy 2-core machine; a source with a larger backlog needs more.
      timeoutMs: z.number().int().min(100).default(20000),
    })
    .prefault({}),
  retention: z
    .strictObject({
      maxAgeDays: z.number().min(1).optional(),
      maxEntriesPerSource: z.number().int().min(1).default(1000),
      // Days a source removed from the config keeps its stored entries (hidden
      // from every feed) before they are deleted: a mistyped or briefly
      // commented-out id costs no history. 0 deletes on the first run.
      removedSourceGraceDays: z.number().min(0).default(7),
    })
    .prefault({}),
  normalize: z
    .strictObject({
      trackingParams: z
        .array(z.string())
        .default(["utm_*", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "yclid", "igshid", "ref_src"]),
    })
    .prefault({}),
  sources: z.array(sourceSchema).min(1, { message: "expected at least one source" }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
