// Refresh: the only module that knows the order of the stages. It runs one
// source fetch → decode → parse → normalize → enrich → store, and publishes the
// outputs that changed. It takes everything as arguments and keeps no state.

export { type OutputPlan, planOutputs } from "./plan-outputs.js";
export {
  type IndexPageOptions,
  metaFor,
  type PublishOptions,
  type PublishResult,
  publishIndexPage,
  publishOpml,
  publishOutputs,
  publishOutputsAsync,
  type RenderShare,
  renderShare,
  type SharedRendering,
} from "./publish-outputs.js";
export { type CycleOptions, type RetireOptions, refreshSources, retireRemovedSources } from "./refresh-cycle.js";
export { backoffMinutes, type RefreshDeps, type RefreshResult, refreshSource } from "./refresh-source.js";
export { openWriteGroup, type WriteGroup, type WriteGroupListener } from "./write-group.js";
