import type { Store } from "../model/index.js";

/** What happened to one batch of a write group. */
export interface WriteGroupListener {
  /** A batch was committed. */
  committed?(): void;
  /** A batch's commit failed and was rolled back (a StoreError naming the sources whose writes were lost). */
  failed(error: unknown): void;
}

export interface WriteGroup {
  /** Between two units of work: commits the batch if it is due (Store.flushWriteGroup). */
  flush(): void;
  /** After the last unit, also when one threw: commits what is left and ends the group. */
  close(): void;
}

/**
 * Opens a write group on the store (Store.beginWriteGroup) for a loop of
 * per-source writes: a cycle's refreshes, retention's deletions. A failed
 * commit is handed to the listener and never thrown, so one bad batch does
 * not stop the loop, and the group is always ended.
 */
export function openWriteGroup(store: Store, listener: WriteGroupListener): WriteGroup {
  const flush = (force: boolean) => {
    try {
      if (store.flushWriteGroup(force)) listener.committed?.();
    } catch (error) {
      listener.failed(error);
    }
  };
  store.beginWriteGroup();
  return {
    flush: () => flush(false),
    close: () => {
      try {
        flush(true);
      } finally {
        store.endWriteGroup();
      }
    },
  };
}
