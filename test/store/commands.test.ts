import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rebuildCommand } from "../../src/cli/rebuild-command.js";
import { retagCommand } from "../../src/cli/retag-command.js";
import { sourcesCommand } from "../../src/cli/sources-command.js";
import { contents, jsonItems, mtimes, type StoreProject, storeProject } from "./store-project.js";

function capture(): NodeJS.WritableStream & { text: () => string } {
  let text = "";
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  } as unknown as NodeJS.WritableStream & { text: () => string };
}

let project: StoreProject | undefined;
afterEach(() => project?.cleanup());

describe("rebuild", () => {
  it("re-renders every output from the store, restoring deleted and edited files", async () => {
    project = storeProject(["alpha", "beta"]);
    await project.run();
    const published = contents(project.feedsDir);
    rmSync(join(project.feedsDir, "topics"), { recursive: true });
    writeFileSync(join(project.feedsDir, "all.json"), "{}");
    const app = project.open();
    try {
      const out = capture();
      expect(rebuildCommand(app, out)).toBe(0);
      expect(out.text()).toMatch(/output\(s\) rendered from the store/);
      expect(app.store.pendingOutputs()).toEqual([]);
    } finally {
      app.close();
    }
    expect(contents(project.feedsDir)).toEqual(published);
  });

  it("keeps entries that left the sources: the feeds come from the store, not the sources", async () => {
    project = storeProject(["alpha"]);
    await project.run();
    const before = jsonItems(join(project.feedsDir, "all.json")).map((i) => i.id);
    project.writeSource("alpha", []);
    rmSync(join(project.feedsDir, "all.json"));
    const app = project.open();
    try {
      rebuildCommand(app, capture());
    } finally {
      app.close();
    }
    expect(jsonItems(join(project.feedsDir, "all.json")).map((i) => i.id)).toEqual(before);
  });
});

describe("retag", () => {
  it("re-tags stored entries with the edited taxonomy, bumps updated only where tags changed, re-renders what changed", async () => {
    project = storeProject(["alpha"]);
    await project.run();
    const itemsBefore = new Map(jsonItems(join(project.feedsDir, "all.json")).map((i) => [i.id, i]));

    // Football stories now also count as culture.
    const taxonomyFile = join(project.configDir, "topics.yaml");
    writeFileSync(
      taxonomyFile,
      readFileSync(taxonomyFile, "utf8").replace("- { terms: [film*, movie*,", "- { terms: [football], weight: 3 }\n        - { terms: [film*, movie*,"),
    );

    const app = project.open();
    try {
      const out = capture();
      expect(retagCommand(app, out)).toBe(0);
      expect(out.text()).toMatch(/10 stored entries re-tagged; topics changed on 2;/);
    } finally {
      app.close();
    }
    const culture = jsonItems(join(project.feedsDir, "topics/culture.json"));
    expect(culture.map((i) => i.title).every((t) => t.startsWith("Football"))).toBe(true);
    expect(culture).toHaveLength(2);
    for (const item of jsonItems(join(project.feedsDir, "all.json"))) {
      const old = itemsBefore.get(item.id)!;
      if (item.title.startsWith("Football")) {
        expect(item.tags).toContain("culture");
        expect(item.date_modified).not.toBe(old.date_modified);
      } else {
        expect(item.tags).toEqual(old.tags);
        expect(item.date_modified).toBe(old.date_modified);
      }
    }
    // Every item carries the taxonomy version it was tagged with, so every output was re-rendered once.
    expect(jsonItems(join(project.feedsDir, "topics/military.json")).length).toBeGreaterThan(0);
    const after = mtimes(project.feedsDir);

    // A second retag finds nothing to do.
    const again = project.open();
    try {
      const out = capture();
      retagCommand(again, out);
      expect(out.text()).toMatch(/topics changed on 0; 0 file\(s\) changed/);
    } finally {
      again.close();
    }
    expect(mtimes(project.feedsDir)).toEqual(after);
  });
});

describe("sources", () => {
  it("lists each source's last success, last error, next due and entry count, as text and JSON", async () => {
    project = storeProject(["alpha", "beta"]);
    await project.run();
    rmSync(project.sourceFile("beta"));
    await project.run();
    const app = project.open();
    try {
      const json = capture();
      expect(sourcesCommand(app, json, true)).toBe(0);
      const reports = JSON.parse(json.text());
      expect(reports.map((r: { id: string }) => r.id)).toEqual(["alpha", "beta"]);
      expect(reports[0]).toMatchObject({ entries: 10, lastError: null, consecutiveFailures: 0 });
      expect(reports[0].lastSuccess).toMatch(/^\d{4}-/);
      expect(reports[1]).toMatchObject({ entries: 10, consecutiveFailures: 1, lastError: { code: "not-found" } });
      expect(reports[1].nextDue).toMatch(/^\d{4}-/);
      const text = capture();
      sourcesCommand(app, text, false);
      expect(text.text()).toContain("alpha  [ok]  10 entries");
      expect(text.text()).toContain("beta  [FAILING x1]  10 entries");
      expect(text.text()).toMatch(/last error \[not-found\]/);
    } finally {
      app.close();
    }
  });
});
