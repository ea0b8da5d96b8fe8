import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rssFeed } from "../helpers/evil-server.js";
import { runProjectOnce } from "../helpers/run-project.js";
import { SAMPLE_SOURCE_YAML, type TempProject, tempProject } from "../helpers/temp-project.js";

/** `parse.timeoutMs` is the operator's limit per document: it reaches the parse, and the error names it. */

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

describe("the parse time limit from the config", () => {
  it("stops a document that takes longer, names the setting to raise, and the other sources still refresh", async () => {
    // 30,000 items take well over a second to parse anywhere; the limit is 100 ms.
    const items = Array.from({ length: 30_000 }, (_, i) => ({ title: `Backlog story ${i}`, link: `https://news.example.com/backlog/${i}` }));
    project = tempProject(`parse:\n  timeoutMs: 100\noutputs:\n  perTopic: false\nsources:\n  - id: backlog\n    file: backlog.rss\n${SAMPLE_SOURCE_YAML}`);
    writeFileSync(join(project.configDir, "backlog.rss"), rssFeed("Backlog", items));
    const report = await runProjectOnce(project);
    const backlog = report.results.find((r) => r.sourceId === "backlog");
    expect(backlog).toMatchObject({ status: "failed", code: "timeout" });
    expect(backlog?.status === "failed" && backlog.message).toMatch(/^backlog: parse: .*raise parse\.timeoutMs in the config/);
    expect(report.results.find((r) => r.sourceId === "radiohc-sample")?.status).toBe("updated");
  });
});
