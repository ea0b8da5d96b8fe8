import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileMatcher, loadTaxonomy, tagText } from "../../src/enrich/index.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

// The shipped taxonomy on sentences written for these tests (not taken from
// the labelled set): words that look like a topic's vocabulary but are not.
const taxonomy = loadTaxonomy(resolve(REPO_ROOT, "config/topics.yaml"), { scheme: "http://127.0.0.1:8080/topics/" });
const matcher = compileMatcher(taxonomy);
const tags = (title: string, body: string, language: "en" | "es") => tagText(matcher, { title, body, language }).map((t) => t.id);

describe("the default taxonomy on look-alike words", () => {
  it("does not read word stems as other words (import in important, author in authorities, opera in operations)", () => {
    const got = tags(
      "Important update on airport operations",
      "The authorities said the operations would resume after an important review of booking systems and hospitality staff rotas.",
      "en",
    );
    expect(got).not.toContain("trade");
    expect(got).not.toContain("culture");
    expect(got).not.toContain("health");
  });

  it("keeps killer whales, killer prices and a bargain 'steal' out of crime", () => {
    expect(tags("Killer whales learn to mimic human words", "Researchers recorded orcas copying sounds.", "en")).not.toContain("crime");
    expect(tags("Cyber Monday steal: killer prices on laptops", "The best discounts on laptops and tablets this week.", "en")).not.toContain("crime");
  });

  it("tags the Slack app as technology but not slack adjusters or slack wax", () => {
    expect(
      tags("Automotive slack adjuster market report", "The slack adjuster market size and share by key players, revenue and forecast.", "en"),
    ).not.toContain("technology");
    expect(tags("Slack adds video calls", "The workplace messaging app Slack now lets users start calls from any channel.", "en")).toContain("technology");
  });

  it("reads a cease-fire brokered between states as diplomacy too", () => {
    const got = tags(
      "Envoys secure cease-fire agreement in border war",
      "The foreign ministers of both countries signed a cease-fire agreement after talks; troops will pull back as fighting stops.",
      "en",
    );
    expect(got).toEqual(expect.arrayContaining(["armed-conflict", "diplomacy"]));
  });

  it("does not take a heart attack, an air strike or a suicide bombing for something else", () => {
    expect(tags("Senator recovering after heart attack", "The senator suffered a heart attack at home and is in hospital.", "en")).not.toContain("terrorism");
    expect(tags("Suicide bombing kills 12 at market", "A suicide bomber attacked a crowded market; the bomb killed 12 people.", "en")).not.toContain("health");
  });

  it("keeps Spanish deportations out of sport, a football match out of elections, and a figurative frontera out of borders", () => {
    const deport = tags(
      "Aumentan las deportaciones de migrantes",
      "Las deportaciones de migrantes indocumentados crecieron este año, según cifras oficiales de inmigración.",
      "es",
    );
    expect(deport).toContain("immigration");
    expect(deport).not.toContain("sport");
    expect(tags("El partido del domingo", "El equipo ganó el partido de fútbol con dos goles en el estadio.", "es")).not.toContain("elections");
    expect(tags("Un chef sin fronteras", "Su cocina rompe la frontera entre lo dulce y lo salado.", "es")).not.toContain("border");
  });

  it("does not take the month of March, a team's defense or a birthday party for protest, the military or elections", () => {
    const got = tags(
      "Jets rebuild their defense before the season",
      "In March the coach moved two players to defense; the team's drills start on March 3, after the birthday party for the owner.",
      "en",
    );
    expect(got).toContain("sport");
    for (const wrong of ["protest", "military", "elections"]) expect(got).not.toContain(wrong);
  });

  it("reads Spanish everyday phrases as such: en marcha, de acuerdo con, elecciones generales, fieles a", () => {
    const got = tags(
      "El plan de vivienda ya está en marcha",
      "De acuerdo con el alcalde, el plan se puso en marcha tras las elecciones generales; los vecinos siguen fieles a su barrio y la medición del ruido bajó.",
      "es",
    );
    for (const wrong of ["protest", "diplomacy", "military", "religion", "health"]) expect(got).not.toContain(wrong);
  });

  it("needs weather words for a Spanish 'temporal' and a 'pronóstico'", () => {
    expect(tags("Contrato temporal para 200 trabajadores", "La empresa ofrece un empleo temporal y el pronóstico de ventas es bueno.", "es")).not.toContain(
      "weather",
    );
    expect(tags("Temporal de lluvia y viento en la costa", "La AEMET activa avisos por lluvias intensas y fuertes rachas de viento.", "es")).toContain(
      "weather",
    );
  });
});
