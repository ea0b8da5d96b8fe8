import type { App } from "./app.js";
import { renderPlans, retireRemoved } from "./run-cycle.js";

/** `rebuild`: re-renders every output from the store (after a crash, a config change, or deleted files). */
export function rebuildCommand(app: App, out: NodeJS.WritableStream): number {
  // A source removed from the config leaves the rebuilt feeds too, as it would on the next run.
  retireRemoved(app, app.deps.now());
  const { changedFiles, publishError } = renderPlans(app, app.plans);
  if (publishError) {
    out.write(`feed-enricher: rebuild failed [${publishError.code}]: ${publishError.message}\n`);
    return 1;
  }
  // Everything was just rendered: nothing is left pending, configured or not.
  app.store.clearPending(app.store.pendingOutputs());
  out.write(`feed-enricher: ${app.plans.length} output(s) rendered from the store; ${changedFiles.length} file(s) changed in ${app.config.feedsDir}\n`);
  return 0;
}
