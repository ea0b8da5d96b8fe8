import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { extractEntities } from "../../src/enrich/index.js";
import { htmlToText } from "../../src/normalize/index.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const names = (title: string, body: string, lang = "en") => extractEntities(title, body, lang).map((e) => `${e.kind}:${e.name}`);

describe("entities", () => {
  it("finds the seed story's people, places and organizations", () => {
    // The seed story as normalize produces it (test/fixtures/normalize/README.md).
    const entries = JSON.parse(readFileSync(resolve(REPO_ROOT, "test/fixtures/normalize/sample-entries.golden.json"), "utf8"));
    const seed = entries[0];
    const found = names(seed.title, htmlToText(seed.contentHtml) || seed.summary);
    expect(found).toEqual(
      expect.arrayContaining([
        "person:Donald Trump",
        "person:Karoline Leavitt",
        "person:Laken Riley",
        "place:Mexico",
        "place:Washington",
        "organization:ICE",
        "organization:Senate",
        "organization:House of Representatives",
      ]),
    );
    expect(found).not.toContain("person:Trump");
    expect(found).not.toContain("place:House of Representatives");
  });

  it("reads honorifics, possessives, sentence ends and 'X of Y' names", () => {
    const found = names(
      "Tariffs anger Canada",
      "Canadian Prime Minister Justin Trudeau said the tariffs were unfair, says the BBC's Jonathan Head. The Department of Labor disagreed. Pope Francis spoke in Rome. It rained on Monday.",
    );
    expect(found).toEqual(
      expect.arrayContaining([
        "person:Justin Trudeau",
        "person:Jonathan Head",
        "person:Pope Francis",
        "place:Canada",
        "place:Rome",
        "organization:BBC",
        "organization:Department of Labor",
      ]),
    );
    for (const wrong of ["Monday", "It", "Head. The Department", "Canadian Prime Minister Justin Trudeau"]) expect(found.join("|")).not.toContain(`:${wrong}|`);
  });

  it("keeps only lexicon names from a Title Case headline", () => {
    const found = names("Trump Says He Is Willing to Move Without Congress on Border Wall", "The president spoke in Washington on Friday.");
    expect(found).toContain("organization:Congress");
    expect(found.some((n) => n.includes("Move Without"))).toBe(false);
  });
});
