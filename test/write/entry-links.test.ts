import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/cli/app.js";
import { loadConfig } from "../../src/config/index.js";
import type { Entry } from "../../src/model/index.js";
import { type FeedMeta, renderAtom, renderRss } from "../../src/write/index.js";
import { tempProject } from "../helpers/temp-project.js";
import { entry as storeEntry } from "../store/store-entries.js";

// An entry with no link and no web-address id (a guid like "374817") still
// needs a link in RSS readers and in `feed`'s Atom. In a feed that spans
// sources it points to its own source's site, not to this service's index.

/** An entry of `sourceId` with no link, and an id that is no web address. */
function entry(sourceId: string, over: Partial<Entry> = {}): Entry {
  return { ...storeEntry(sourceId, 1), id: `urn:uuid:00000000-0000-5000-8000-00000000000${sourceId.length}`, title: `From ${sourceId}`, ...over };
}

const meta: FeedMeta = {
  path: "all",
  title: "All",
  description: "d",
  baseUrl: "http://127.0.0.1:8080/",
  homePage: "http://127.0.0.1:8080/",
  topicScheme: "http://127.0.0.1:8080/topics/",
  sourceHomePages: { wire: "https://wire.example.org/" },
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("links of entries that have none", () => {
  it("point to their source's site in a feed that spans sources, else to the feed's home page", () => {
    const entries = [entry("wire"), entry("local-file")];
    const rss = renderRss(entries, meta);
    expect(rss).toContain("<title><![CDATA[From wire]]></title>\n            <link>https://wire.example.org/</link>");
    expect(rss).toContain("<title><![CDATA[From local-file]]></title>\n            <link>http://127.0.0.1:8080/</link>");
    const atom = renderAtom(entries, meta);
    expect(atom).toMatch(/From wire\]\]><\/title>\s*<id>[^<]*<\/id>\s*<link href="https:\/\/wire\.example\.org\/"\/>/);
    // An entry's own link always wins.
    expect(renderRss([entry("wire", { link: "https://wire.example.org/story/1" })], meta)).toContain("<link>https://wire.example.org/story/1</link>");
  });

  it("come from the config: every source with a URL gives its site", () => {
    const project = tempProject(
      "publicBaseUrl: http://127.0.0.1:8080/\nruntimeDir: runtime\nsources:\n  - id: wire\n    url: https://wire.example.org/feeds/world.rss\n  - id: sample\n    file: sample/radiohc-en.rss\n",
    );
    cleanups.push(project.cleanup);
    const app = buildApp(loadConfig(project.configFile), pino({ level: "silent" }));
    cleanups.push(() => app.close());
    expect(app.publish.sourceHomePages).toEqual({ wire: "https://wire.example.org/" });
  });
});
