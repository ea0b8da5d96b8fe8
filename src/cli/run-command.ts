import type { App } from "./app.js";
import { runCycle } from "./run-cycle.js";

/** `run`: every source once. Exit code 0 when every source was refreshed, 1 otherwise. */
export async function runCommand(app: App, out: NodeJS.WritableStream): Promise<number> {
  const { results, changedFiles, publishError } = await runCycle(app, app.config.sources);
  const failed = results.filter((r) => r.status === "failed");
  out.write(
    `feed-enricher: ${results.length - failed.length} of ${results.length} source(s) refreshed; ${changedFiles.length} file(s) written in ${app.config.feedsDir}\n`,
  );
  for (const r of failed) if (r.status === "failed") out.write(`  FAILED ${r.sourceId} [${r.code}]: ${r.message}\n`);
  if (publishError) out.write(`  NOT PUBLISHED [${publishError.code}]: ${publishError.message}\n`);
  return failed.length === 0 && !publishError ? 0 : 1;
}
