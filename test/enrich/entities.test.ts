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

describe("entities: who the story is about", () => {
  it("leaves out a photographer named only in the photo credit, and keeps a credited name the story also mentions", async () => {
    const { tagEntry, compileMatcher, loadTaxonomy } = await import("../../src/enrich/index.js");
    const matcher = compileMatcher(loadTaxonomy(resolve(REPO_ROOT, "config/topics.yaml"), { scheme: "http://127.0.0.1:8080/topics/" }));
    const body =
      "Members of the Mexican National Guard patrol the border wall [Gregory Bull/AP Photo]. The troops would stay, said Karoline Leavitt. Officers spoke to the crew, said Maria Lopez. Maria Lopez had filmed the patrol.";
    const entry = {
      id: "urn:x:1",
      sourceId: "s",
      title: "Troops at the border",
      firstSeen: "2026-01-01T00:00:00.000Z",
      authors: ["Maria Lopez"],
      summary: "",
      contentHtml: "",
      language: "en",
      categories: [],
      enclosures: [],
      image: { url: "https://example.com/a.jpg", credit: "Gregory Bull/AP Photo" },
      wordCount: 0,
      readingTimeMin: 0,
      topics: [],
      entities: [],
      contentHash: "x",
    };
    const people = tagEntry(matcher, entry, body)
      .entities.filter((e) => e.kind === "person")
      .map((e) => e.name);
    expect(people).toContain("Karoline Leavitt");
    expect(people).not.toContain("Gregory Bull");
    // Named twice in the text, once as the byline: the story mentions her.
    expect(people).toContain("Maria Lopez");
  });

  it("strips academic and civic titles, folds a lone first name into the full name, and reads a state as a place", () => {
    const found = names(
      "Index shows a fall in rights",
      "“The figures are stark,” said Professor Samuel Moyn of Yale. Samuel added that Virginia would publish its own. The train stopped in Virginia.",
    );
    expect(found).toContain("person:Samuel Moyn");
    expect(found).not.toContain("person:Professor Samuel");
    expect(found).not.toContain("person:Samuel");
    expect(found).toContain("place:Virginia");
    expect(found).not.toContain("person:Virginia");
  });
});
