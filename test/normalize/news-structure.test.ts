import { describe, expect, it } from "vitest";
import { htmlToText, parseCaption, parseDateline } from "../../src/normalize/index.js";
import { extractNewsStructure, figureText, renderFigure } from "../../src/normalize/news-structure.js";

// [paragraph text, place, date, agency, first words after the dateline, origin]
const DATELINES: Array<[string, string, string | undefined, string | undefined, string, string]> = [
  [
    "Washington, January 23 (RHC)-- The U.S. military has started to send 1,500 active-duty troops",
    "Washington",
    "January 23",
    "RHC",
    "The U.S. military",
    "seed story, Radio Habana Cuba",
  ],
  ["HAVANA (Reuters) - Cuba said on Monday it would free 553 prisoners", "HAVANA", undefined, "Reuters", "Cuba said", "Reuters wire style"],
  [
    "BRASÍLIA (Reuters) - O candidato do PSL à Presidência, Jair Bolsonaro",
    "BRASÍLIA",
    undefined,
    "Reuters",
    "O candidato",
    "corpus rss-parser__uolNoticias.rss",
  ],
  ["MADRID, 5 ene (EFE).- El Gobierno español aprobó este lunes", "MADRID", "5 ene", "EFE", "El Gobierno", "EFE style"],
  [
    "Nova York, 24 set (EFE).- O índice Dow Jones Industrial fechou nesta segunda-feira",
    "Nova York",
    "24 set",
    "EFE",
    "O índice",
    "corpus rss-parser__uolNoticias.rss",
  ],
  ["Quito, 24 Set 2018 (AFP) - O fundador do WikiLeaks, Julian Assange", "Quito", "24 Set 2018", "AFP", "O fundador", "corpus rss-parser__uolNoticias.rss"],
  ["La Habana, 23 de enero (PL) -- El canciller cubano denunció", "La Habana", "23 de enero", "PL", "El canciller", "Prensa Latina style"],
  ["UNITED NATIONS, Jan. 5 (Xinhua) -- The UN Security Council on Monday", "UNITED NATIONS", "Jan. 5", "Xinhua", "The UN", "Xinhua style"],
  ["WASHINGTON — The Senate voted on Tuesday", "WASHINGTON", undefined, undefined, "The Senate", "US newspaper style"],
];

describe("parseDateline", () => {
  it.each(DATELINES)("%j", (text, place, date, agency, rest) => {
    const found = parseDateline(text);
    expect(found?.dateline.place).toBe(place);
    expect(found?.dateline.date).toBe(date);
    expect(found?.dateline.agency).toBe(agency);
    expect(found?.rest.startsWith(rest)).toBe(true);
  });

  it.each([
    ["The U.S. military has started to send troops (AP) - reports say", "sentence, not a dateline"],
    ["In February 2024, Riley was killed while jogging", "a date in a sentence"],
    ["Trump: We will build the wall", "a quote with a colon"],
  ])("finds none in %j (%s)", (text) => {
    expect(parseDateline(text)).toBeUndefined();
  });
});

// [paragraph text, caption, credit, standfirst, origin]
const CAPTIONS: Array<[string, string, string, string | undefined, string]> = [
  [
    "The deployment is part of Trump's executive action to declare a 'national emergency' at the U.S. southern border. Members of the Mexican National Guard in Tijuana patrol the border wall separating Mexico from the United States on January 22 [Gregory Bull/AP Photo]",
    "Members of the Mexican National Guard in Tijuana patrol the border wall separating Mexico from the United States on January 22",
    "Gregory Bull/AP Photo",
    "The deployment is part of Trump's executive action to declare a 'national emergency' at the U.S. southern border.",
    "seed story, Radio Habana Cuba",
  ],
  [
    "Protesters gather outside the court in Havana (Photo: Prensa Latina)",
    "Protesters gather outside the court in Havana",
    "Prensa Latina",
    undefined,
    "Radio Habana Cuba style",
  ],
  ["Migrantes en la frontera sur (Foto: EFE/José Méndez)", "Migrantes en la frontera sur", "EFE/José Méndez", undefined, "Spanish wire style"],
  ["Foto: Archivo/Cubadebate", "", "Archivo/Cubadebate", undefined, "credit line only"],
];

describe("parseCaption", () => {
  it.each(CAPTIONS)("%j", (text, caption, credit, standfirst) => {
    const found = parseCaption(text);
    expect(found?.caption).toBe(caption);
    expect(found?.credit).toBe(credit);
    expect(found?.standfirst).toBe(standfirst);
  });

  it.each([
    "The White House confirmed the troop movement on Wednesday.",
    "He cited [sic] the wrong figure in the report.",
    "The vote passed (52-48) in the Senate.",
  ])("finds none in %j", (text) => {
    expect(parseCaption(text)).toBeUndefined();
  });
});

describe("extractNewsStructure", () => {
  const FOOTER = [/^Radio Habana Cuba$/iu, /^https?:\/\/www\.radiohc\.cu\/\S+$/iu];

  it("takes the caption out of the summary, keeps the dateline, drops separators and boilerplate", () => {
    const html = [
      '<p><img src="https://example.org/a.jpg" alt="" width="800" height="450" /></p>',
      "<p>Members of the Mexican National Guard patrol the border wall on January 22 [Gregory Bull/AP Photo]</p>",
      "<p>Washington, January 23 (RHC)-- The U.S. military has started to send troops.</p>",
      "<p>Second paragraph.</p>",
      "<p>&nbsp;</p>",
      "<p>---</p>",
      "<p>* * *</p>",
      '<p><a href="https://www.radiohc.cu/en/noticias/1">https://www.radiohc.cu/en/noticias/1</a></p>',
      "<p><strong>Radio Habana Cuba</strong></p>",
    ].join("\n");
    const s = extractNewsStructure(html, FOOTER);
    expect(s.caption).toBe("Members of the Mexican National Guard patrol the border wall on January 22");
    expect(s.credit).toBe("Gregory Bull/AP Photo");
    expect(s.dateline).toEqual({ text: "Washington, January 23 (RHC)--", place: "Washington", date: "January 23", agency: "RHC" });
    expect(s.bodyText).toBe("The U.S. military has started to send troops.\nSecond paragraph.");
    expect(s.captionInContent).toBe(true);
    expect(s.contentHtml).toBe(
      [
        '<figure><img src="https://example.org/a.jpg" alt="" width="800" height="450" /><figcaption>Members of the Mexican National Guard patrol the border wall on January 22 <small>Gregory Bull/AP Photo</small></figcaption></figure>',
        "<p>Washington, January 23 (RHC)-- The U.S. military has started to send troops.</p>",
        "<p>Second paragraph.</p>",
      ].join("\n"),
    );
    expect(s.firstImage).toEqual({ url: "https://example.org/a.jpg", width: 800, height: 450 });
  });

  it("reads the blocks inside a lone wrapper div", () => {
    const s = extractNewsStructure("<div><div><p>HAVANA (Reuters) - Cuba said.</p><p>***</p><p>More.</p></div></div>", []);
    expect(s.dateline?.agency).toBe("Reuters");
    expect(s.contentHtml).toBe("<p>HAVANA (Reuters) - Cuba said.</p>\n<p>More.</p>");
    expect(s.bodyText).toBe("Cuba said.\nMore.");
  });

  it("keeps plain text content and separates words across inline and block tags correctly", () => {
    const s = extractNewsStructure("Chas &amp; <b>Dave</b> rock<br />on<ul><li>one</li><li>two</li></ul>", []);
    expect(s.bodyText.replace(/\s+/g, " ")).toBe("Chas & Dave rock on one two");
  });

  it("does not take a dateline or caption from deep inside the story", () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `<p>Paragraph ${i}.</p>`).join("");
    const s = extractNewsStructure(`${paragraphs}<p>HAVANA (Reuters) - Late.</p><p>Crowd [John Doe/AP Photo]</p>`, []);
    expect(s.dateline).toBeUndefined();
    expect(s.caption).toBeUndefined();
  });
});

describe("figureText", () => {
  it("is htmlToText of the figure renderFigure writes", () => {
    const img = '<img src="https://example.com/a.jpg" alt="A &quot;b&quot;" />';
    const captions = ["", "Troops at the border.", "AT&T <b>not a tag</b> &amp; &lt;", "  spaced\u00a0out \u200b caption ", "line\nbreak", "Café “quoted”"];
    const credits = [undefined, "", "John Doe/AP Photo", "A & B <C>", " padded "];
    for (const caption of captions)
      for (const credit of credits) expect(figureText(caption, credit), JSON.stringify([caption, credit])).toBe(htmlToText(renderFigure(img, caption, credit)));
  });
});
