import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateConfig } from "../../src/config/index.js";
import { ConfigError } from "../../src/shared/errors.js";

function problemsOf(yaml: string): string[] {
  try {
    validateConfig(parse(yaml), "/tmp/x/config/feed-enricher.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("config validation", () => {
  it("reports every problem at once, each with its path, what was expected and what was found", () => {
    const problems = problemsOf(`
publicBaseUrl: not-a-url
outputs:
  maxItems: "lots"
  colour: blue
sources:
  - id: ok
    file: a.rss
  - id: bad
    url: ftp://x
  - id: Bad Id
    url: https://example.org/feed
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^publicBaseUrl: expected an http\(s\) URL, got "not-a-url"/),
        expect.stringMatching(/^outputs\.maxItems: expected number, got "lots"/),
        expect.stringMatching(/^outputs\.colour: unknown key/),
        'sources[1].url: expected an http(s) URL or a file path, got "ftp://x"',
        expect.stringMatching(/^sources\[2\]\.id: expected lowercase letters, digits and hyphens, got "Bad Id"/),
      ]),
    );
    expect(problems.length).toBe(5);
  });

  it("refuses duplicate source ids and a source with neither url nor file", () => {
    const problems = problemsOf(`
sources:
  - id: a
    file: a.rss
  - id: a
    file: b.rss
`);
    expect(problems).toEqual(['sources[1].id: expected a unique id, got "a" a second time']);
    expect(problemsOf("sources:\n  - id: x\n")).toEqual([expect.stringMatching(/^sources\[0\]\.url: expected an http\(s\) URL or a file path, got nothing/)]);
  });

  it("fills defaults and resolves paths against the config folder and the project", () => {
    const config = validateConfig(parse("sources:\n  - id: s\n    file: sample/x.rss\n"), "/srv/app/config/feed-enricher.yaml");
    expect(config.outputs.maxItems).toBe(100);
    expect(config.sources[0]).toMatchObject({ id: "s", file: "/srv/app/config/sample/x.rss", schedule: "*/15 * * * *", local: true });
    expect(config.feedsDir).toBe("/srv/app/feeds");
    expect(config.taxonomyFile).toBe("/srv/app/config/topics.yaml");
  });

  it("rejects an invalid cron schedule", () => {
    expect(problemsOf('sources:\n  - id: s\n    file: x.rss\n    schedule: "every day"\n')).toEqual([
      expect.stringMatching(/^sources\[0\]\.schedule: expected a cron expression/),
    ]);
  });
});
