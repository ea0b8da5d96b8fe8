import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/temp-project.js";

const unit = readFileSync(join(REPO_ROOT, "config/systemd/feed-enricher.service"), "utf8");
const settings = unit
  .split("\n")
  .filter((l) => /^[A-Za-z]+=/.test(l))
  .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const);
const value = (key: string) => settings.filter(([k]) => k === key).map(([, v]) => v);

describe("the systemd unit", () => {
  it("runs start as an unprivileged user and stops with SIGTERM", () => {
    expect(value("ExecStart")[0]).toMatch(/bin\/feed-enricher\.js start$/);
    expect(value("User")).toEqual(["feed-enricher"]);
    expect(value("KillSignal")).toEqual(["SIGTERM"]);
    // Longer than the 10 s the service gives a refresh in flight.
    expect(Number.parseInt(value("TimeoutStopSec")[0] ?? "0", 10)).toBeGreaterThan(10);
  });

  it.each([
    ["ProtectSystem", "strict"],
    ["ProtectHome", "yes"],
    ["PrivateTmp", "yes"],
    ["NoNewPrivileges", "yes"],
    ["ReadWritePaths", "/var/lib/feed-enricher"],
    ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"],
    ["CapabilityBoundingSet", ""],
  ])("sandboxes with %s=%s", (key, expected) => {
    expect(value(key)).toContain(expected);
  });
});
