/**
 * Versioned schema changes, applied in order at start (PRAGMA user_version
 * records how far a database has come). Never edit a released step: add one.
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE sources (
     id TEXT PRIMARY KEY,
     url TEXT,
     etag TEXT,
     last_modified TEXT,
     body_hash TEXT,
     last_fetch TEXT,
     last_success TEXT,
     consecutive_failures INTEGER NOT NULL DEFAULT 0,
     last_error_code TEXT,
     last_error_message TEXT,
     next_due TEXT,
     min_interval_minutes REAL
   );
   CREATE TABLE entries (
     source_id TEXT NOT NULL,
     id TEXT NOT NULL,
     first_seen TEXT NOT NULL,
     published TEXT,
     updated TEXT,
     sort_date TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     taxonomy_version TEXT,
     data TEXT NOT NULL,
     PRIMARY KEY (source_id, id)
   );
   CREATE INDEX entries_by_date ON entries (sort_date DESC, id);
   CREATE INDEX entries_by_source_date ON entries (source_id, sort_date DESC, id);
   CREATE TABLE entry_topics (
     source_id TEXT NOT NULL,
     entry_id TEXT NOT NULL,
     topic_id TEXT NOT NULL,
     sort_date TEXT NOT NULL,
     PRIMARY KEY (source_id, entry_id, topic_id)
   );
   CREATE INDEX entry_topics_by_topic_date ON entry_topics (topic_id, sort_date DESC, entry_id);`,
  // 2: the ids of the source's current feed (retention never prunes them), and
  // the outputs whose entries changed but were not rendered yet: written in the
  // same transaction as the change, so a crash between commit and render is
  // repaired by the next run instead of leaving a stale feed behind.
  `ALTER TABLE sources ADD COLUMN current_ids TEXT;
   CREATE TABLE pending_outputs (output TEXT PRIMARY KEY);`,
  // 3: when a source was first found missing from the config. Its entries are
  // hidden from all.* and the topic feeds from then on, and deleted once the
  // grace period has passed; adding the source back clears it.
  `ALTER TABLE sources ADD COLUMN removed_since TEXT;`,
  // 4: an entry's content HTML in a column of its own; \`data\` then holds the
  // rest of the entry with \`"contentHtml":""\` in its place. JSON.stringify
  // escapes every quote and newline of the HTML, the largest part of an
  // entry (≈ 4 of 6.4 KB), and JSON.parse unescapes it on every render: about
  // a fifth of a commit. Rows written before keep the HTML in \`data\` (NULL
  // here) and read as they were.
  `ALTER TABLE entries ADD COLUMN content_html TEXT;`,
];
