// The shared types of every stage. Imports nothing, so any stage may depend on it.
export type * from "./entry.js";
export type * from "./raw-feed.js";
export type * from "./source.js";
export type * from "./store.js";
export type * from "./topic.js";
