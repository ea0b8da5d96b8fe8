import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/check-command.js";
import { lintTaxonomy } from "../../src/enrich/index.js";
import { SAMPLE_SOURCE_YAML, type TempProject, tempProject } from "../helpers/temp-project.js";

function collect(): NodeJS.WritableStream & { text: string } {
  const sink = {
    text: "",
    write: (chunk: string) => {
      sink.text += chunk;
      return true;
    },
  };
  return sink as unknown as NodeJS.WritableStream & { text: string };
}

describe("check", () => {
  let project: TempProject;
  beforeEach(() => {
    project = tempProject(`sources:\n${SAMPLE_SOURCE_YAML}`);
  });
  afterEach(() => project.cleanup());

  it("passes the shipped config and taxonomy", () => {
    const out = collect();
    expect(checkCommand(project.configFile, out)).toBe(0);
    expect(out.text).toMatch(/0 error\(s\)/);
    expect(out.text).toMatch(/28 topic\(s\)/);
    // The shipped taxonomy has no duplicate or shadowed terms either.
    expect(out.text).toMatch(/0 warning\(s\)/);
  });

  it("reports unknown IPTC codes, wrong ancestors, unreachable topics, duplicates and shadowed terms", () => {
    const file = join(project.configDir, "bad-topics.yaml");
    writeFileSync(
      file,
      `threshold: 2
topics:
  - id: a
    label: A
    iptc: medtop:99999999
    terms: { en: [x] }
  - id: b
    label: B
    iptc: medtop:20000771
    iptc_ancestors: [medtop:11000000]
    terms: { en: [y] }
`,
    );
    const bad = lintTaxonomy(file, { scheme: "http://x/" });
    expect(bad.problems.map((p) => p.message).join("\n")).toMatch(/unknown IPTC Media Topic "medtop:99999999"/);
    expect(bad.problems.map((p) => p.message).join("\n")).toMatch(/medtop:20000771 has ancestors \[medtop:14000000\]/);

    writeFileSync(
      file,
      `threshold: 2
topics:
  - id: a
    label: A
    iptc: medtop:20000771
    iptc_ancestors: [medtop:14000000]
    terms: { en: [migrant*, migrants, visa, visa] }
  - id: b
    label: B
    iptc: medtop:20000574
    terms: {}
  - id: c
    label: C
    iptc: medtop:20000574
    enabled: false
`,
    );
    const lint = lintTaxonomy(file, { scheme: "http://x/" });
    const text = lint.problems.map((p) => `${p.level}: ${p.message}`).join("\n");
    expect(text).toMatch(/warning: a: term "migrants" \(en\) is shadowed by "migrant\*"/);
    expect(text).toMatch(/warning: a: duplicate term "visa"/);
    expect(text).toMatch(/error: b: no term can reach this topic/);
    expect(text).not.toMatch(/\bc:/);
  });

  it("exits non-zero when the taxonomy has errors", () => {
    writeFileSync(join(project.configDir, "topics.yaml"), "topics:\n  - id: a\n    label: A\n    iptc: medtop:nope\n    terms: { en: [x] }\n");
    const out = collect();
    expect(checkCommand(project.configFile, out)).toBe(1);
    expect(out.text).toMatch(/error: .*unknown IPTC Media Topic/);
  });
});
