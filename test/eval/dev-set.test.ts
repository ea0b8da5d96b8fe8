import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileMatcher, loadTaxonomy, tagText } from "../../src/enrich/index.js";
import { REPO_ROOT } from "../helpers/temp-project.js";
import { loadLabeled, scoreTagging } from "./score-tagging.js";

// Floors for the labelled development set (test/fixtures/tagging/dev.jsonl):
// a change to the taxonomy or the scorer that drops quality below them fails.
// Project targets are precision ≥ 0.90 and recall ≥ 0.85; docs/tagging.md has
// the latest numbers.
const MIN_PRECISION = 0.92;
const MIN_RECALL = 0.88;
// Per-topic F1 floor for topics with at least 5 core examples (all 28 on this set).
const MIN_TOPIC_F1 = 0.75;

describe("tagging quality on the labelled development set", () => {
  const taxonomy = loadTaxonomy(resolve(REPO_ROOT, "config/topics.yaml"), { scheme: "http://127.0.0.1:8080/topics/" });
  const matcher = compileMatcher(taxonomy);
  const items = loadLabeled(resolve(REPO_ROOT, "test/fixtures/tagging/dev.jsonl"));
  const predict = (item: (typeof items)[number]) => tagText(matcher, { title: item.title, body: item.text, language: item.lang }).map((t) => t.id);

  it("keeps micro precision and recall above the floors", () => {
    const score = scoreTagging(
      items,
      predict,
      taxonomy.topics.map((t) => t.id),
    );
    expect(score.items).toBe(316);
    expect(score.precision).toBeGreaterThanOrEqual(MIN_PRECISION);
    expect(score.recall).toBeGreaterThanOrEqual(MIN_RECALL);
  });

  it("keeps every topic with at least 5 core examples at F1 0.75 or more", () => {
    const score = scoreTagging(
      items,
      predict,
      taxonomy.topics.map((t) => t.id),
    );
    const weak = score.perTopic.filter((t) => t.coreSupport >= 5 && (t.f1 ?? 0) < MIN_TOPIC_F1).map((t) => `${t.topic} ${t.f1?.toFixed(2)}`);
    expect(weak).toEqual([]);
  });

  it("gets the seed story exactly right: every core topic, nothing outside core or mentioned", () => {
    const seed = items.find((i) => i.guid === "seed")!;
    const predicted = predict(seed);
    expect(predicted).toEqual(expect.arrayContaining(seed.core));
    for (const t of predicted) expect([...seed.core, ...seed.mentioned]).toContain(t);
  });

  it("leaves the look-alikes alone: Doctors Without Borders, a wildlife refuge, Natty Ice", () => {
    const lookAlikes = items.filter((i) => /Doctors Without Borders|wildlife refuge|Natty/i.test(`${i.title} ${i.text}`) && !i.core.includes("border"));
    expect(lookAlikes.length).toBeGreaterThan(0);
    for (const item of lookAlikes) {
      const predicted = predict(item);
      for (const wrong of ["border", "immigration", "refugees-asylum", "elections"]) {
        if (![...item.core, ...item.mentioned].includes(wrong)) expect(predicted, item.title).not.toContain(wrong);
      }
    }
  });
});
