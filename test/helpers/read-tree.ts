import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file under dir, by its path relative to dir, with its text: two output folders compare as two maps. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.set(relative(dir, join(d, e.name)), readFileSync(join(d, e.name), "utf8"));
    }
  };
  walk(dir);
  return out;
}
