// Store stage: what has been seen (sources' fetch state, normalized entries)
// behind the Store interface of model/, with SQLite as the embedded
// implementation. It must not fetch, parse or render.
export { outputKey, SqliteStore, type SqliteStoreOptions, StoreError, type StoreErrorCode, storeErrorFrom } from "./sqlite-store.js";
