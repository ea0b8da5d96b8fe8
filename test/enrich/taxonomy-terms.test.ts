import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileMatcher, loadTaxonomy, tagText } from "../../src/enrich/index.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

describe("taxonomy term groups", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fe-terms-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function load(yaml: string) {
    const file = join(dir, "topics.yaml");
    writeFileSync(file, yaml);
    return loadTaxonomy(file, { scheme: "http://x/", iptcFile: resolve(REPO_ROOT, "config/iptc/mediatopic.json") });
  }

  it("gives a mapping inside a group the group's options, overridden by its own", () => {
    const taxonomy = load(`threshold: 3
topics:
  - id: disaster
    label: Disasters
    iptc: medtop:03000000
    terms:
      en:
        - { terms: [flood*, { term: landslide*, not_near: [election] }, { terms: [quake], weight: 3 }], weight: 1.5, not_near: [market] }
`);
    const terms = taxonomy.topics[0]!.terms;
    expect(terms.map((t) => t.text)).toEqual(["flood*", "landslide*", "quake"]);
    expect(terms[0]).toMatchObject({ weight: 1.5, forbidNear: ["market"] });
    expect(terms[1]).toMatchObject({ weight: 1.5, forbidNear: ["election"] });
    expect(terms[2]).toMatchObject({ weight: 3, forbidNear: ["market"] });

    const matcher = compileMatcher(taxonomy);
    const tag = (title: string) => tagText(matcher, { title, body: "", language: "en" }).map((t) => t.id);
    expect(tag("Landslide buries village")).toEqual(["disaster"]);
    expect(tag("Landslide win in the election")).toEqual([]);
  });

  it("reports a bad option inside a group with its place", () => {
    expect(() =>
      load(`topics:
  - id: disaster
    label: Disasters
    iptc: medtop:03000000
    terms:
      en:
        - { terms: [flood*, { term: landslide*, weight: -1 }] }
`),
    ).toThrow(/terms\.en\[0\]\.terms\[1\]\.weight: expected a positive number/);
  });
});

describe("taxonomy files that cannot be read", () => {
  it("names the missing taxonomy or vocabulary file and what to set, with a code", () => {
    const dir = mkdtempSync(join(tmpdir(), "fe-missing-"));
    try {
      const missing = join(dir, "topics.yaml");
      expect(() => loadTaxonomy(missing, { scheme: "http://x/" })).toThrow(
        expect.objectContaining({ code: "invalid-taxonomy", message: expect.stringMatching(/topics\.yaml[\s\S]*no such file[\s\S]*set `taxonomy:`/) }),
      );
      writeFileSync(missing, "topics: []\n");
      expect(() => loadTaxonomy(missing, { scheme: "http://x/" })).toThrow(
        expect.objectContaining({
          code: "invalid-taxonomy",
          message: expect.stringMatching(/iptc\/mediatopic\.json[\s\S]*IPTC Media Topics vocabulary \(no such file\)/),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
